import { z } from 'zod';
import { providers as builtIn } from '../adapters/providers/registry.js';
import type { AnyProvider } from '../adapters/providers/types.js';
import { parseStoreUrl } from '../adapters/store/url.js';
import { parseDuration } from './duration.js';
import { policyFromVariables } from './policy-variables.js';
import { optionalKey, optionalSecret, secret } from './secret.js';
import { serviceUrl } from './url.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const channelId = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^[CGD][A-Z0-9]{2,}$/, { error: `${name} must be a channel id like C0123456789 (not a #name)` })
    .optional();

/** "U123,S456" → user ids and user-group ids; Slack ids are upper-case letters and digits. */
const approverList = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const ids = value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      const bad = ids.filter((id) => !/^[UWS][A-Z0-9]{2,}$/.test(id));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} takes user ids (U…/W…) and user-group ids (S…), comma-separated; not valid: ${bad.join(', ')}`,
        });
        return z.NEVER;
      }
      return {
        users: ids.filter((id) => !id.startsWith('S')),
        groups: ids.filter((id) => id.startsWith('S')),
      };
    });

const wholeNumber = (name: string, min: number, max: number, fallback: number) => {
  const range = { error: `${name} must be a whole number from ${min} to ${max}` };
  return z.coerce.number({ error: `${name} must be a number` }).int(range).min(min, range).max(max, range).default(fallback);
};

/** A duration variable ("72h", "90m", "1d12h") → milliseconds. */
const duration = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a duration like 72h, 30m or 3d` });
        return z.NEVER;
      }
      return ms;
    });

export type Approvers = { users: string[]; groups: string[] };

export const approversVariable = (provider: AnyProvider) => `ADDUSER_APPROVERS_${provider.id.toUpperCase()}`;

/** The policy variables, each provider's approvers included (SPEC §2). */
const policyShapeFor = (providers: readonly AnyProvider[]) => ({
  ADDUSER_REQUESTS_CHANNEL: channelId('ADDUSER_REQUESTS_CHANNEL'),
  ADDUSER_APPROVERS: approverList('ADDUSER_APPROVERS'),
  ADDUSER_REQUIRED_APPROVALS: wholeNumber('ADDUSER_REQUIRED_APPROVALS', 1, 10, 1),
  ADDUSER_REQUEST_TTL: duration('ADDUSER_REQUEST_TTL', '72h'),
  ...Object.fromEntries(providers.map((provider) => [approversVariable(provider), approverList(approversVariable(provider))])),
});

