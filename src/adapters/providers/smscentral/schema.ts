import { z } from 'zod';
import { optionalSecret, Secret } from '../../../config/secret.js';
import { serviceUrl } from '../../../config/url.js';
import type { Choice } from '../types.js';

/** "12345:Main account,67890:Marketing" → choices; SMS Central offers no account-list call (NOTES.md). */
const accountList = z
  .string()
  .optional()
  .transform((value, ctx): Choice[] | undefined => {
    if (!value) return undefined;
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    const choices = entries.map((entry) => /^(\d+)\s*(?::\s*(.+))?$/.exec(entry));
    if (choices.some((match) => !match)) {
      ctx.addIssue({ code: 'custom', message: 'SMSCENTRAL_ACCOUNTS must be ID:name pairs, e.g. 12345:Main account,67890:Marketing' });
      return z.NEVER;
    }
    return choices.map((match) => ({ value: match![1]!, label: `${match![2] ?? 'Account'} (${match![1]})` }));
  });

export const env = {
  SMSCENTRAL_USERNAME: z.string().trim().optional(),
  SMSCENTRAL_PASSWORD: optionalSecret(),
  SMSCENTRAL_BASE_URL: serviceUrl('SMSCENTRAL_BASE_URL', 'https://my.smscentral.com.au/api/v3.2'),
  SMSCENTRAL_ACCOUNTS: accountList,
};

export const USER_LEVELS = { 1: 'Administrator', 2: 'Advanced', 3: 'Standard' } as const;

const required = (what: string, max: number) =>
  z.string({ error: `${what} is required` }).trim().min(1, { error: `${what} is required` }).max(max, { error: `${what} can be at most ${max} characters` });

const account = z.strictObject({
  ID: z.number({ error: 'Account id must be a number' }).int({ error: 'Account id must be a whole number' }).positive({ error: 'Account id must be a positive number' }),
  Userlevel: z.union([z.literal(1), z.literal(2), z.literal(3)], {
    error: 'User level must be 1 (Administrator), 2 (Advanced) or 3 (Standard)',
  }),
});

/**
 * The USER object of SMS Central's user/create, with the documentation's names. The password
 * becomes a Secret at once, so no log, message or audit record can print it.
 */
export const input = z.strictObject({
  USERNAME: required('Username', 100).regex(/^\S+$/, { error: 'Username cannot contain spaces' }),
  // Our rule, not SMS Central's (which documents none): a password shorter than this is not worth creating.
  PASSWORD: z
    .string({ error: 'Password is required' })
    .min(8, { error: 'Password must be at least 8 characters' })
    .max(128, { error: 'Password can be at most 128 characters' })
    .transform((value) => new Secret(value)),
  FIRSTNAME: required('First name', 100),
  LASTNAME: z.string().trim().max(100, { error: 'Last name can be at most 100 characters' }).optional(),
  EMAILADDRESS: z.email({ error: 'Email must be a valid email address' }).optional(),
  MOBILENUMBER: z
    .string()
    .transform((value) => value.replace(/[\s\-().]/g, ''))
    .pipe(z.string().regex(/^\+[1-9]\d{7,14}$/, { error: 'Mobile number must be in international format, e.g. +61412345678' }))
    .optional(),
  ACCOUNTS: z
    .array(account, { error: 'Choose at least one account' })
    .min(1, { error: 'Choose at least one account' })
    .refine((list) => new Set(list.map((entry) => entry.ID)).size === list.length, { error: 'Each account can be listed once' }),
});

export type SmsCentralInput = z.infer<typeof input>;
