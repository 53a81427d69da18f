import { z } from 'zod';
import { optionalSecret, Secret } from '../../../config/secret.js';
import { serviceUrl } from '../../../config/url.js';

/** The org's own URL has no sensible default: unset, the provider stays in dry-run mode. */
const orgUrl = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    const checked = serviceUrl('OKTA_ORG_URL', 'https://your-org.okta.com').safeParse(value);
    if (checked.success) return checked.data;
    for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  });

export const env = {
  OKTA_ORG_URL: orgUrl,
  OKTA_API_TOKEN: optionalSecret(),
};

const text = (what: string, min: number, max: number) =>
  z.string({ error: `${what} is required` }).trim().min(min, { error: min > 1 ? `${what} must be at least ${min} characters` : `${what} is required` }).max(max, { error: `${what} can be at most ${max} characters` });

/**
 * Okta's default user profile (UserProfile in the management OpenAPI spec): its four base
 * attributes and mobilePhone. Any valid email is longer than Okta's 5-character minimum.
 */
export const profile = z.strictObject({
  firstName: text('First name', 1, 50),
  lastName: text('Last name', 1, 50),
  email: z.email({ error: 'Email must be a valid email address' }).max(100, { error: 'Email can be at most 100 characters' }),
  // Email-shaped by default, but an org may lift that rule (NOTES.md): only the documented lengths are ours to check.
  login: text('Username', 5, 100),
  mobilePhone: z.string().trim().max(100, { error: 'Mobile phone can be at most 100 characters' }).optional(),
});

/** Our rule, from the ids Okta shows (00g1emaKYZTWRYYRRTSK): a typed id is letters and digits. */
const groupId = z.string().trim().regex(/^[A-Za-z0-9]{1,64}$/, { error: 'A group id is letters and digits, e.g. 00g1emaKYZTWRYYRRTSK' });

/**
 * Okta's CreateUserRequest, with the documentation's names. The password's rules are the org's
 * password policy, which Okta applies and explains; it becomes a Secret at once.
 */
export const input = z.strictObject({
  profile,
  credentials: z.strictObject({ password: z.strictObject({ value: z.string().min(1).transform((value) => new Secret(value)) }) }).optional(),
  groupIds: z.array(groupId).default([]).refine((ids) => new Set(ids).size === ids.length, { error: 'Each group can be chosen once' }),
});

export type OktaInput = z.infer<typeof input>;
