import { randomUUID } from 'node:crypto';
import { type Recorded, type Reply, type Simulator, startSimulator } from './harness.js';
import { type Definition, ENTERPRISE, enterpriseAttributes, ERROR, GROUP, groupAttributes, LIST, PATCH, USER, userAttributes } from './scim-schemas.js';

type Resource = Record<string, unknown> & { id: string };

export interface ScimSimulator extends Simulator {
  users: Resource[];
  groups: (Resource & { displayName: string; members: { value: string }[] })[];
}

export interface ScimOptions {
  token: string;
  /** A valid token that may not create users. */
  forbiddenToken?: string;
  /** Changes to the User schema: `required` marks attributes required, `readOnly` makes them read-only, `omit` leaves them out, `canonical` gives canonicalValues, `extra` adds attributes. */
  schema?: { required?: string[]; readOnly?: string[]; omit?: string[]; canonical?: Record<string, string[]>; extra?: Definition[] };
  /** The enterprise extension (RFC 7643 §4.3) on the User resource type; default true. */
  enterprise?: boolean;
  patch?: boolean;
  filter?: boolean;
  /** filter.maxResults: pages hold at most this many; default 50. */
  maxResults?: number;
  groups?: string[];
  /** Requests per window over every endpoint; beyond it 429 with Retry-After. */
  rateLimit?: { limit: number; windowSeconds: number };
}

const SCIM_JSON = { 'content-type': 'application/scim+json' };
const reply = (status: number, value?: unknown, headers: Record<string, string> = {}): Reply => ({ status, headers: { ...SCIM_JSON, ...headers }, body: value === undefined ? '' : JSON.stringify(value) });
/** RFC 7644 §3.12: status is a JSON string. */
const error = (status: number, detail: string, scimType?: string, headers: Record<string, string> = {}) => reply(status, { schemas: [ERROR], status: String(status), ...(scimType && { scimType }), detail }, headers);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const find = (definitions: readonly Definition[] | undefined, name: string) => definitions?.find((definition) => definition.name.toLowerCase() === name.toLowerCase());

/** Why a value does not fit its definition (RFC 7643 §2.3, §2.4), as [scimType, detail]. */
function misfit(value: unknown, definition: Definition, path: string): [string, string] | undefined {
  if (definition.multiValued) {
    if (!Array.isArray(value)) return ['invalidSyntax', `${path} is multi-valued: send a list`];
    if (value.filter((item) => isObject(item) && item.primary === true).length > 1) return ['invalidValue', `${path}: at most one value may be primary`];
    for (const item of value) {
      const wrong = misfit(item, { ...definition, multiValued: false }, path);
      if (wrong) return wrong;
    }
    return undefined;
  }
  if (definition.type === 'complex') {
    if (!isObject(value)) return ['invalidSyntax', `${path} is complex: send an object`];
    for (const [key, sub] of Object.entries(value)) {
      const subDefinition = find(definition.subAttributes, key);
      if (!subDefinition) return ['invalidSyntax', `${path}.${key} is not an attribute`];
      const wrong = misfit(sub, subDefinition, `${path}.${key}`);
      if (wrong) return wrong;
    }
    return undefined;
  }
  if (definition.type === 'boolean') return typeof value === 'boolean' ? undefined : ['invalidValue', `${path} must be a boolean`];
  if (typeof value !== 'string') return ['invalidValue', `${path} must be a string`];
  if (definition.canonicalValues?.length && !definition.canonicalValues.includes(value)) return ['invalidValue', `${path} must be one of ${definition.canonicalValues.join(', ')}`];
  return undefined;
}

/** A body's attributes against a schema's; read-only ones are ignored, as RFC 7644 §3.3 has a service do. */
function checkAttributes(body: Record<string, unknown>, definitions: readonly Definition[], where: string): [string, string] | undefined {
  for (const [key, value] of Object.entries(body)) {
    const definition = find(definitions, key);
    if (!definition) return ['invalidSyntax', `${where}${key} is not an attribute of the User schema`];
    if (definition.mutability === 'readOnly') continue;
    const wrong = misfit(value, definition, `${where}${key}`);
    if (wrong) return wrong;
  }
  const missing = definitions.find((definition) => definition.required && definition.mutability !== 'readOnly' && !Object.keys(body).some((key) => key.toLowerCase() === definition.name.toLowerCase()));
  return missing ? ['invalidValue', `Attribute '${where}${missing.name}' is required`] : undefined;
}

