import type { Logger } from 'pino';
import type { HttpClient, WireResponse } from '../http/types.js';
import { reveal } from './render.js';
import type { AnyProvider } from './types.js';

export interface FormStatus {
  provider: string;
  /** `discovering` only until the first answer or time-out: readiness waits for nothing longer. */
  state: 'discovering' | 'discovered' | 'failed' | 'not configured';
  detail: string;
}

export interface Discovery {
  /** Asks every service that describes its form, all at once, each call bounded; `failedOnly` asks only those whose last attempt failed. */
  refresh(options?: { failedOnly?: boolean }): Promise<void>;
  status(): FormStatus[];
}

/** Why an answer describes no form, or undefined when every call answered 2xx. */
function problemOf(requests: readonly { url: string }[], results: readonly Awaited<ReturnType<HttpClient['send']>>[]): string | undefined {
  for (const [index, result] of results.entries()) {
    const path = new URL(requests[index]!.url).pathname;
    if (!result.ok) return `GET ${path}: ${result.failure.message}`;
    if (result.response.status < 200 || result.response.status >= 300) return `GET ${path} answered HTTP ${result.response.status}`;
  }
  return undefined;
}

/**
 * The forms services describe (SCIM discovery), asked off every person's path: at start-up in
 * the background, on SIGHUP and while they fail. A failure changes nothing: the form in force
 * (the fallback at first) stays, and the status and the log say why.
 */
export function createDiscovery(options: {
  http: HttpClient;
  log: Logger;
  providers: readonly AnyProvider[];
  settingsOf: (provider: AnyProvider) => ReturnType<AnyProvider['settings']>;
  timeoutMs?: number;
}): Discovery {
  const { http, log } = options;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const timeouts = { totalMs: timeoutMs, headersMs: timeoutMs, bodyMs: timeoutMs, connectMs: Math.min(timeoutMs, 2_000) };
  const described = options.providers.filter((provider) => provider.discovery);
  const statuses = new Map<string, FormStatus>();
  const running = new Map<string, Promise<void>>();
  const lastForm = new Map<string, string>();

  for (const provider of described) {
    const configured = options.settingsOf(provider).configured;
    const fallback = `asking ${provider.discovery!.fallback}`;
    statuses.set(provider.id, { provider: provider.id, state: configured ? 'discovering' : 'not configured', detail: configured ? `asking the service; meanwhile ${fallback}` : `no credentials, so not asked; ${fallback}` });
  }

  /** The calls and what their answers describe; never throws, so a refresh always ends. */
  async function ask(provider: AnyProvider): Promise<ReturnType<NonNullable<AnyProvider['discovery']>['apply']>> {
    try {
      const requests = provider.discovery!.requests(options.settingsOf(provider), reveal);
      const results = await Promise.all(requests.map((request) => http.send(request, timeouts)));
      const problem = problemOf(requests, results);
      return problem === undefined ? provider.discovery!.apply(results.map((result) => (result as { response: WireResponse }).response)) : { ok: false, problem };
    } catch (error) {
      return { ok: false, problem: `unexpected: ${(error as Error).message}` };
    }
  }

  async function discover(provider: AnyProvider): Promise<void> {
    const spec = provider.discovery!;
    const applied = await ask(provider);
    if (applied.ok) {
      lastForm.set(provider.id, applied.summary);
      statuses.set(provider.id, { provider: provider.id, state: 'discovered', detail: applied.summary });
      log.info({ provider: provider.id, form: applied.summary, fields: provider.fields.map((field) => field.id) }, 'provider form discovered');
      return;
    }
    const standing = lastForm.get(provider.id) ?? spec.fallback;
    statuses.set(provider.id, { provider: provider.id, state: 'failed', detail: `discovery failed (${applied.problem}); asking ${standing}` });
    log.warn({ provider: provider.id, problem: applied.problem, standing }, 'provider form discovery failed; the form in force stays (retried every few minutes and on SIGHUP)');
  }

  return {
    async refresh({ failedOnly = false } = {}) {
      const due = described.filter((provider) => {
        const state = statuses.get(provider.id)?.state;
        return state !== 'not configured' && (!failedOnly || state === 'failed');
      });
      await Promise.all(
        due.map((provider) => {
          // Two refreshes at once (a SIGHUP during the start-up one) share the calls under way.
          const pending = running.get(provider.id) ?? discover(provider).finally(() => running.delete(provider.id));
          running.set(provider.id, pending);
          return pending;
        }),
      );
    },
    status: () => [...statuses.values()],
  };
}
