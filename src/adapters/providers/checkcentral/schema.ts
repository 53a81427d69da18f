import { z } from 'zod';
import { optionalSecret } from '../../../config/secret.js';
import { serviceUrl } from '../../../config/url.js';

export const env = {
  CHECKCENTRAL_API_TOKEN: optionalSecret(),
  CHECKCENTRAL_BASE_URL: serviceUrl('CHECKCENTRAL_BASE_URL', 'https://api.checkcentral.cc'),
};

export const ACCESS_LEVELS = ['disabled', 'custom', 'readonly', 'user', 'editor', 'manager', 'administrator'] as const;
export const NOTIFICATION_TYPES = ['digest', 'failures', 'warnings', 'unmatched'] as const;
export const SERVICES = ['email', 'sms', 'push', 'pushbullet', 'pushover'] as const;

/** Documented in lowercase while the doc's own example sends "User": accept any case, send lowercase. */
const lowercaseEnum = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .toLowerCase()
    .pipe(z.enum(values, { error: `${what} must be one of: ${values.join(', ')}` }));

const notification = z.strictObject({
  type: lowercaseEnum(NOTIFICATION_TYPES, 'Notification type'),
  services: z.array(lowercaseEnum(SERVICES, 'Notification service')).default([]),
});

/** CheckCentral's createUser body, property for property (checkcentral-createUser.txt). */
export const input = z.strictObject({
  email: z.email({ error: 'Email must be a valid email address' }),
  accessLevel: lowercaseEnum(ACCESS_LEVELS, 'Access level'),
  name: z.string().trim().min(1).max(200, { error: 'Name can be at most 200 characters' }).optional(),
  sendWelcomeEmail: z.boolean({ error: 'Send welcome email must be true or false' }).default(false),
  userGroups: z.array(z.string().trim().min(1, { error: 'User group ids cannot be empty' })).default([]),
  notifications: z
    .array(notification)
    .default([])
    .refine((list) => new Set(list.map((entry) => entry.type)).size === list.length, {
      error: 'Each notification type can be configured once',
    }),
});

export type CheckCentralInput = z.infer<typeof input>;
