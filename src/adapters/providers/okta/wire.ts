import type { WireRequest, WireResponse } from '../../http/types.js';
import { budgetFromHeaders, describeUnexpectedBody, headerInteger, type Outcome, outcomeForStatus, parseJsonBody } from '../outcome.js';
import { credential } from '../render.js';
import type { Choice, Reveal } from '../types.js';
import type { OktaInput } from './schema.js';
import type { OktaSettings } from './settings.js';

const headers = (settings: OktaSettings, reveal: Reveal) => ({
  authorization: `SSWS ${credential(settings.apiToken, reveal)}`,
  'content-type': 'application/json',
  accept: 'application/json',
});

/** POST {org}/api/v1/users?activate=true: active at once with a password, else Okta emails an activation link. */
export function buildCreate(input: OktaInput, settings: OktaSettings, reveal: Reveal): WireRequest {
  const { firstName, lastName, email, login, mobilePhone } = input.profile;
  const body = {
    profile: { firstName, lastName, email, login, ...(mobilePhone && { mobilePhone }) },
    ...(input.credentials && { credentials: { password: { value: reveal(input.credentials.password.value) } } }),
    ...(input.groupIds.length > 0 && { groupIds: input.groupIds }),
  };
  return { method: 'POST', url: `${settings.baseUrl}/api/v1/users?activate=true`, headers: headers(settings, reveal), body: JSON.stringify(body) };
}

/** Okta reports its per-minute budget on every answer (X-Rate-Limit-Remaining, X-Rate-Limit-Reset). */
export const budget = (response: WireResponse, now = Date.now()) =>
  budgetFromHeaders(response.headers, { remaining: 'x-rate-limit-remaining', reset: 'x-rate-limit-reset' }, 60_000, now);

/** Seconds to wait: Retry-After if a proxy sent one, else Okta's reset time. */
function retryAfter(response: WireResponse, now = Date.now()): string | undefined {
  const reset = headerInteger(response.headers['x-rate-limit-reset']);
  return response.headers['retry-after'] ?? (reset === undefined ? undefined : String(Math.max(0, Math.ceil(reset - now / 1000))));
}

/** {errorCode, errorSummary, errorLink, errorId, errorCauses:[{errorSummary}]} (NOTES.md). */
function oktaError(body: unknown): { errorCode: string; errorSummary: string; causes: string[] } | undefined {
  const error = body as { errorCode?: unknown; errorSummary?: unknown; errorCauses?: unknown } | undefined;
  if (typeof error?.errorCode !== 'string') return undefined;
  const causes = Array.isArray(error.errorCauses) ? (error.errorCauses as { errorSummary?: unknown }[]) : [];
  return {
    errorCode: error.errorCode,
    errorSummary: typeof error.errorSummary === 'string' ? error.errorSummary : error.errorCode,
    causes: causes.map((cause) => cause?.errorSummary).filter((summary): summary is string => typeof summary === 'string'),
  };
}

/** Only a cause about the login that says it is taken: "email: … already exists" is another field's problem. */
const isTakenLogin = (cause: string) => /^\s*login\s*:/i.test(cause) && /already exists/i.test(cause);

type CreateOutcome = Exclude<Outcome, { kind: 'dry_run' | 'unavailable' }>;

/** 200 with the User object ({id, status, …}) on success; Okta's error object otherwise. */
export function parseCreate(response: WireResponse): CreateOutcome {
  const { status, body: text } = response;
  const body = parseJsonBody(text);
  if (status >= 200 && status < 300) {
    const id = (body as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string' && id !== '') return { kind: 'created', providerUserId: id };
    // The user may exist, but nothing proves it: an approver has to look.
    return { kind: 'unknown', message: describeUnexpectedBody(status, text), status };
  }
  const error = oktaError(body);
  if (!error) return outcomeForStatus(status, describeUnexpectedBody(status, text), retryAfter(response));
  const message = `${[error.errorSummary, ...error.causes].join(' — ')} (${error.errorCode})`;
  if (status === 400 && error.errorCode === 'E0000001' && error.causes.some(isTakenLogin)) return { kind: 'already_exists', message, status };
  return outcomeForStatus(status, message, retryAfter(response));
}

export function groupsRequest(settings: OktaSettings, reveal: Reveal): WireRequest {
  // One page: the modal filters what it got, and a group beyond it can be typed by id.
  return { method: 'GET', url: `${settings.baseUrl}/api/v1/groups?limit=200`, headers: headers(settings, reveal) };
}

/** Only Okta-mastered groups take members this way: Everyone (BUILT_IN) and app-imported groups would fail the create. */
export function parseGroups(response: WireResponse): Choice[] {
  const list = parseJsonBody(response.body);
  if (!Array.isArray(list)) throw new Error('Okta sent no group list');
  return (list as { id?: unknown; type?: unknown; profile?: { name?: unknown } }[])
    .filter((group) => typeof group.id === 'string' && group.type === 'OKTA_GROUP')
    .map((group) => ({ value: String(group.id), label: String(group.profile?.name ?? group.id) }));
}
