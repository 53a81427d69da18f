import { randomBytes } from 'node:crypto';
import { json, type Recorded, type Reply, type Simulator, startSimulator } from './harness.js';

export interface OktaSimulator extends Simulator {
  users: { id: string; status: string; body: Record<string, unknown> }[];
}

interface Group {
  id: string;
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  name: string;
}

const error = (status: number, code: string, summary: string, causes: string[] = [], headers: Record<string, string> = {}) =>
  json(status, { errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${randomBytes(8).toString('hex')}`, errorCauses: causes.map((errorSummary) => ({ errorSummary })) }, headers);

const invalid = (field: string, cause: string) => error(400, 'E0000001', `Api validation failed: ${field}`, [`${field}: ${cause}`]);

const oktaId = (prefix: string) => `${prefix}${randomBytes(12).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 17)}`;

/**
 * Okta's management API as its documentation describes it: `Authorization: SSWS {token}`
 * (E0000011 401 for a bad token, E0000006 403 for one without the right), the default user
 * profile's rules, a taken login as 400 E0000001 with a `login:` cause, 200 with the User
 * object on success, groups by `GET /api/v1/groups`, and a per-window budget reported in
 * X-Rate-Limit-* headers on every answer (429 E0000047 beyond it). Windows start on whole
 * seconds so X-Rate-Limit-Reset (epoch seconds) is exact.
 */
export async function startOktaSimulator(options: {
  token: string;
  /** A valid token whose admin may not create users. */
  forbiddenToken?: string;
  /** Requests per window over every endpoint; Okta's default for /api/v1/users is per minute. */
  rateLimit?: { limit: number; windowSeconds: number };
  groups?: Group[];
}): Promise<OktaSimulator> {
  const groups = options.groups ?? [
    { id: '00g1emaKYZTWRYYRRTSK', type: 'OKTA_GROUP', name: 'Engineering' },
    { id: '00garwpuyxHaWOkdV0g4', type: 'OKTA_GROUP', name: 'Support' },
    { id: '00g0everyone00000000', type: 'BUILT_IN', name: 'Everyone' },
    { id: '00g0ad00000000000000', type: 'APP_GROUP', name: 'AD Domain Users' },
  ];
  const { limit, windowSeconds } = options.rateLimit ?? { limit: 600, windowSeconds: 60 };
  const users: OktaSimulator['users'] = [];
  let window = { start: 0, used: 0 };

  /** Fixed windows aligned on whole seconds: the reset is exact in epoch seconds. */
  function budget(): { headers: Record<string, string>; exceeded: boolean } {
    const now = Math.floor(Date.now() / 1000);
    const start = now - (now % windowSeconds);
    if (start !== window.start) window = { start, used: 0 };
    const exceeded = window.used >= limit;
    if (!exceeded) window.used += 1;
    const headers = { 'x-rate-limit-limit': String(limit), 'x-rate-limit-remaining': String(limit - window.used), 'x-rate-limit-reset': String(start + windowSeconds) };
    return { headers, exceeded };
  }

  function validate(body: Record<string, unknown>): Reply | undefined {
    for (const key of Object.keys(body)) if (!['profile', 'credentials', 'groupIds', 'type', 'realmId'].includes(key)) return invalid(key, 'Property is not recognized.');
    const profile = body.profile as Record<string, unknown> | undefined;
    if (!profile || typeof profile !== 'object') return invalid('profile', 'The field cannot be left blank');
    const rules: [string, number, number][] = [['firstName', 1, 50], ['lastName', 1, 50], ['email', 5, 100], ['login', 5, 100]];
    for (const [field, min, max] of rules) {
      const value = profile[field];
      if (typeof value !== 'string' || value.trim() === '') return invalid(field, 'The field cannot be left blank');
      if (value.length < min || value.length > max) return invalid(field, `The field must be between ${min} and ${max} characters.`);
    }
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(profile.email as string)) return invalid('email', 'Does not match required pattern');
    // The default "usernames must be an email address" rule.
    if (!/^[^\s@]+@[^\s@]+$/.test(profile.login as string)) return invalid('login', 'Username must be in the form of an email address');
    if (profile.mobilePhone !== undefined && (typeof profile.mobilePhone !== 'string' || profile.mobilePhone.length > 100)) return invalid('mobilePhone', 'The field is too long');
    const password = (body.credentials as { password?: { value?: unknown } } | undefined)?.password?.value;
    if (body.credentials !== undefined && typeof password !== 'string') return invalid('credentials', 'The field cannot be left blank');
    // Okta's default password policy, in part: at least 8 characters, a digit, a lower- and an upper-case letter.
    if (typeof password === 'string' && !(password.length >= 8 && /\d/.test(password) && /[a-z]/.test(password) && /[A-Z]/.test(password))) {
      return invalid('password', 'Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number.');
    }
    const ids = body.groupIds;
    if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))) return invalid('groupIds', 'The field must be a list of group ids.');
    return undefined;
  }

  function handle(request: Recorded): Reply {
    const token = /^SSWS (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token !== options.token && token !== options.forbiddenToken) return error(401, 'E0000011', 'Invalid token provided');
    const { headers, exceeded } = budget();
    const answer = (reply: Reply): Reply => ({ ...reply, headers: { ...reply.headers, ...headers } });
    if (exceeded) return answer(error(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'));
    if (request.method === 'GET' && request.path === '/api/v1/groups') {
      return answer(json(200, groups.map((group) => ({ id: group.id, type: group.type, objectClass: ['okta:user_group'], profile: { name: group.name, description: null } }))));
    }
    if (request.method !== 'POST' || request.path !== '/api/v1/users') return answer(error(404, 'E0000022', 'The endpoint does not support the provided HTTP method'));
    if (token === options.forbiddenToken) return answer(error(403, 'E0000006', 'You do not have permission to perform the requested action'));
    if (!request.headers['content-type']?.startsWith('application/json')) return answer(error(415, 'E0000003', 'The request body was not well-formed.'));
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return answer(error(400, 'E0000003', 'The request body was not well-formed.'));
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return answer(error(400, 'E0000003', 'The request body was not well-formed.'));
    const invalidBody = validate(body as Record<string, unknown>);
    if (invalidBody) return answer(invalidBody);
    const { profile, credentials, groupIds } = body as { profile: Record<string, string>; credentials?: unknown; groupIds?: string[] };
    // Logins differing only in case are the same login.
    if (users.some((user) => (user.body.profile as { login: string }).login.toLowerCase() === profile.login!.toLowerCase())) {
      return answer(invalid('login', 'An object with this field already exists in the current organization'));
    }
    // Okta documents no answer for an unknown group id: answered as its missing-resource error (E0000007).
    if ((groupIds ?? []).some((id) => !groups.some((group) => group.id === id))) return answer(error(404, 'E0000007', 'Not found: Resource not found: groupIds (UserGroup)'));
    const activate = request.query.get('activate') !== 'false';
    const status = !activate ? 'STAGED' : credentials ? 'ACTIVE' : 'PROVISIONED';
    const id = oktaId('00u');
    users.push({ id, status, body: body as Record<string, unknown> });
    const now = new Date().toISOString();
    return answer(json(200, {
      id,
      status,
      created: now,
      activated: activate ? now : null,
      lastUpdated: now,
      profile,
      credentials: { ...(credentials ? { password: {} } : {}), provider: { type: 'OKTA', name: 'OKTA' } },
      _links: { self: { href: `${request.headers.host ?? ''}/api/v1/users/${id}` } },
    }));
  }

  const simulator = await startSimulator(handle);
  return Object.assign(simulator, { users });
}
