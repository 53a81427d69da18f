import type { Logger } from 'pino';
import type { Secret } from '../../config/secret.js';
import type { HttpClient, HttpTimeouts, WireResponse } from '../http/types.js';
import { type Outcome, parseRetryAfter } from './outcome.js';
import { mask, renderRequest, reveal, scrub } from './render.js';
import { withHeaders } from './tokens.js';
import type { AnyProvider, FollowUp } from './types.js';

type Created = Extract<Outcome, { kind: 'created' }>;

/** Stands for the new account's id in a rendering made before there is one (a dry run). */
const NEW_ID = '{id of the new user}';

/** The follow-up calls as a dry run shows them, after the create. */
export function renderFollowUps(provider: AnyProvider, settings: ReturnType<AnyProvider['settings']>, input: unknown, headers?: Record<string, string>): string[] {
  return (provider.followUps?.build(input, NEW_ID, settings, mask) ?? []).map((step) => renderRequest(withHeaders(step.request, headers)));
}

export interface FollowUpOptions {
  http: HttpClient;
  log: Logger;
  timeouts?: Partial<HttpTimeouts>;
  /** The token headers the create carried, for providers that authorize first. */
  headers?: Record<string, string>;
  sleep: (ms: number) => Promise<void>;
  maxRetryWaitMs: number;
  /** Values no warning may carry (a provider's message might echo them). */
  secrets: readonly Secret[];
}

/** The wait a 429 or 503 names: such an answer says the call was not acted on. */
function waitAsked(response: WireResponse): number | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined;
  const seconds = parseRetryAfter(response.headers['retry-after']);
  return seconds === undefined ? undefined : seconds * 1000;
}

/** One step, sent once; sent again once only after a wait the provider asked for. Undefined when it was done. */
async function send(step: FollowUp, failure: (response: WireResponse) => string | undefined, options: FollowUpOptions): Promise<string | undefined> {
  const wire = withHeaders(step.request, options.headers);
  for (let attempt = 1; ; attempt++) {
    const result = await options.http.send(wire, options.timeouts);
    if (!result.ok) return result.failure.delivery === 'sent' ? `${result.failure.message}, so it may or may not have been done` : result.failure.message;
    const waitMs = waitAsked(result.response);
    if (waitMs !== undefined && waitMs <= options.maxRetryWaitMs && attempt < 2) {
      await options.sleep(waitMs);
      continue;
    }
    return failure(result.response);
  }
}

/**
 * Sends a created account's follow-up calls in order. The account exists whatever they answer,
 * so a step that fails becomes a warning on the created outcome, naming what it was for, and
 * the next step still goes.
 */
export async function followUp(provider: AnyProvider, settings: ReturnType<AnyProvider['settings']>, input: unknown, created: Created, options: FollowUpOptions): Promise<Created> {
  const spec = provider.followUps;
  if (!spec) return created;
  const warnings: string[] = [];
  for (const step of spec.build(input, created.providerUserId, settings, reveal)) {
    const why = await send(step, spec.failure, options);
    if (why) warnings.push(scrub(`Could not ${step.what}: ${why}`, options.secrets));
    options.log[why ? 'warn' : 'info']({ provider: provider.id, step: step.what, done: !why }, 'provider follow-up finished');
  }
  return warnings.length > 0 ? { ...created, warnings } : created;
}
