import type { Logger } from 'pino';
import type { HttpClient, WireRequest, WireResponse } from '../http/types.js';
import { type Limiter, LimiterBusy } from './limiter.js';
import { parseJsonBody } from './outcome.js';
import { reveal } from './render.js';
import { createTokenCache, type TokenCache, withHeaders } from './tokens.js';
import type { AnyProvider, Choice } from './types.js';

export class LookupError extends Error {}

/** A select shows at most 100 options: no further page is asked for once a list has them. */
const MAX_CHOICES = 100;

/** Less time left than this, and the list stops at the pages it has. */
const MIN_PAGE_MS = 300;

interface Entry {
  expires: number;
  choices: Promise<Choice[]>;
}

export interface LookupService {
  /** Choices for a field's lookup; throws LookupError when the provider cannot answer. */
  choices(provider: AnyProvider, name: string, param?: string): Promise<Choice[]>;
}

/** One page of a list, through the provider's limiter: an answer, or a LookupError that says why there is none. */
async function fetchPage(
  options: { http: HttpClient; limiter?: Limiter; timeoutMs: number },
  provider: AnyProvider,
  name: string,
  wire: WireRequest,
  budgetMs: number,
): Promise<WireResponse> {
  const timeouts = { totalMs: budgetMs, headersMs: budgetMs, bodyMs: budgetMs, connectMs: Math.min(budgetMs, 1_000) };
  const send = () => options.http.send(wire, timeouts);
  let result: Awaited<ReturnType<typeof send>>;
  try {
    // A person is waiting on the list: queue only briefly behind creates, then offer typed ids.
    result = options.limiter ? await options.limiter.run(send, Math.min(500, options.timeoutMs / 2)) : await send();
  } catch (error) {
    if (error instanceof LimiterBusy) throw new LookupError(`${provider.label} is busy at its rate limit; type the id`);
    throw error;
  }
  if (!result.ok) throw new LookupError(`${provider.label} did not answer: ${result.failure.message}`);
  const { status, body } = result.response;
  if (status < 200 || status >= 300) {
    throw new LookupError(`${provider.label} answered HTTP ${status} to the ${name} lookup`);
  }
  if (parseJsonBody(body) === undefined) throw new LookupError(`${provider.label} sent an unreadable ${name} list`);
  return result.response;
}

/**
 * Provider lookups cached per process: providers meter these calls (CheckCentral per day,
 * DigiCert per 5 s and per 3 min, creates included) and a modal asks on every keystroke of a
 * search. Concurrent askers share one in-flight call; a failure is remembered briefly, so a
 * provider that is down is not asked again by every keystroke. Calls go through the provider's
 * limiter, so lookups never spend the budget that approved creates are queued for.
 */
export function createLookupService(options: {
  http: HttpClient;
  log: Logger;
  settingsOf: (provider: AnyProvider) => ReturnType<AnyProvider['settings']>;
  limiterOf?: (provider: AnyProvider) => Limiter | undefined;
  /** The same tokens the create calls use, so a lookup does not ask for a grant of its own. */
  tokens?: TokenCache;
  ttlMs?: number;
  failureTtlMs?: number;
  timeoutMs?: number;
  now?: () => number;
}): LookupService {
  const { http, log, settingsOf } = options;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const failureTtlMs = options.failureTtlMs ?? 15_000;
  const timeoutMs = options.timeoutMs ?? 2_500;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const tokens = options.tokens ?? createTokenCache({ http, log });

  async function load(provider: AnyProvider, name: string, param?: string): Promise<Choice[]> {
    const spec = provider.lookups[name];
    if (!spec) throw new LookupError(`${provider.label} has no lookup ${name}`);
    const settings = settingsOf(provider);
    const listed = spec.fromSettings?.(settings);
    if (listed) return listed;
    if (!spec.request || !spec.parse) throw new LookupError(`${provider.label} cannot list ${name}`);
    if (spec.param) {
      // The parameter becomes part of the provider's URL: only a well-formed one may leave.
      const checked = spec.param.safeParse(param);
      if (!checked.success) throw new LookupError(checked.error.issues[0]?.message ?? `${name}: invalid parameter`);
    }
    if (!settings.configured) throw new LookupError(`${provider.label} credentials are not configured`);
    const timeouts = { totalMs: timeoutMs, headersMs: timeoutMs, bodyMs: timeoutMs, connectMs: Math.min(timeoutMs, 1_000) };
    const authorized = await tokens.authorize(provider, settings, timeouts);
    if (authorized?.ok === false) throw new LookupError(authorized.outcome.message);
    // Pages follow one another within the one time limit: a person is waiting on the list.
    const deadline = now() + timeoutMs;
    const page = { http, limiter: options.limiterOf?.(provider), timeoutMs };
    const choices = new Map<string, Choice>();
    for (let wire: WireRequest | undefined = spec.request(settings, reveal, param); wire; ) {
      const response = await fetchPage(page, provider, name, withHeaders(wire, authorized?.headers), deadline - now());
      const before = choices.size;
      for (const choice of spec.parse(response)) if (!choices.has(choice.value)) choices.set(choice.value, choice);
      // A page with nothing new ends the list: a service that ignores the page asked for sends the first one again.
      const more = choices.size > before && choices.size < MAX_CHOICES && deadline - now() > MIN_PAGE_MS;
      wire = more ? spec.more?.(response, settings, reveal, param) : undefined;
    }
    return [...choices.values()];
  }

  return {
    choices(provider, name, param) {
      const key = `${provider.id}\u0000${name}\u0000${param ?? ''}`;
      const hit = cache.get(key);
      if (hit && hit.expires > now()) return hit.choices;
      const choices = load(provider, name, param);
      const entry = { expires: now() + ttlMs, choices };
      cache.set(key, entry);
      choices.catch((error: unknown) => {
        entry.expires = now() + failureTtlMs;
        log.warn({ provider: provider.id, lookup: name, err: error }, 'provider lookup failed');
      });
      return choices;
    },
  };
}