const baseShape = {
  SLACK_BOT_TOKEN: secret('SLACK_BOT_TOKEN').refine((token) => token.reveal().startsWith('xoxb-'), {
    error: 'SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-)',
  }),
  SLACK_SIGNING_SECRET: optionalSecret(),
  SLACK_APP_TOKEN: optionalSecret().refine((token) => token === undefined || token.reveal().startsWith('xapp-'), {
    error: 'SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)',
  }),
  PORT: wholeNumber('PORT', 0, 65535, 3000),
  ADDUSER_OPS_PORT: z.coerce
    .number({ error: 'ADDUSER_OPS_PORT must be a port number' })
    .int({ error: 'ADDUSER_OPS_PORT must be a whole number from 0 to 65535' })
    .min(0, { error: 'ADDUSER_OPS_PORT must be a whole number from 0 to 65535' })
    .max(65535, { error: 'ADDUSER_OPS_PORT must be a whole number from 0 to 65535' })
    .optional(),
  SLACK_API_URL: serviceUrl('SLACK_API_URL', 'https://slack.com/api/').transform((url) => (url.endsWith('/') ? url : `${url}/`)),
  ADDUSER_AUDIT_CHANNEL: channelId('ADDUSER_AUDIT_CHANNEL'),
  ADDUSER_DRY_RUN: z.stringbool({ error: 'ADDUSER_DRY_RUN must be true or false' }).default(false),
  ADDUSER_SLACK_PACE: z.enum(['slack', 'off'], { error: 'ADDUSER_SLACK_PACE must be slack or off' }).default('slack'),
  STORE_URL: z
    .string()
    .trim()
    .default('sqlite://data/adduser.sqlite')
    .superRefine((url, ctx) => {
      const location = parseStoreUrl(url);
      if ('error' in location) ctx.addIssue({ code: 'custom', message: location.error });
    }),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of: ${LOG_LEVELS.join(', ')}` }).default('info'),
  ADDUSER_POLICY_FILE: z.string().trim().optional(),
  ADDUSER_MAX_PENDING: wholeNumber('ADDUSER_MAX_PENDING', 1, 1_000, 10),
  ADDUSER_MAX_PENDING_ACCOUNTS: wholeNumber('ADDUSER_MAX_PENDING_ACCOUNTS', 1, 10_000, 250),
  ADDUSER_SECRET_KEY: optionalKey('ADDUSER_SECRET_KEY'),
  ADDUSER_AUDIT_KEY: optionalKey('ADDUSER_AUDIT_KEY'),
  ADDUSER_AUDIT_ANCHOR_INTERVAL: duration('ADDUSER_AUDIT_ANCHOR_INTERVAL', '1h'),
};

const providerShapesOf = (providers: readonly AnyProvider[]) => Object.assign({}, ...providers.map((provider) => provider.env)) as z.ZodRawShape;

type PolicyVariablesShape = z.output<z.ZodObject<ReturnType<typeof policyShapeFor>>>;

const policyOf = (providers: readonly AnyProvider[]) => (env: PolicyVariablesShape) => {
  const raw = env as Record<string, unknown>;
  return policyFromVariables({
    requestsChannel: env.ADDUSER_REQUESTS_CHANNEL,
    approvers: env.ADDUSER_APPROVERS,
    approversByProvider: Object.fromEntries(
      providers.map((provider) => [provider.id, raw[approversVariable(provider)] as Approvers | undefined]),
    ),
    requiredApprovals: env.ADDUSER_REQUIRED_APPROVALS,
    ttlMs: env.ADDUSER_REQUEST_TTL,
  });
};

/** The policy variables alone, for tools that need the policy without a bot token (`npm run policy`). */
export const policyVariablesSchema = (providers: readonly AnyProvider[]) => z.object(policyShapeFor(providers)).transform(policyOf(providers));

/** The variables a policy file replaces (SPEC §8). */
export const policyVariableNames = (providers: readonly AnyProvider[]): readonly string[] => Object.keys(policyShapeFor(providers));

/**
 * Every variable the bot reads with the built-in providers, for documentation checks (.env.example
 * must list them all); a SCIM instance's are named by their pattern (SCIM_VARIABLES).
 */
export const variableNames: readonly string[] = [...Object.keys(providerShapesOf(builtIn)), ...Object.keys(baseShape), ...policyVariableNames(builtIn)];

/** SPEC §2: every environment variable, the offered providers' own included, in one schema. */
export const envSchema = (providers: readonly AnyProvider[]) => z
  .object({ ...providerShapesOf(providers), ...baseShape, ...policyShapeFor(providers) })
  // One key for two jobs (encryption and the audit's MAC) would let a leak of one undo the other.
  .refine((env) => !env.ADDUSER_AUDIT_KEY || env.ADDUSER_AUDIT_KEY.reveal() !== env.ADDUSER_SECRET_KEY?.reveal(), {
    path: ['ADDUSER_AUDIT_KEY'],
    error: 'ADDUSER_AUDIT_KEY must be another key than ADDUSER_SECRET_KEY (make one with: openssl rand -base64 32)',
  })
  .transform((env) => {
    const raw = env as Record<string, unknown>;
    return {
      slack: {
        botToken: env.SLACK_BOT_TOKEN,
        signingSecret: env.SLACK_SIGNING_SECRET,
        appToken: env.SLACK_APP_TOKEN,
        apiUrl: env.SLACK_API_URL,
        mode: env.SLACK_APP_TOKEN ? ('socket' as const) : ('http' as const),
      },
      port: env.PORT,
      opsPort: env.ADDUSER_OPS_PORT,
      auditChannel: env.ADDUSER_AUDIT_CHANNEL,
      policyFile: env.ADDUSER_POLICY_FILE,
      policy: policyOf(providers)(env),
      maxPending: env.ADDUSER_MAX_PENDING,
      maxPendingAccounts: env.ADDUSER_MAX_PENDING_ACCOUNTS,
      dryRun: env.ADDUSER_DRY_RUN,
      slackPace: env.ADDUSER_SLACK_PACE,
      storeUrl: env.STORE_URL,
      logLevel: env.LOG_LEVEL,
      secretKey: env.ADDUSER_SECRET_KEY,
      /** Every provider this configuration has, in the modal's order: the built-ins, then the SCIM instances. */
      registry: providers,
      audit: { key: env.ADDUSER_AUDIT_KEY, anchorEveryMs: env.ADDUSER_AUDIT_ANCHOR_INTERVAL },
      providers: Object.fromEntries(
        providers.map((provider) => [provider.id, provider.settings(raw) as ReturnType<AnyProvider['settings']>]),
      ),
    };
  });

export type Config = z.infer<ReturnType<typeof envSchema>>;