/** RFC 7644 §3.4.2.2, the part a client of this bot needs: `attr sw|eq|co "string"`, case-insensitive (caseExact false). */
function filterOf(text: string, attributes: readonly string[]): ((resource: Resource) => boolean) | string {
  const match = /^\s*([A-Za-z][\w.]*)\s+(eq|sw|co)\s+("(?:[^"\\]|\\.)*")\s*$/i.exec(text);
  if (!match || !attributes.includes(match[1]!)) return `Unsupported filter ${text}`;
  const wanted = (JSON.parse(match[3]!) as string).toLowerCase();
  const op = match[2]!.toLowerCase();
  return (resource) => {
    const value = String(resource[match[1]!] ?? '').toLowerCase();
    return op === 'eq' ? value === wanted : op === 'sw' ? value.startsWith(wanted) : value.includes(wanted);
  };
}

interface State {
  options: ScimOptions;
  user: Definition[];
  enterprise: boolean;
  maxResults: number;
  users: ScimSimulator['users'];
  groups: ScimSimulator['groups'];
  window: { start: number; used: number };
}

const listOf = (resources: unknown[], startIndex = 1, total = resources.length) => ({ schemas: [LIST], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources });

/** RFC 7644 §4. */
function discoveryOf(state: State): Record<string, () => unknown> {
  const { options, enterprise } = state;
  return {
    '/ServiceProviderConfig': () => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: options.patch ?? true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: options.filter ?? true, maxResults: state.maxResults },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'RFC 6750' }],
    }),
    '/ResourceTypes': () => listOf([
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: USER, ...(enterprise && { schemaExtensions: [{ schema: ENTERPRISE, required: false }] }) },
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', schema: GROUP },
    ]),
    '/Schemas': () => listOf([
      { id: USER, name: 'User', attributes: state.user },
      ...(enterprise ? [{ id: ENTERPRISE, name: 'EnterpriseUser', attributes: enterpriseAttributes() }] : []),
      { id: GROUP, name: 'Group', attributes: groupAttributes() },
    ]),
  };
}

/** RFC 7644 §3.4.2: filtered, paged (startIndex from 1, at most maxResults), `attributes` keeping only those and the id. */
function page(state: State, request: Recorded, resources: Resource[], searchable: string[]): Reply {
  const filterText = request.query.get('filter');
  if (filterText !== null && !(state.options.filter ?? true)) return error(400, 'Filtering is not supported', 'invalidFilter');
  const filter = filterText === null ? () => true : filterOf(filterText, searchable);
  if (typeof filter === 'string') return error(400, filter, 'invalidFilter');
  const matched = resources.filter(filter);
  const startIndex = Math.max(1, Number(request.query.get('startIndex') ?? 1) || 1);
  const count = Math.min(state.maxResults, Math.max(0, Number(request.query.get('count') ?? state.maxResults)));
  const wanted = request.query.get('attributes')?.split(',').map((name) => name.trim());
  const shown = matched
    .slice(startIndex - 1, startIndex - 1 + count)
    .map((resource) => (wanted ? Object.fromEntries(Object.entries(resource).filter(([key]) => key === 'id' || wanted.includes(key))) : resource));
  return reply(200, listOf(shown, startIndex, matched.length));
}

const parsed = (request: Recorded): unknown => {
  try {
    return JSON.parse(request.body) as unknown;
  } catch {
    return undefined;
  }
};

/** RFC 7644 §3.3, the body checked against the service's own /Schemas. */
function create(state: State, request: Recorded): Reply {
  const body = parsed(request);
  if (!isObject(body)) return error(400, 'The body must be a User resource in JSON', 'invalidSyntax');
  const { schemas, [ENTERPRISE]: extension, ...core } = body;
  if (!Array.isArray(schemas) || !schemas.includes(USER)) return error(400, `schemas must list ${USER}`, 'invalidSyntax');
  const extensionKeys = Object.keys(core).filter((key) => key.startsWith('urn:'));
  if (extensionKeys.length > 0) return error(400, `Unknown schema extension ${extensionKeys[0]}`, 'invalidSyntax');
  if (extension !== undefined && (!state.enterprise || !schemas.includes(ENTERPRISE))) return error(400, `schemas must list ${ENTERPRISE} when its attributes are sent`, 'invalidSyntax');
  const wrong = checkAttributes(core, state.user, '') ?? (isObject(extension) ? checkAttributes(extension, enterpriseAttributes(), `${ENTERPRISE}:`) : undefined);
  if (wrong) return error(400, wrong[1], wrong[0]);
  const userName = String(core.userName);
  if (state.users.some((existing) => String(existing.userName).toLowerCase() === userName.toLowerCase())) return error(409, `userName ${userName} is already taken`, 'uniqueness');
  const id = randomUUID();
  const at = new Date().toISOString();
  const location = `http://${request.headers.host ?? '127.0.0.1'}/Users/${id}`;
  const stored: Resource = { ...body, id, meta: { resourceType: 'User', created: at, lastModified: at, location } };
  state.users.push(stored);
  return reply(201, stored, { location });
}

