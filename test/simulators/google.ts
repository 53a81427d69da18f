import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { json, type Recorded, type Reply, type Simulator, startSimulator } from './harness.js';

export const USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user';
export const ORGUNIT_SCOPE = 'https://www.googleapis.com/auth/admin.directory.orgunit.readonly';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface GoogleSimulator extends Simulator {
  /** The service account's key file contents; write it with `writeKeyFile`. */
  keyFile: { type: 'service_account'; client_email: string; private_key: string; private_key_id: string; token_uri: string };
  writeKeyFile: (dir: string) => string;
  /** Every access token granted, in order, with whom it acts for. */
  tokens: { token: string; subject: string; scopes: string[]; expires: number }[];
  users: { id: string; body: Record<string, unknown> }[];
  /** Seconds each token granted from now on lives (default Google's 3599). */
  setTokenLifetime: (seconds: number) => void;
}

/** Google's error shape for the Directory API. */
const apiError = (code: number, message: string, reason: string, extra: Record<string, unknown> = {}) =>
  json(code, { error: { code, message, errors: [{ message, domain: 'global', reason, ...extra }] } });
const oauthError = (status: number, error: string, description: string) => json(status, { error, error_description: description });

/**
 * Google Workspace as its documentation describes it: an OAuth 2.0 token endpoint taking the
 * RFC 7523 JWT-bearer grant (assertion verified against the service account's public key,
 * with iss/sub/aud/scope/lifetime checked), and the Admin SDK Directory API answering only to
 * a live bearer token of an admin: users.insert with its required fields and password rule,
 * duplicates as 409 "duplicate", and orgunits.list.
 */
