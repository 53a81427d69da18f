import { addresses, defineProvider } from '../types.js';
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
  mailFields: ['EMAILADDRESS', 'USERNAME'],
  recipients: (user) => addresses(user.EMAILADDRESS, user.USERNAME),
  privilegeFields: ['ACCOUNTS', 'USERLEVEL'],
  // The form gives every account one level.
  privileges: (user) => ({ ACCOUNTS: user.ACCOUNTS.map((account) => String(account.ID)), USERLEVEL: [...new Set(user.ACCOUNTS.map((account) => String(account.Userlevel)))] }),
  summary,
  secretsOf: (user) => [user.PASSWORD],
  credentialsOf: (s) => (s.password ? [s.password] : []),
  buildCreate,
  parseCreate,
  lookups: { accounts: { fromSettings: (s) => s.accounts } },
});
