import { json, type Recorded, type Reply, type Simulator, startSimulator } from './harness.js';

export interface DigiCertSimulator extends Simulator {
  users: { id: number; username: string; body: Record<string, unknown> }[];
}

const error = (status: number, code: string, message: string) => json(status, { errors: [{ code, message }] });

const FIELDS = new Set([
  'username',
  'first_name',
  'last_name',
  'email',
  'job_title',
  'telephone',
  'container',
  'access_roles',
  'container_id_assignments',
  'is_saml_sso_only',
]);

/**
 * DigiCert CertCentral as its documentation describes it: X-DC-DEVKEY authentication, JSON
 * bodies, the "Add user" field rules, container and role lookups, 201 {"id"} on success and
 * {"errors":[{code,message}]} otherwise. A duplicate username is a 400 (DigiCert documents
 * no code for it; NOTES.md: treat a 400 mentioning the username as a conflict).
 */
export async function startDigiCertSimulator(options: {
  apiKey: string;
  /** DigiCert's per-key rate limits over every request, lookups included, answered 429 request_limit_exceeded. Default: both documented windows, 100 per 5 s and 1000 per 3 min. */
  rateLimits?: { limit: number; perMs: number }[];
  containers?: { id: number; name: string; is_active?: boolean; roles: { id: number; name: string }[] }[];
}): Promise<DigiCertSimulator> {
  const containers = options.containers ?? [
    { id: 93288, name: 'Headquarters', roles: [{ id: 5, name: 'Standard User' }, { id: 1, name: 'Administrator' }] },
    { id: 93300, name: 'EU Division', roles: [{ id: 5, name: 'Standard User' }] },
    { id: 93301, name: 'Retired', is_active: false, roles: [] },
  ];
  const users: DigiCertSimulator['users'] = [];
  let nextId = 1_538_858;
  const arrivals: number[] = [];
  const rateLimits = options.rateLimits ?? [
    { limit: 100, perMs: 5_000 },
    { limit: 1_000, perMs: 180_000 },
  ];

  function validate(body: Record<string, unknown>): Reply | undefined {
    const bad = (message: string) => error(400, 'bad_request_format', message);
    for (const key of Object.keys(body)) {
      if (key === 'is_api_only') return bad('is_api_only is not allowed for this key');
      if (!FIELDS.has(key)) return bad(`Unknown field: ${key}`);
    }
    for (const key of ['username', 'first_name', 'last_name', 'email'] as const) {
      if (typeof body[key] !== 'string' || body[key] === '') return bad(`${key} is required.`);
    }
    const { username, first_name, last_name, email, job_title, telephone } = body as Record<string, string>;
    if (!/^[a-zA-Z0-9@\-_+.]+$/.test(username!)) return bad('Username contains invalid characters.');
    if (first_name!.length > 128 || last_name!.length > 128) return bad('Name is too long.');
    if (email!.length > 255 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email!)) return bad('Invalid email address.');
    for (const [key, value] of [['job_title', job_title], ['telephone', telephone]] as const) {
      if (value !== undefined && (typeof value !== 'string' || value.length > 64)) return bad(`${key} is invalid.`);
    }
    const container = body.container as { id?: unknown } | undefined;
    if (!container || !Number.isInteger(container.id)) return bad('container.id is required and must be an integer.');
    const home = containers.find((candidate) => candidate.id === container.id);
    if (!home) return error(404, 'not_found', `Container ${String(container.id)} not found.`);
    const roles = body.access_roles;
    if (!Array.isArray(roles) || roles.length === 0) return bad('access_roles is required.');
    for (const role of roles as { id?: unknown }[]) {
      if (!Number.isInteger(role?.id)) return bad('access_roles[].id must be an integer.');
      if (!home.roles.some((candidate) => candidate.id === role.id)) return bad(`Access role ${String(role.id)} is not valid for this container.`);
    }
    const assignments = body.container_id_assignments;
    if (!Array.isArray(assignments) || assignments.some((id) => !Number.isInteger(id))) {
      return bad('container_id_assignments is required and must be a list of container ids.');
    }
    // The documentation does not say whether an empty list is refused, so it is accepted; ids must be containers.
    const unknown = (assignments as number[]).find((id) => !containers.some((candidate) => candidate.id === id));
    if (unknown !== undefined) return error(404, 'not_found', `Container ${unknown} not found.`);
    if (body.is_saml_sso_only !== undefined && typeof body.is_saml_sso_only !== 'boolean') return bad('is_saml_sso_only must be a boolean.');
    return undefined;
  }

  function handle(request: Recorded): Reply {
    if (request.headers['x-dc-devkey'] !== options.apiKey) return error(401, 'access_denied', 'Invalid API key.');
    for (const { limit, perMs } of rateLimits) {
      if (arrivals.filter((time) => time > request.receivedAt - perMs).length >= limit) return error(429, 'request_limit_exceeded', 'Rate limit exceeded.');
    }
    arrivals.push(request.receivedAt);
    if (request.method === 'GET' && request.path === '/container') {
      return json(200, { containers: containers.map(({ roles: _roles, ...container }) => ({ parent_id: null, is_active: true, ...container })) });
    }
    const roleMatch = /^\/container\/(\d+)\/role$/.exec(request.path);
    if (request.method === 'GET' && roleMatch) {
      const container = containers.find((candidate) => candidate.id === Number(roleMatch[1]));
      return container ? json(200, { access_roles: container.roles }) : error(404, 'not_found', 'Container not found.');
    }
    if (request.path !== '/user' || request.method !== 'POST') return error(404, 'not_found', 'Not found.');
    if (!request.headers['content-type']?.startsWith('application/json')) {
      return error(415, 'bad_request_format', 'Content-Type must be application/json.');
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return error(400, 'bad_request_format', 'Request body is not valid JSON.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return error(400, 'bad_request_format', 'Body must be a JSON object.');
    const invalid = validate(body as Record<string, unknown>);
    if (invalid) return invalid;
    const username = (body as { username: string }).username;
    if (users.some((user) => user.username.toLowerCase() === username.toLowerCase())) {
      return error(400, 'invalid_username', 'Username already exists.');
    }
    const id = nextId++;
    users.push({ id, username, body: body as Record<string, unknown> });
    return json(201, { id });
  }

  const simulator = await startSimulator(handle);
  return Object.assign(simulator, { users });
}
