import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { SECRET_MASK } from '../config/secret.js';

/**
 * Field names that hold secrets wherever they appear (two levels deep): Slack tokens, the
 * signing secret, provider keys, SMS Central's PASSWORD and its USER JSON (which carries
 * the new user's password), and headers that carry credentials.
 */
const SECRET_KEYS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'password',
  'PASSWORD',
  'USER',
  'apiToken',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'x-dc-devkey',
  'X-DC-DEVKEY',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'CHECKCENTRAL_API_TOKEN',
  'SMSCENTRAL_PASSWORD',
  'DIGICERT_API_KEY',
];

const segment = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const tail = segment(key);
  return [tail.startsWith('.') ? key : tail, `*${tail}`, `*.*${tail}`];
});

/**
 * Patterns that are secrets whatever field they sit in: Slack tokens and CheckCentral's
 * token in a query string. Applied to every serialized line as the last line of defence.
 */
const SECRET_PATTERNS: RegExp[] = [
  /xox[abprse]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  // A workflow step's execution token (a function's bot_access_token).
  /xwfp-[A-Za-z0-9-]+/g,
  /(apiToken=)[^&\s"\\]+/g,
];

/** Secret values and until when they are masked (configured ones for the life of the process). */
const knownSecrets = new Map<string, number>();

/**
 * Registers secret values so that no log line can carry them, whatever the field: configured
 * ones for good, passwords met at run time for `ttlMs`, which keeps the set (and the cost of
 * scrubbing each line) to the passwords handled lately.
 */
export function registerSecretValues(values: Iterable<string>, ttlMs = Number.POSITIVE_INFINITY): void {
  const now = Date.now();
  for (const [value, until] of knownSecrets) if (until < now) knownSecrets.delete(value);
  for (const value of values) {
    if (value.length >= 4) knownSecrets.set(value, Math.max(knownSecrets.get(value) ?? 0, now + ttlMs));
  }
}

export function scrubLine(line: string): string {
  let result = line;
  for (const pattern of SECRET_PATTERNS) {
    result = result.replace(pattern, (_match, prefix?: string) =>
      typeof prefix === 'string' && prefix.endsWith('=') ? `${prefix}${SECRET_MASK}` : SECRET_MASK,
    );
  }
  for (const value of knownSecrets.keys()) {
    if (result.includes(value)) result = result.split(value).join(SECRET_MASK);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value && result.includes(escaped)) result = result.split(escaped).join(SECRET_MASK);
  }
  return result;
}

export type LogLevel = Level | 'silent';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'adduser-bot' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: SECRET_MASK },
      hooks: { streamWrite: scrubLine },
    },
    destination,
  );
}