/** RFC 7644 §3.5.2.1, the one operation the bot sends: add members. */
function patchGroup(state: State, request: Recorded, groupId: string): Reply {
  if (!(state.options.patch ?? true)) return error(501, 'PATCH is not supported');
  const group = state.groups.find((candidate) => candidate.id === groupId);
  if (!group) return error(404, `Group ${groupId} not found`);
  const body = parsed(request) as { schemas?: unknown; Operations?: { op?: unknown; path?: unknown; value?: unknown }[] } | undefined;
  if (!isObject(body) || !Array.isArray(body.schemas) || body.schemas.length !== 1 || body.schemas[0] !== PATCH) return error(400, `schemas must be [${PATCH}]`, 'invalidSyntax');
  if (!Array.isArray(body.Operations) || body.Operations.length === 0) return error(400, 'Operations must be a non-empty list', 'invalidSyntax');
  for (const operation of body.Operations) {
    if (operation.op !== 'add' || operation.path !== 'members' || !Array.isArray(operation.value)) return error(400, 'Only {"op":"add","path":"members","value":[…]} is supported here', 'invalidSyntax');
    for (const member of operation.value as { value?: unknown }[]) {
      if (!state.users.some((candidate) => candidate.id === member.value)) return error(400, `No user with id ${String(member.value)}`, 'invalidValue');
      if (!group.members.some((existing) => existing.value === member.value)) group.members.push({ value: member.value as string });
    }
  }
  return reply(204);
}

/** Past the window's budget: 429 with the seconds until it resets. */
function limited(state: State): Reply | undefined {
  if (!state.options.rateLimit) return undefined;
  const { limit, windowSeconds } = state.options.rateLimit;
  const now = Math.floor(Date.now() / 1000);
  const start = now - (now % windowSeconds);
  if (start !== state.window.start) state.window = { start, used: 0 };
  if (state.window.used >= limit) return error(429, 'Too many requests', undefined, { 'retry-after': String(start + windowSeconds - now) });
  state.window.used += 1;
  return undefined;
}

function route(state: State, request: Recorded): Reply {
  const { method, path } = request;
  const discovery = discoveryOf(state)[path];
  if (method === 'GET' && discovery) return reply(200, discovery());
  if (method === 'GET' && path === '/Users') return page(state, request, state.users, ['userName']);
  if (method === 'GET' && path === '/Groups') return page(state, request, state.groups, ['displayName']);
  if (method === 'POST' && path === '/Users') return create(state, request);
  const group = /^\/Groups\/([^/]+)$/.exec(path);
  if (method === 'PATCH' && group) return patchGroup(state, request, decodeURIComponent(group[1]!));
  return error(404, `No endpoint ${method} ${path}`);
}

/** The User schema with the test's changes. */
const userSchema = (schema: NonNullable<ScimOptions['schema']>) =>
  [...userAttributes(), ...(schema.extra ?? [])]
    .filter((definition) => !schema.omit?.includes(definition.name))
    .map((definition) => ({
      ...definition,
      ...(schema.required?.includes(definition.name) && { required: true }),
      ...(schema.readOnly?.includes(definition.name) && { mutability: 'readOnly' as const }),
      ...(schema.canonical?.[definition.name] && { canonicalValues: schema.canonical[definition.name] }),
    }));

/**
 * A SCIM 2.0 service as RFC 7643 and 7644 describe it: bearer tokens (RFC 7644 §2), request
 * bodies only as application/scim+json, discovery (§4), POST /Users checked against its own
 * /Schemas (required attributes, types, canonicalValues, extension URNs listed in `schemas`),
 * userName unique without regard to case (409 uniqueness), lists with filters and pages
 * (§3.4.2), PATCH /Groups/{id} adding members (§3.5.2.1), errors as §3.12 has them, and 429
 * with Retry-After past a rate limit.
 */
export async function startScimSimulator(options: ScimOptions): Promise<ScimSimulator> {
  const state: State = {
    options,
    user: userSchema(options.schema ?? {}),
    enterprise: options.enterprise ?? true,
    maxResults: options.maxResults ?? 50,
    users: [],
    groups: (options.groups ?? ['Engineering', 'Engineering Managers', 'Support']).map((displayName) => ({ id: randomUUID(), schemas: [GROUP], displayName, members: [] })),
    window: { start: 0, used: 0 },
  };
  const sim = await startSimulator((request) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined || (token !== options.token && token !== options.forbiddenToken)) return error(401, 'Authorization failure: the token is missing or invalid', undefined, { 'www-authenticate': 'Bearer' });
    const busy = limited(state);
    if (busy) return busy;
    if (request.method !== 'GET' && !/^application\/scim\+json\b/.test(request.headers['content-type'] ?? '')) return error(415, 'Send application/scim+json');
    if (token === options.forbiddenToken && request.method !== 'GET') return error(403, 'This token may not change resources');
    return route(state, request);
  });
  return { ...sim, users: state.users, groups: state.groups };
}