export async function startGoogleSimulator(options: {
  admins?: string[];
  /** Users in the domain who are not admins: a token acting for them is granted, then refused by the API. */
  members?: string[];
  /** Scopes the Workspace admin granted the client for domain-wide delegation. */
  delegatedScopes?: string[];
  orgUnits?: { name: string; orgUnitPath: string }[];
} = {}): Promise<GoogleSimulator> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const admins = options.admins ?? ['admin@example.com'];
  const members = options.members ?? ['member@example.com'];
  const delegated = options.delegatedScopes ?? [USER_SCOPE, ORGUNIT_SCOPE];
  const orgUnits = options.orgUnits ?? [
    { name: 'Engineering', orgUnitPath: '/Engineering' },
    { name: 'Sales', orgUnitPath: '/Sales' },
    { name: 'Contractors', orgUnitPath: '/Engineering/Contractors' },
  ];
  const clientEmail = 'adduser-bot@adduser-project.iam.gserviceaccount.com';
  const tokens: GoogleSimulator['tokens'] = [];
  const users: GoogleSimulator['users'] = [];
  let nextId = 100_000_000_000_000_000_000n;
  const state = { tokenLifetime: 3599, tokenUri: '' };

  async function grant(request: Recorded, key: KeyObject): Promise<Reply> {
    const form = new URLSearchParams(request.body);
    if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return oauthError(400, 'invalid_request', 'Expected a form body.');
    if (form.get('grant_type') !== JWT_BEARER) return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type.');
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(form.get('assertion') ?? '', key, { algorithms: ['RS256'], audience: state.tokenUri, issuer: clientEmail }));
    } catch {
      return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    const { iat, exp, sub, scope } = claims as { iat?: number; exp?: number; sub?: string; scope?: string };
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600) {
      return oauthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    }
    if (!sub || ![...admins, ...members].includes(sub)) return oauthError(400, 'invalid_grant', 'Invalid email or User ID');
    const scopes = (scope ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0 || scopes.some((wanted) => !delegated.includes(wanted))) {
      return oauthError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
    }
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    tokens.push({ token, subject: sub, scopes, expires: Date.now() + state.tokenLifetime * 1000 });
    return json(200, { access_token: token, expires_in: state.tokenLifetime, token_type: 'Bearer' });
  }

  function validate(body: Record<string, unknown>): Reply | undefined {
    const name = body.name as { givenName?: unknown; familyName?: unknown } | undefined;
    if (typeof body.primaryEmail !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(body.primaryEmail)) return apiError(400, 'Invalid Input: primary_user_email', 'invalid');
    for (const part of ['givenName', 'familyName'] as const) {
      const value = name?.[part];
      if (typeof value !== 'string' || value.trim() === '' || value.length > 60) return apiError(400, `Invalid Given/Family Name: ${part === 'givenName' ? 'GivenName' : 'FamilyName'}`, 'invalid');
    }
    const password = body.password;
    if (typeof password !== 'string' || password.length < 8 || password.length > 100 || !/^[\x20-\x7e]+$/.test(password)) return apiError(400, 'Invalid Password', 'invalid');
    if (body.orgUnitPath !== undefined && !orgUnits.some((unit) => unit.orgUnitPath === body.orgUnitPath) && body.orgUnitPath !== '/') {
      return apiError(400, 'Invalid Input: INVALID_OU_ID', 'invalid');
    }
    if (body.changePasswordAtNextLogin !== undefined && typeof body.changePasswordAtNextLogin !== 'boolean') return apiError(400, 'Invalid value for: changePasswordAtNextLogin', 'invalid');
    return undefined;
  }

  function directory(request: Recorded): Reply {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const granted = tokens.find((entry) => entry.token === bearer && entry.expires > Date.now());
    if (!granted) {
      return apiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'authError', { location: 'Authorization', locationType: 'header' });
    }
    if (!admins.includes(granted.subject)) return apiError(403, 'Not Authorized to access this resource/api', 'forbidden');
    if (request.method === 'GET' && request.path === '/admin/directory/v1/customer/my_customer/orgunits') {
      if (!granted.scopes.includes(ORGUNIT_SCOPE)) return apiError(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions');
      const list = orgUnits.map((unit) => ({ kind: 'admin#directory#orgUnit', ...unit, orgUnitId: `id:${unit.orgUnitPath}`, parentOrgUnitPath: unit.orgUnitPath.replace(/\/[^/]+$/, '') || '/' }));
      return json(200, { kind: 'admin#directory#orgUnits', ...(list.length > 0 && { organizationUnits: list }) });
    }
    if (request.method !== 'POST' || request.path !== '/admin/directory/v1/users') return apiError(404, 'Not Found', 'notFound');
    if (!granted.scopes.includes(USER_SCOPE)) return apiError(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions');
    if (!request.headers['content-type']?.startsWith('application/json')) return apiError(400, 'Invalid JSON payload received.', 'parseError');
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return apiError(400, 'Invalid JSON payload received.', 'parseError');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return apiError(400, 'Invalid JSON payload received.', 'parseError');
    const user = body as Record<string, unknown>;
    const invalid = validate(user);
    if (invalid) return invalid;
    if (users.some((existing) => String(existing.body.primaryEmail).toLowerCase() === String(user.primaryEmail).toLowerCase())) {
      return apiError(409, 'Entity already exists.', 'duplicate');
    }
    const id = String(nextId++);
    users.push({ id, body: user });
    const { password: _password, ...visible } = user;
    const name = user.name as { givenName: string; familyName: string };
    return json(200, { kind: 'admin#directory#user', id, ...visible, name: { ...name, fullName: `${name.givenName} ${name.familyName}` }, isAdmin: false, orgUnitPath: user.orgUnitPath ?? '/' });
  }

  const simulator = await startSimulator((request) => (request.path === '/token' && request.method === 'POST' ? grant(request, publicKey) : directory(request)));
  state.tokenUri = `${simulator.url}/token`;
  const keyFile = {
    type: 'service_account' as const,
    client_email: clientEmail,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    private_key_id: randomBytes(20).toString('hex'),
    token_uri: state.tokenUri,
  };
  return Object.assign(simulator, {
    keyFile,
    writeKeyFile: (dir: string) => {
      const path = join(dir, 'service-account.json');
      writeFileSync(path, JSON.stringify(keyFile, null, 2), { mode: 0o600 });
      return path;
    },
    tokens,
    users,
    setTokenLifetime: (seconds: number) => {
      state.tokenLifetime = seconds;
    },
  });
}
