import { z } from 'zod';
import { optionalSecret } from '../../../config/secret.js';
import { serviceUrl } from '../../../config/url.js';

/** GitHub logins: letters, digits and single inner hyphens, at most 39 characters; it goes into the URL path. */
const LOGIN = /^[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}$/i;

export const env = {
  GITHUB_TOKEN: optionalSecret(),
  GITHUB_ORG: z
    .string()
    .trim()
    .optional()
    .refine((org) => !org || LOGIN.test(org), { error: 'GITHUB_ORG must be an organisation login (letters, digits and hyphens), e.g. my-company' }),
  GITHUB_API_URL: serviceUrl('GITHUB_API_URL', 'https://api.github.com'),
};

export const ROLES = ['direct_member', 'admin', 'billing_manager', 'reinstate'] as const;

const id = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int({ error: `${what} must be a whole number` })
    .positive({ error: `${what} must be a positive number` });

/**
 * The body of "Create an organization invitation", property for property (NOTES.md). GitHub
 * wants `email` unless `invitee_id` is given and the reverse; exactly one is asked for, so
 * the request's target is never ambiguous.
 */
export const input = z
  .strictObject({
    email: z.email({ error: 'Email must be a valid email address' }).optional(),
    invitee_id: id('GitHub user id').optional(),
    role: z.enum(ROLES, { error: `Role must be one of: ${ROLES.join(', ')}` }).default('direct_member'),
    team_ids: z.array(id('Team id')).default([]),
  })
  .refine((invite) => (invite.email === undefined) !== (invite.invitee_id === undefined), {
    error: 'Give either the email or the GitHub user id, not both',
    path: ['email'],
  });

export type GitHubInput = z.infer<typeof input>;
