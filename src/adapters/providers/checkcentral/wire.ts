import type { WireRequest, WireResponse } from '../../http/types.js';
import { describeUnexpectedBody, type Outcome, outcomeForStatus, parseJsonBody } from '../outcome.js';
import { credential } from '../render.js';
import type { Choice, Reveal } from '../types.js';
import type { CheckCentralInput } from './schema.js';
import type { CheckCentralSettings } from './settings.js';

/** The token travels in the query string (the API's design), so only masked URLs are ever logged. */
const url = (settings: CheckCentralSettings, method: string, reveal: Reveal, query: Record<string, string> = {}) => {
  const params = new URLSearchParams({ apiToken: credential(settings.apiToken, reveal), ...query });
  return `${settings.baseUrl}/${method}/?${params.toString()}`;
};

export function buildCreate(input: CheckCentralInput, settings: CheckCentralSettings, reveal: Reveal): WireRequest {
  const body = {
    email: input.email,
    accessLevel: input.accessLevel,
    ...(input.name && { name: input.name }),
    sendWelcomeEmail: input.sendWelcomeEmail,
    userGroups: input.userGroups,
    notifications: input.notifications,
  };
  return {
    method: 'POST',
    url: url(settings, 'createUser', reveal),
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  };
}

/** A property by name in any casing: CheckCentral's response shapes are not documented. */
function pick(value: unknown, ...names: string[]): unknown {
  if (!value || typeof value !== 'object') return undefined;
  const wanted = names.map((name) => name.toLowerCase());
  for (const [key, found] of Object.entries(value)) if (wanted.includes(key.toLowerCase())) return found;
  return undefined;
}

function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  const message = pick(error, 'message', 'description', 'detail');
  const id = pick(error, 'id', 'code');
  const text = typeof message === 'string' ? message : JSON.stringify(error);
  return id === undefined ? text : `${text} (error ${String(id)})`;
}

type CreateOutcome = Exclude<Outcome, { kind: 'dry_run' | 'unavailable' }>;

/**
 * Public clients read an error object from the body even with HTTP 200 (NOTES.md), so a
 * body with an error key in any casing is a failure whatever the status.
 */
export function parseCreate(response: WireResponse): CreateOutcome {
  const { status, body: text } = response;
  const body = parseJsonBody(text);
  const error = pick(body, 'error', 'errors');
  if (error !== undefined && error !== null && error !== false && !(Array.isArray(error) && error.length === 0)) {
    const message = Array.isArray(error) ? error.map(errorMessage).join('; ') : errorMessage(error);
    if (/already exists|already a user|duplicate/i.test(message)) return { kind: 'already_exists', message, status };
    if (status === 401 || status === 403 || /api ?token|unauthori[sz]ed|permission|access denied/i.test(message)) {
      return { kind: 'auth', message, status };
    }
    return status >= 200 && status < 300 ? { kind: 'rejected', message, status } : outcomeForStatus(status, message, response.headers['retry-after']);
  }
  if (status < 200 || status >= 300) return outcomeForStatus(status, describeUnexpectedBody(status, text), response.headers['retry-after']);
  if (body === undefined) return { kind: 'unknown', message: describeUnexpectedBody(status, text), status };
  const user = pick(body, 'user') ?? body;
  const id = pick(user, 'userId', 'id', 'userID');
  if (typeof id === 'string' || typeof id === 'number') return { kind: 'created', providerUserId: String(id) };
  // A 2xx JSON answer without an error is CheckCentral's success; it names no id, and the email is the user's key there.
  const email = pick(user, 'email', 'userEmail');
  return { kind: 'created', providerUserId: typeof email === 'string' ? email : 'created (no id returned)' };
}

export function userGroupsRequest(settings: CheckCentralSettings, reveal: Reveal): WireRequest {
  return { method: 'GET', url: url(settings, 'getUserGroups', reveal), headers: { accept: 'application/json' } };
}

export function parseUserGroups(response: WireResponse): Choice[] {
  const body = parseJsonBody(response.body);
  const list = Array.isArray(body) ? body : pick(body, 'userGroups', 'groups', 'data');
  if (!Array.isArray(list)) throw new Error('CheckCentral sent no user group list');
  return list
    .map((group) => ({ id: pick(group, 'userGroupId', 'id'), name: pick(group, 'userGroupName', 'name') }))
    .filter((group) => group.id !== undefined)
    .map((group) => ({ value: String(group.id), label: String(group.name ?? group.id) }));
}
