import type { Logger } from 'pino';
import { SECRET_MASK } from '../../config/secret.js';
import type { HttpClient, HttpTimeouts } from '../http/types.js';
import { followUp, renderFollowUps } from './follow-ups.js';
import type { Outcome } from './outcome.js';
import { mask, renderRequest, reveal, scrub } from './render.js';
import { createTokenCache, type TokenCache, withHeaders } from './tokens.js';
import type { AnyProvider } from './types.js';

export interface CreateOptions {
  http: HttpClient;
  log: Logger;
  /** The request's own dry-run flag, fixed at submission: configuration cannot turn it real. */
  dryRun: boolean;
  /** ADDUSER_DRY_RUN as it is now: a request submitted for real is then not sent at all. */
  sendingOff?: boolean;
  timeouts?: Partial<HttpTimeouts>;
  /** Longest Retry-After honoured by waiting; a longer one is reported as rate_limited. */
  maxRetryWaitMs?: number;
  /** Attempts in all, for answers that prove the provider did not act (refused, 429 with a wait). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when the provider says its budget is spent until then (epoch ms), so later calls wait instead of meeting a 429. */
  holdUntil?: (epochMs: number) => void;
  /** Where a provider's access tokens are kept between calls; without it each call asks for its own. */
  tokens?: TokenCache;
}

export interface CreateResult {
  outcome: Outcome;
  /** The exact request, secrets masked: shown for dry runs and kept for diagnosis. */
  request: string;
  /** Create requests actually sent over the wire. */
  attempts: number;
  durationMs: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls a provider's create-user API once, repeating only when the provider certainly did
 * not receive or act on the request: a refused connection, or a 429 that names a short wait.
 * A timeout or reset after sending is `unknown` and is never repeated here.
 */
export async function createUser(
  provider: AnyProvider,
  settings: ReturnType<AnyProvider['settings']>,
  input: unknown,
  options: CreateOptions,
): Promise<CreateResult> {
  const { http, log, timeouts } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 10_000;
  const sleep = options.sleep ?? defaultSleep;
  const started = performance.now();
  const maskedHeaders = provider.authorize?.headers(SECRET_MASK);
  const request = [renderRequest(withHeaders(provider.buildCreate(input, settings, mask), maskedHeaders)), ...renderFollowUps(provider, settings, input, maskedHeaders)].join('\n\n');
  const secrets = [...provider.secretsOf(input), ...provider.credentialsOf(settings)];
  const finish = (outcome: Outcome, attempts: number): CreateResult => {
    const cleaned = 'message' in outcome ? { ...outcome, message: scrub(outcome.message, secrets) } : outcome;
    const result = { outcome: cleaned, request, attempts, durationMs: Math.round(performance.now() - started) };
    log.info(
      { provider: provider.id, outcome: cleaned.kind, attempts, durationMs: result.durationMs },
      'provider create finished',
    );
    return result;
  };

  if (options.dryRun) return finish({ kind: 'dry_run', message: 'Dry run (the request was submitted as one): nothing was sent.' }, 0);
  // Submitted for real but no longer sendable: failing says so, where a dry run would claim a success the audit denies.
  const off = options.sendingOff ? 'ADDUSER_DRY_RUN is on now' : settings.configured ? undefined : `${provider.label} credentials are not configured now`;
  if (off) return finish({ kind: 'unavailable', message: `${provider.label}: nothing was sent, because ${off}. Ask again once it is configured.` }, 0);

  const tokens = options.tokens ?? createTokenCache({ http, log });
  const wire = provider.buildCreate(input, settings, reveal);
  for (let attempt = 1; ; attempt++) {
    const authorized = await tokens.authorize(provider, settings, timeouts);
    // No token, no create: the provider certainly did not act.
    if (authorized?.ok === false) return finish(authorized.outcome, attempt - 1);
    if (authorized) secrets.push(authorized.token);
    const result = await http.send(withHeaders(wire, authorized?.headers), timeouts);
    if (!result.ok) {
      const { failure } = result;
      log.warn({ provider: provider.id, attempt, code: failure.code, delivery: failure.delivery }, 'provider create failed in transport');
      if (failure.delivery === 'sent') {
        return finish({ kind: 'unknown', message: `${provider.label}: ${failure.message}` }, attempt);
      }
      if (attempt >= maxAttempts) {
        return finish({ kind: 'unavailable', message: `${provider.label}: ${failure.message}` }, attempt);
      }
      await sleep(250 * 2 ** (attempt - 1));
      continue;
    }
    const outcome = provider.parseCreate(result.response);
    const budget = provider.budget?.(result.response);
    if (budget && budget.remaining <= 0 && options.holdUntil) {
      log.info({ provider: provider.id, until: new Date(budget.resetAt).toISOString() }, 'provider says its rate limit is spent; later calls wait for its reset');
      options.holdUntil(budget.resetAt);
    }
    if (outcome.kind === 'auth') tokens.forget(provider);
    const waitMs = outcome.kind === 'rate_limited' ? (outcome.retryAfterSeconds ?? Infinity) * 1000 : Infinity;
    if (outcome.kind === 'rate_limited' && waitMs <= maxRetryWaitMs && attempt < maxAttempts) {
      log.warn({ provider: provider.id, attempt, waitMs }, 'provider rate-limited the create; waiting as told');
      await sleep(waitMs);
      continue;
    }
    if (outcome.kind === 'created') {
      return finish(await followUp(provider, settings, input, outcome, { http, log, timeouts, headers: authorized?.headers, sleep, maxRetryWaitMs, secrets }), attempt);
    }
    return finish(outcome, attempt);
  }
}
