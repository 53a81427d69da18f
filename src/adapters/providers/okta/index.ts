import { addresses, defineProvider } from '../types.js';
import { fieldOf, fields, fromForm, fromPerson, summary } from './form.js';
import { env, input } from './schema.js';
import { settings } from './settings.js';
import { budget, buildCreate, groupsRequest, parseCreate, parseGroups } from './wire.js';

export const okta = defineProvider({
  id: 'okta',
  label: 'Okta',
  env,
  settings,
  input,
  fields,
  fromForm,
  fromPerson,
  fieldOf,
  // The login is the user's unique key in an Okta org.
  target: (user) => user.profile.login,
  // No password: Okta mails the activation link to the email; the login is email-shaped by default.
  mailFields: ['email', 'login'],
  recipients: (user) => addresses(user.profile.email, user.profile.login),
  privilegeFields: ['groupIds'],
  privileges: (user) => ({ groupIds: user.groupIds }),
  summary,
  secretsOf: (user) => (user.credentials ? [user.credentials.password.value] : []),
  credentialsOf: (s) => (s.apiToken ? [s.apiToken] : []),
  buildCreate,
  parseCreate,
  budget,
  // NOTES.md: "Create or list users" allows 100 a minute on the smallest plan (600 on others), and
  // 75 requests at once per org, shared with every other client; the headers pace the rest.
  limits: { concurrency: 5, windows: [{ limit: 100, perMs: 60_000 }] },
  lookups: { groups: { request: groupsRequest, parse: parseGroups } },
});
