import { defineProvider } from '../types.js';
import { fieldOf, fields, fromForm, summary } from './form.js';
import { env, input } from './schema.js';
import { settings } from './settings.js';
import { buildCreate, containersRequest, parseContainers, parseCreate, parseRoles, rolesRequest } from './wire.js';

export const digicert = defineProvider({
  id: 'digicert',
  label: 'DigiCert CertCentral',
  env,
  settings,
  input,
  fields,
  fromForm,
  fieldOf,
  // CertCentral signs people in by username, but the email is what a person recognises and searches the audit by.
  target: (user) => user.email,
  summary,
  secretsOf: () => [],
  credentialsOf: (s) => (s.apiKey ? [s.apiKey] : []),
  buildCreate,
  parseCreate,
  lookups: {
    containers: { request: containersRequest, parse: parseContainers },
    roles: { request: rolesRequest, parse: parseRoles },
  },
});
