import { addresses, defineProvider } from '../types.js';
import { fieldOf, fields, fromForm, fromPerson, summary } from './form.js';
import { containerIdParam, env, input } from './schema.js';
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
  fromPerson,
  fieldOf,
  // CertCentral signs people in by username, but the email is what a person recognises and searches the audit by.
  target: (user) => user.email,
  mailFields: ['email', 'username'],
  recipients: (user) => addresses(user.email, user.username),
  privilegeFields: ['container', 'access_roles', 'container_id_assignments'],
  privileges: (user) => ({
    container: [String(user.container.id)],
    access_roles: user.access_roles.map((role) => String(role.id)),
    container_id_assignments: (user.container_id_assignments ?? []).map(String),
  }),
  summary,
  secretsOf: () => [],
  credentialsOf: (s) => (s.apiKey ? [s.apiKey] : []),
  buildCreate,
  parseCreate,
  // NOTES.md: 1000 requests per 3 minutes and 100 per 5 seconds per key.
  limits: { concurrency: 10, windows: [{ limit: 100, perMs: 5_000 }, { limit: 1_000, perMs: 180_000 }] },
  lookups: {
    containers: { request: containersRequest, parse: parseContainers },
    roles: { param: containerIdParam, request: rolesRequest, parse: parseRoles },
  },
});
