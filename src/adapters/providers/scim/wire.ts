import type { WireRequest, WireResponse } from '../../http/types.js';
import { describeUnexpectedBody, type Outcome, outcomeForStatus, parseJsonBody, parseRetryAfter } from '../outcome.js';
import { credential } from '../render.js';
import type { Choice, FollowUp, Reveal } from '../types.js';
import { ENTERPRISE_USER, type Offer, PATCH_OP } from './attributes.js';
import type { ScimInput } from './form.js';
import type { ScimSettings } from './settings.js';

/** RFC 7644 §3.1, §8.1: SCIM's media type; servers must take plain JSON too, which is what some answer with. */
const SCIM_JSON = 'application/scim+json';

/** RFC 7644 §2: an OAuth bearer token (RFC 6750). */
const headers = (settings: ScimSettings, reveal: Reveal) => ({
  authorization: `Bearer ${credential(settings.token, reveal)}`,
  accept: `${SCIM_JSON}, application/json`,
});

/** RFC 7644 §4: the three discovery endpoints, in the order `offerFrom` reads their answers. */
export const discoveryRequests = (settings: ScimSettings, reveal: Reveal): WireRequest[] =>
  ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'].map((path) => ({ method: 'GET', url: `${settings.baseUrl}${path}`, headers: headers(settings, reveal) }));

const sending = (settings: ScimSettings, reveal: Reveal) => ({ ...headers(settings, reveal), 'content-type': SCIM_JSON });

/** The User resource (RFC 7643 §4.1; the enterprise extension keyed by its URN, §3.3), from the values given. */
export function userResource(input: ScimInput): Record<string, unknown> {
  const resource: Record<string, unknown> = { schemas: [input.offer.userSchema] };
  for (const attribute of input.offer.attributes) {
    const value = input.values[attribute.id];
    if (value === undefined) continue;
    const holder = (attribute.schema === ENTERPRISE_USER ? (resource[ENTERPRISE_USER] ??= {}) : resource) as Record<string, unknown>;
    if (attribute.multi) holder[attribute.name] = [{ value, type: attribute.valueType, primary: true }];
    else if (attribute.sub) holder[attribute.name] = { ...(holder[attribute.name] as object | undefined), [attribute.sub]: value };
    else holder[attribute.name] = value;
  }
  if (resource[ENTERPRISE_USER]) (resource.schemas as string[]).push(ENTERPRISE_USER);
  return resource;
}

/** RFC 7644 §3.3: POST to the User endpoint. */
export function buildCreate(input: ScimInput, settings: ScimSettings, reveal: Reveal): WireRequest {
  return { method: 'POST', url: `${settings.baseUrl}${input.offer.usersPath}`, headers: sending(settings, reveal), body: JSON.stringify(userResource(input)) };
}

/** RFC 7644 §3.12: `{schemas:[…Error], status (a string), scimType?, detail?}`; services that answer otherwise get their body quoted. */
function scimError(body: unknown): { scimType?: string; message: string } | undefined {
  const { detail, scimType, status } = (body ?? {}) as { detail?: unknown; scimType?: unknown; status?: unknown };
  if (typeof detail !== 'string' && typeof scimType !== 'string') return undefined;
  const words = typeof detail === 'string' && detail.trim() ? detail.trim() : `HTTP ${String(status)}`;
  return typeof scimType === 'string' ? { scimType, message: `${words} (scimType ${scimType})` } : { message: words };
}

const messageOf = (response: WireResponse) => scimError(parseJsonBody(response.body))?.message ?? describeUnexpectedBody(response.status, response.body);

type CreateOutcome = Exclude<Outcome, { kind: 'dry_run' | 'unavailable' }>;

/**
 * RFC 7644 §3.3 and §3.12: 201 with the resource and its `id`; 409 (or any status) with scimType
 * `uniqueness` = the user exists; other 4xx = refused, with the service's `detail`; 429 and a
 * 503 that names a Retry-After = not acted on, wait (RFC 6585 §4, RFC 9110 §15.6.4); a 501 did
 * nothing; other 5xx may have created the user.
 */
