import type { WireRequest, WireResponse } from '../../http/types.js';
import { describeUnexpectedBody, type Outcome, outcomeForStatus, parseJsonBody } from '../outcome.js';
import type { Choice, Reveal } from '../types.js';
import type { GoogleInput } from './schema.js';
import type { GoogleSettings } from './settings.js';

/** Google refuses over quota with 403 as often as with 429 (NOTES.md). */
const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

/** users.insert; the bearer token is added by the shared token cache. */
export function buildCreate(input: GoogleInput, settings: GoogleSettings, reveal: Reveal): WireRequest {
  const { primaryEmail, name, password, orgUnitPath, changePasswordAtNextLogin } = input;
  const body = { primaryEmail, name: { givenName: name.givenName, familyName: name.familyName }, password: reveal(password), ...(orgUnitPath && { orgUnitPath }), changePasswordAtNextLogin };
  return { method: 'POST', url: `${settings.baseUrl}/admin/directory/v1/users`, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) };
}

/** Google's error shape, {"error":{"code","message","errors":[{"reason","message"}]}}, as its message and reasons. */
function googleError(body: unknown): { message: string; reasons: string[] } | undefined {
  const error = (body as { error?: { message?: unknown; errors?: unknown } } | undefined)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const reasons = (Array.isArray(error.errors) ? (error.errors as { reason?: unknown }[]) : []).flatMap((entry) => (typeof entry?.reason === 'string' ? [entry.reason] : []));
  return { message: `${typeof error.message === 'string' ? error.message : 'error'}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`, reasons };
}

/** 200 with the new User resource (its `id`) on success; Google's error shape otherwise. */
export function parseCreate(response: WireResponse): Exclude<Outcome, { kind: 'dry_run' | 'unavailable' }> {
  const { status, body: text } = response;
  const retryAfter = response.headers['retry-after'];
  const body = parseJsonBody(text);
  if (status >= 200 && status < 300) {
    const id = (body as { id?: unknown } | undefined)?.id;
    // Without the id nothing proves the user exists: an approver has to look.
    return typeof id === 'string' && id !== '' ? { kind: 'created', providerUserId: id } : { kind: 'unknown', message: describeUnexpectedBody(status, text), status };
  }
  const error = googleError(body);
  const message = error?.message ?? describeUnexpectedBody(status, text);
  if (status === 429 || (status === 403 && error?.reasons.some((reason) => RATE_LIMIT_REASONS.has(reason)))) return { ...outcomeForStatus(429, message, retryAfter), status };
  if (error?.reasons.includes('duplicate')) return { kind: 'already_exists', message, status };
  return outcomeForStatus(status, message, retryAfter);
}

/** orgunits.list for the form: every unit below the top level. */
export function orgUnitsRequest(settings: GoogleSettings): WireRequest {
  return { method: 'GET', url: `${settings.baseUrl}/admin/directory/v1/customer/my_customer/orgunits?type=all`, headers: { accept: 'application/json' } };
}

export function parseOrgUnits(response: WireResponse): Choice[] {
  // Google leaves an empty list out: an account with no units below the top has none to offer.
  const units = (parseJsonBody(response.body) as { organizationUnits?: unknown } | undefined)?.organizationUnits ?? [];
  if (!Array.isArray(units)) throw new Error('Google sent no org unit list');
  return (units as { name?: unknown; orgUnitPath?: unknown }[])
    .flatMap((unit) => (typeof unit.orgUnitPath === 'string' ? [{ value: unit.orgUnitPath, label: `${String(unit.name ?? unit.orgUnitPath)} (${unit.orgUnitPath})` }] : []))
    .sort((a, b) => a.value.localeCompare(b.value));
}
