import type { WireRequest, WireResponse } from '../../http/types.js';
import { budgetFromHeaders, describeUnexpectedBody, type Outcome, outcomeForStatus, parseJsonBody, parseRetryAfter } from '../outcome.js';
import { credential } from '../render.js';
import type { Choice, Reveal } from '../types.js';
import type { GitHubInput } from './schema.js';
import type { GitHubSettings } from './settings.js';

// GitHub refuses requests without a User-Agent, and pins the answer's shape to the version asked for.
const headers = (settings: GitHubSettings, reveal: Reveal) => ({
  authorization: `Bearer ${credential(settings.token, reveal)}`,
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
  'user-agent': 'adduser-bot',
});

const orgUrl = (settings: GitHubSettings) => `${settings.baseUrl}/orgs/${encodeURIComponent(settings.org ?? 'NOT_CONFIGURED')}`;

export function buildCreate(invite: GitHubInput, settings: GitHubSettings, reveal: Reveal): WireRequest {
  const body = {
    ...(invite.email !== undefined && { email: invite.email }),
    ...(invite.invitee_id !== undefined && { invitee_id: invite.invitee_id }),
    role: invite.role,
    ...(invite.team_ids.length > 0 && { team_ids: invite.team_ids }),
  };
  return {
    method: 'POST',
    url: `${orgUrl(settings)}/invitations`,
    headers: { ...headers(settings, reveal), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

interface GitHubError {
  message?: unknown;
  errors?: unknown;
}

/** `{message, errors:[{resource, field, code, message}]}`: the top line alone says only "Validation Failed". */
function messageOf(body: unknown): string | undefined {
  const { message, errors } = (body ?? {}) as GitHubError;
  if (typeof message !== 'string') return undefined;
  const details = (Array.isArray(errors) ? errors : []).map((error: { message?: unknown; field?: unknown; code?: unknown } | string) =>
    typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : `${String(error?.field ?? 'request')} ${String(error?.code ?? 'invalid')}`,
  );
  return details.length > 0 ? `${message}: ${details.join('; ')}` : message;
}

/**
 * GitHub's order (NOTES.md): retry-after when present; else, with x-ratelimit-remaining 0,
 * the epoch second in x-ratelimit-reset; else at least a minute.
 */
function rateLimitWait(responseHeaders: Record<string, string>, now: number): number {
  const retryAfter = parseRetryAfter(responseHeaders['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(responseHeaders['x-ratelimit-reset']);
  if (responseHeaders['x-ratelimit-remaining'] === '0' && Number.isInteger(reset)) return Math.max(0, reset - Math.floor(now / 1000));
  return 60;
}

const isRateLimit = (status: number, responseHeaders: Record<string, string>, message: string) =>
  status === 429 ||
  (status === 403 && (responseHeaders['retry-after'] !== undefined || responseHeaders['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message)));

/**
 * Every answer carries the token's primary budget (x-ratelimit-remaining, x-ratelimit-reset): at 0
 * the next creates wait for the reset instead of meeting a 403. Its window is an hour.
 */
export const budget = (response: WireResponse, now = Date.now()) =>
  budgetFromHeaders(response.headers, { remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' }, 3_600_000, now);

type CreateOutcome = Exclude<Outcome, { kind: 'dry_run' | 'unavailable' }>;

/** 201 with the invitation object on success; GitHub's error body otherwise (NOTES.md). */
export function parseCreate(response: WireResponse, now = Date.now()): CreateOutcome {
  const { status, body: text, headers: responseHeaders } = response;
  const body = parseJsonBody(text);
  if (status >= 200 && status < 300) {
    const id = (body as { id?: unknown } | undefined)?.id;
    if (typeof id === 'number' || (typeof id === 'string' && id !== '')) return { kind: 'created', providerUserId: String(id), invited: true };
    // The invitation may exist, but nothing proves it: an approver has to look.
    return { kind: 'unknown', message: describeUnexpectedBody(status, text), status };
  }
  const message = messageOf(body) ?? describeUnexpectedBody(status, text);
  if (isRateLimit(status, responseHeaders, message)) {
    return { kind: 'rate_limited', message, status, retryAfterSeconds: rateLimitWait(responseHeaders, now) };
  }
  if (status === 404) {
    return { kind: 'rejected', message: `${message}: no organisation named by GITHUB_ORG that this token can see (GitHub answers 404 for both)`, status };
  }
  // An existing member or a pending invitation; other 422s are the request's own fault.
  if (status === 422 && /\balready\b/i.test(message)) return { kind: 'already_exists', message, status };
  return outcomeForStatus(status, message);
}

export function teamsRequest(settings: GitHubSettings, reveal: Reveal): WireRequest {
  // One page of the largest size: a bigger organisation's other teams are typed by id.
  return { method: 'GET', url: `${orgUrl(settings)}/teams?per_page=100`, headers: headers(settings, reveal) };
}

export function parseTeams(response: WireResponse): Choice[] {
  const list = parseJsonBody(response.body);
  if (!Array.isArray(list)) throw new Error('GitHub sent no team list');
  return (list as { id?: unknown; name?: unknown; slug?: unknown }[])
    .filter((team) => team.id !== undefined)
    .map((team) => ({ value: String(team.id), label: String(team.name ?? team.slug ?? team.id) }));
}
