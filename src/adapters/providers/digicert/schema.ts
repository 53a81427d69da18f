import { z } from 'zod';
import { optionalSecret } from '../../../config/secret.js';
import { serviceUrl } from '../../../config/url.js';

export const env = {
  DIGICERT_API_KEY: optionalSecret(),
  DIGICERT_BASE_URL: serviceUrl('DIGICERT_BASE_URL', 'https://www.digicert.com/services/v2'),
};

const id = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int({ error: `${what} must be a whole number` })
    .positive({ error: `${what} must be a positive number` });

const limited = (what: string, max: number) =>
  z.string({ error: `${what} is required` }).trim().min(1, { error: `${what} is required` }).max(max, { error: `${what} can be at most ${max} characters` });

/**
 * CertCentral's "Add user" request, field for field (digicert-certcentral-add-user.txt).
 * Strict: an unknown property, `is_api_only` above all (it would create an API service user
 * and return a key), is an error, never passed through.
 */
export const input = z.strictObject({
  username: limited('Username', 255).regex(/^[a-zA-Z0-9@\-_+.]+$/, {
    error: 'Username may only contain letters, digits and @ - _ + .',
  }),
  first_name: limited('First name', 128),
  last_name: limited('Last name', 128),
  email: z.email({ error: 'Email must be a valid email address' }).max(255, { error: 'Email can be at most 255 characters' }),
  job_title: z.string().trim().max(64, { error: 'Job title can be at most 64 characters' }).optional(),
  telephone: z.string().trim().max(64, { error: 'Telephone can be at most 64 characters' }).optional(),
  container: z.strictObject({ id: id('Container id') }, { error: 'Container is required' }),
  access_roles: z
    .array(z.strictObject({ id: id('Access role id') }), { error: 'Choose at least one access role' })
    .min(1, { error: 'Choose at least one access role' }),
  container_id_assignments: z.array(id('Assigned container id')).optional(),
  is_saml_sso_only: z.boolean({ error: 'SAML SSO only must be true or false' }).default(false),
});

/** A container id as the roles lookup puts it into `{base}/container/{id}/role`. */
export const containerIdParam = z.string({ error: 'Choose a container first' }).regex(/^[1-9]\d{0,11}$/, { error: 'A container id is digits only' });

export type DigiCertInput = z.infer<typeof input>;
