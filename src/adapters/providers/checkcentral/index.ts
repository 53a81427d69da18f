import { defineProvider } from '../types.js';
import { fieldOf, fields, fromForm, fromPerson, summary } from './form.js';
import { env, input } from './schema.js';
import { settings } from './settings.js';
import { buildCreate, parseCreate, parseUserGroups, userGroupsRequest } from './wire.js';

export const checkcentral = defineProvider({
  id: 'checkcentral',
  label: 'CheckCentral',
  env,
  settings,
  input,
  fields,
  fromForm,
  fromPerson,
  fieldOf,
  target: (user) => user.email,
  mailFields: ['email'],
  recipients: (user) => [user.email],
  privilegeFields: ['accessLevel', 'userGroups'],
  privileges: (user) => ({ accessLevel: [user.accessLevel], userGroups: user.userGroups }),
  summary,
  secretsOf: () => [],
  credentialsOf: (s) => (s.apiToken ? [s.apiToken] : []),
  buildCreate,
  parseCreate,
  lookups: { userGroups: { request: userGroupsRequest, parse: parseUserGroups } },
});