export function parseCreate(response: WireResponse): CreateOutcome {
  const { status, body } = response;
  if (status >= 200 && status < 300) {
    const id = (parseJsonBody(body) as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string' && id !== '') return { kind: 'created', providerUserId: id };
    return { kind: 'unknown', message: describeUnexpectedBody(status, body), status };
  }
  const error = scimError(parseJsonBody(body));
  const message = error?.message ?? describeUnexpectedBody(status, body);
  const retryAfter = response.headers['retry-after'];
  if (error?.scimType === 'uniqueness' || status === 409) return { kind: 'already_exists', message, status };
  if (status === 503 && parseRetryAfter(retryAfter) !== undefined) return { kind: 'rate_limited', message, status, retryAfterSeconds: parseRetryAfter(retryAfter)! };
  if (status === 501) return { kind: 'rejected', message: `${message}: the service does not create users over SCIM`, status };
  if (status === 404) return { kind: 'rejected', message: `${message}: no User endpoint at this URL (check the instance's SCIM_<NAME>_URL)`, status };
  return outcomeForStatus(status, message, retryAfter);
}

/** A 429 or 503 with Retry-After holds later calls, unsent, until then, and creates and lookups alike. */
export function budget(response: WireResponse, now = Date.now()) {
  const seconds = response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers['retry-after'], now) : undefined;
  return seconds === undefined ? undefined : { remaining: 0, resetAt: now + seconds * 1000 };
}

/** RFC 7644 §3.5.2.1: add the new user to a group's members. */
export function joinGroups(input: ScimInput, userId: string, settings: ScimSettings, reveal: Reveal): FollowUp[] {
  const body = JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] });
  return input.groups.map((group) => ({
    what: `join group ${group}`,
    request: { method: 'PATCH', url: `${settings.baseUrl}${input.offer.groupsPath ?? '/Groups'}/${encodeURIComponent(group)}`, headers: sending(settings, reveal), body },
  }));
}

/** 200 with the group, or 204 (RFC 7644 §3.5.2): done; anything else, the service's words. */
export const joinFailure = (response: WireResponse) => (response.status >= 200 && response.status < 300 ? undefined : messageOf(response));

/** What a list lookup searches: the attribute its filter reads, and what its page asks for. */
export interface ListSpec {
  path: (offer: Offer) => string;
  /** RFC 7644 §3.4.2.2's `sw` on this attribute. */
  searchBy: string;
  /** RFC 7644 §3.4.2.5: the attributes to return (a group's members can be thousands). */
  attributes: string;
  label: (resource: Record<string, unknown>) => string;
}

/**
 * RFC 7644 §3.4.2: a page of the list, from `startIndex` (1-based), filtered by what was typed
 * when the service filters; the options listener narrows lists the service would not filter.
 */
export function listRequest(list: ListSpec, offer: Offer, settings: ScimSettings, reveal: Reveal, typed: string | undefined, startIndex = 1): WireRequest {
  const query: [string, string][] = [
    ...(offer.filter && typed ? [['filter', `${list.searchBy} sw ${JSON.stringify(typed)}`] as [string, string]] : []),
    ['attributes', list.attributes],
    ['startIndex', String(startIndex)],
    ['count', String(offer.pageSize)],
  ];
  // %20, not +: a filter's spaces are read as spaces by every service.
  const search = query.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return { method: 'GET', url: `${settings.baseUrl}${list.path(offer)}?${search}`, headers: headers(settings, reveal) };
}

interface Page {
  Resources?: unknown;
  startIndex?: unknown;
  totalResults?: unknown;
}

const resourcesOf = (page: Page | undefined) => (Array.isArray(page?.Resources) ? (page.Resources as Record<string, unknown>[]) : []);

/** A ListResponse's resources (RFC 7644 §3.4.2) as choices: the id, and what people call it. */
export function parseList(list: ListSpec, response: WireResponse): Choice[] {
  const page = parseJsonBody(response.body) as Page | undefined;
  if (!Array.isArray(page?.Resources) && page?.totalResults !== 0) throw new Error('the service sent no ListResponse');
  return resourcesOf(page)
    .filter((resource) => typeof resource.id === 'string' && resource.id !== '')
    .map((resource) => ({ value: resource.id as string, label: list.label(resource) }));
}

/** The page after this one, while `totalResults` says there is one (RFC 7644 §3.4.2.4). */
export function nextStart(response: WireResponse): number | undefined {
  const page = parseJsonBody(response.body) as Page | undefined;
  const count = resourcesOf(page).length;
  const start = typeof page?.startIndex === 'number' ? page.startIndex : 1;
  const total = typeof page?.totalResults === 'number' ? page.totalResults : 0;
  return count > 0 && start + count - 1 < total ? start + count : undefined;
}

const named = (resource: Record<string, unknown>, key: string) => (typeof resource[key] === 'string' && resource[key] ? (resource[key] as string) : undefined);

export const GROUPS: ListSpec = {
  path: (offer) => offer.groupsPath ?? '/Groups',
  searchBy: 'displayName',
  attributes: 'displayName',
  label: (group) => named(group, 'displayName') ?? String(group.id),
};

export const USERS: ListSpec = {
  path: (offer) => offer.usersPath,
  searchBy: 'userName',
  attributes: 'userName,displayName',
  label: (user) => [named(user, 'displayName'), named(user, 'userName')].filter(Boolean).join(' · ') || String(user.id),
};
