import { defineProvider } from '../types.js';
import { fieldOf, fields, fromForm, fromPerson, summary } from './form.js';
import { env, input } from './schema.js';
import { settings } from './settings.js';
import { buildCreate, parseCreate } from './wire.js';

export const smscentral = defineProvider({
  id: 'smscentral',
  label: 'SMS Central',
  env,
  settings,
  input,
  fields,
  fromForm,
  fromPerson,
  fieldOf,
  // The username is the account's key in SMS Central; email is optional there.
  target: (user) => user.USERNAME,
  summary,
  secretsOf: (user) => [user.PASSWORD],
  credentialsOf: (s) => (s.password ? [s.password] : []),
  buildCreate,
  parseCreate,
  lookups: { accounts: { fromSettings: (s) => s.accounts } },
});
