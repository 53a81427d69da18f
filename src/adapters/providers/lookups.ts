import type { Logger } from 'pino';
import type { HttpClient } from '../http/types.js';
import { parseJsonBody } from './outcome.js';
import { reveal } from './render.js';
import type { AnyProvider, Choice } from './types.js';

export class LookupError extends Error {}

interface Entry {
  expires: number;
  choices: Promise<Choice[]>;
}

export interface LookupService {
  /** Choices for a field's lookup; throws LookupError when the provider cannot answer. */
  choices(provider: AnyProvider, name: string, param?: string): Promise<Choice[]>;
}

/**
 * Provider lookups cached per process for `ttlMs`: providers meter these calls (CheckCentral
 * per day, DigiCert per minute) and a modal asks for them on every keystroke of a search.
 * Concurrent askers share one in-flight call; failures are not cached.
 */
export function createLookupService(options: {
  http: HttpClient;
  log: Logger;
  settingsOf: (provider: AnyProvider) => ReturnType<AnyProvider['settings']>;
  ttlMs?: number;
  timeoutMs?: number;
  now?: () => number;
}): LookupService {
  const { http, log, settingsOf } = options;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();

  async function load(provider: AnyProvider, name: string, param?: string): Promise<Choice[]> {
    const spec = provider.lookups[name];
    if (!spec) throw new LookupError(`${provider.label} has no lookup ${name}`);
    const settings = settingsOf(provider);
    const listed = spec.fromSettings?.(settings);
    if (listed) return listed;
    if (!spec.request || !spec.parse) throw new LookupError(`${provider.label} cannot list ${name}`);
    if (!settings.configured) throw new LookupError(`${provider.label} credentials are not configured`);
    const timeoutMs = options.timeoutMs ?? 2_500;
    const result = await http.send(spec.request(settings, reveal, param), {
      totalMs: timeoutMs,
      headersMs: timeoutMs,
      bodyMs: timeoutMs,
      connectMs: Math.min(timeoutMs, 1_000),
    });
    if (!result.ok) throw new LookupError(`${provider.label} did not answer: ${result.failure.message}`);
    const { status, body } = result.response;
    if (status < 200 || status >= 300) {
      throw new LookupError(`${provider.label} answered HTTP ${status} to the ${name} lookup`);
    }
    if (parseJsonBody(body) === undefined) throw new LookupError(`${provider.label} sent an unreadable ${name} list`);
    return spec.parse(result.response);
  }

  return {
    choices(provider, name, param) {
      const key = `${provider.id}\u0000${name}\u0000${param ?? ''}`;
      const hit = cache.get(key);
      if (hit && hit.expires > now()) return hit.choices;
      const choices = load(provider, name, param);
      cache.set(key, { expires: now() + ttlMs, choices });
      choices.catch((error: unknown) => {
        cache.delete(key);
        log.warn({ provider: provider.id, lookup: name, err: error }, 'provider lookup failed');
      });
      return choices;
    },
  };
}
