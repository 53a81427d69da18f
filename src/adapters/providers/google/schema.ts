import { createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { Secret } from '../../../config/secret.js';
import { serviceUrl } from '../../../config/url.js';

/** A thrown error as a value, so that no message of it (JSON.parse quotes the text it failed on) is ever passed on. */
const attempt = <T>(run: () => T): T | Error => {
  try {
    return run();
  } catch (error) {
    return error instanceof Error ? error : new Error('failed');
  }
};

/** The fields of a service account key file the JWT-bearer grant needs (NOTES.md). */
const keyFile = z.object({
  client_email: z.email({ error: 'client_email is missing or not an email address' }),
  private_key: z.string({ error: 'private_key is missing' }).refine((pem) => !(attempt(() => createPrivateKey(pem)) instanceof Error), { error: 'private_key cannot be read as a private key' }),
  private_key_id: z.string().optional(),
  token_uri: serviceUrl('token_uri', 'https://oauth2.googleapis.com/token'),
});

/**
 * As ssh does with a private key: a key file that group or others may use is refused, since the
 * key is the service account's power to create users anywhere in the Workspace. A file this
 * user does not own (a mounted secret) may grant its group, through which the bot reads it,
 * but never everyone. Undefined when the permissions are tight enough.
 */
function tooOpen(path: string, stat: { mode: number; uid: number }): string | undefined {
  if (process.platform === 'win32') return undefined;
  const mode = stat.mode & 0o777;
  const mine = stat.uid === process.getuid?.();
  if ((mode & (mine ? 0o077 : 0o007)) === 0) return undefined;
  const octal = mode.toString(8).padStart(4, '0');
  return mine
    ? `permissions ${octal} are too open: group or others can read the private key. Run: chmod 600 ${path}`
    : `permissions ${octal} are too open: every user of this machine can read the private key. Have its owner run: chmod o-rwx ${path}`;
}

/**
 * The key file is read and checked once, at start-up: a missing, broken or exposed file is a
 * configuration problem listed with the others, never a failure mid-request. Messages name the
 * file and the field, never a value: the file holds the private key.
 */
const serviceAccountFile = z.string().trim().optional().transform((path, ctx) => {
  if (!path) return undefined;
  const fail = (why: string) => {
    ctx.addIssue({ code: 'custom', message: `GOOGLE_SERVICE_ACCOUNT_FILE ${path}: ${why}` });
    return z.NEVER;
  };
  const unreadable = (error: Error) => fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  const stat = attempt(() => statSync(path));
  if (stat instanceof Error) return unreadable(stat);
  const exposed = tooOpen(path, stat);
  if (exposed) return fail(exposed);
  const text = attempt(() => readFileSync(path, 'utf8'));
  if (text instanceof Error) return unreadable(text);
  const json = attempt(() => JSON.parse(text) as unknown);
  if (json instanceof Error) return fail('is not a JSON service account key file');
  const parsed = keyFile.safeParse(json);
  if (!parsed.success) return fail(parsed.error.issues.map((issue) => issue.message).join('; '));
  const { client_email, private_key, private_key_id, token_uri } = parsed.data;
  return { clientEmail: client_email, privateKey: new Secret(private_key), keyId: private_key_id, tokenUri: token_uri };
});

export type ServiceAccount = NonNullable<z.output<typeof serviceAccountFile>>;

export const env = {
  GOOGLE_SERVICE_ACCOUNT_FILE: serviceAccountFile,
  GOOGLE_ADMIN_SUBJECT: z.email({ error: 'GOOGLE_ADMIN_SUBJECT must be the email address of a Workspace admin' }).optional(),
  GOOGLE_API_URL: serviceUrl('GOOGLE_API_URL', 'https://admin.googleapis.com'),
};

const name = (what: string) =>
  z.string({ error: `${what} is required` }).trim().min(1, { error: `${what} is required` }).max(60, { error: `${what} can be at most 60 characters` })
    .regex(/^[\p{L}\p{M}\p{N} '\-/.]+$/u, { error: `${what} may contain letters, digits, spaces and - / . ' only` });

export const userName = z.strictObject({ givenName: name('First name'), familyName: name('Last name') });

/** The users.insert body we send, with Google's names. The password becomes a Secret at once. */
export const input = z.strictObject({
  primaryEmail: z.email({ error: 'Primary email must be a valid email address' }),
  name: userName,
  password: z.string({ error: 'Password is required' }).min(8, { error: 'Password must be at least 8 characters' }).max(100, { error: 'Password can be at most 100 characters' })
    .regex(/^[\x20-\x7e]+$/, { error: 'Password may contain ASCII characters only' }).transform((value) => new Secret(value)),
  orgUnitPath: z.string().trim().regex(/^\/[^\n\r]*$/, { error: 'Org unit path starts with /, e.g. /Engineering' }).optional(),
  // The safe side whatever the way in: a password someone else chose is replaced at first sign-in.
  changePasswordAtNextLogin: z.boolean({ error: 'Change password at next login must be true or false' }).default(true),
});

export type GoogleInput = z.infer<typeof input>;
