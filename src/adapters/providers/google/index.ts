import { defineProvider } from '../types.js';
import { fieldOf, fields, fromForm, fromPerson, summary } from './form.js';
import { env, input } from './schema.js';
import { settings } from './settings.js';
import { authorize } from './token.js';
import { buildCreate, orgUnitsRequest, parseCreate, parseOrgUnits } from './wire.js';

export const google = defineProvider({
  id: 'google',
  label: 'Google Workspace',
  env,
  settings,
  input,
  fields,
  fromForm,
  fromPerson,
  fieldOf,
  target: (user) => user.primaryEmail,
  mailFields: ['primaryEmail'],
  recipients: (user) => [user.primaryEmail],
  // The organizational unit decides which admin roles' reach and which policies apply.
  privilegeFields: ['orgUnitPath'],
  privileges: (user) => ({ orgUnitPath: [user.orgUnitPath ?? '/'] }),
  summary,
  secretsOf: (user) => [user.password],
  credentialsOf: (s) => (s.account ? [s.account.privateKey] : []),
  buildCreate,
  parseCreate,
  authorize,
  // NOTES.md: 2,400 queries per minute per user per project by default.
  limits: { concurrency: 10, windows: [{ limit: 2_400, perMs: 60_000 }] },
  lookups: { orgUnits: { request: orgUnitsRequest, parse: parseOrgUnits } },
});
