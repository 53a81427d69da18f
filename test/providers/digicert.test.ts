import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { createLookupService, LookupError } from '../../src/adapters/providers/lookups.js';
import { digicert } from '../../src/adapters/providers/digicert/index.js';
import { settings as settingsFrom } from '../../src/adapters/providers/digicert/settings.js';
import { Secret } from '../../src/config/secret.js';
import { closedPort } from '../simulators/harness.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { captureLogs } from '../support/logs.js';
import { describeOutcomeMapping, expectRefused } from './shared-cases.js';

const API_KEY = 'dc-test-key-0b8e44';
const logs = captureLogs();
const settings = (baseUrl: string, credentials?: 'wrong') =>
  settingsFrom({ DIGICERT_BASE_URL: baseUrl, DIGICERT_API_KEY: new Secret(credentials ? 'dc-wrong-key-99' : API_KEY) });

let counter = 0;
const form = (changes: Record<string, string | string[]> = {}) => ({
  username: `jill.valentine${++counter}`,
  first_name: 'Jill',
  last_name: 'Valentine',
  email: `jill${counter}@example.com`,
  job_title: 'S.T.A.R.S. Alpha Team',
  telephone: '555-555-5555',
  container: '93288',
  access_roles: ['5'],
  ...changes,
});
const parse = (values: Record<string, string | string[]>) => digicert.input.parse(digicert.fromForm(values));

describe('DigiCert CertCentral: wire contract', () => {
  let sim: DigiCertSimulator;
  const http = createHttpClient();
  beforeAll(async () => {
    sim = await startDigiCertSimulator({ apiKey: API_KEY });
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });

  test('POST /user with X-DC-DEVKEY and the documented JSON body, field by field', async () => {
    const input = parse(form({ username: 'jill.valentine', email: 'jill@example.com', container_id_assignments: ['93288', '93300'] }));
    const result = await createUser(digicert, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    expect(result.outcome).toEqual({ kind: 'created', providerUserId: String(sim.users[0]!.id) });

    const [request] = sim.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/user');
    expect(request!.headers['x-dc-devkey']).toBe(API_KEY);
    expect(request!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['access_roles', 'container', 'container_id_assignments', 'email', 'first_name', 'is_saml_sso_only', 'job_title', 'last_name', 'telephone', 'username'],
    );
    expect(body.username).toBe('jill.valentine');
    expect(body.first_name).toBe('Jill');
    expect(body.last_name).toBe('Valentine');
    expect(body.email).toBe('jill@example.com');
    expect(body.job_title).toBe('S.T.A.R.S. Alpha Team');
    expect(body.telephone).toBe('555-555-5555');
    expect(body.container).toEqual({ id: 93288 });
    expect(body.access_roles).toEqual([{ id: 5 }]);
    expect(body.container_id_assignments).toEqual([93288, 93300]);
    expect(body.is_saml_sso_only).toBe(false);
    expect(body).not.toHaveProperty('is_api_only');
  });

  test('container_id_assignments defaults to the user’s own container; optional fields are left out', async () => {
    const input = parse(form({ job_title: '', telephone: '', is_saml_sso_only: ['true'] }));
    await createUser(digicert, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    const body = JSON.parse(sim.requests.at(-1)!.body) as Record<string, unknown>;
    expect(body.container_id_assignments).toEqual([93288]);
    expect(body.is_saml_sso_only).toBe(true);
    expect(body).not.toHaveProperty('job_title');
    expect(body).not.toHaveProperty('telephone');
  });

  test('the provider’s validation message is kept', async () => {
    const input = parse(form({ access_roles: ['1'], container: '93300' }));
    const result = await createUser(digicert, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    expect(result.outcome).toEqual({ kind: 'rejected', status: 400, message: 'Access role 1 is not valid for this container. (bad_request_format)' });
  });

  test('a duplicate username → already_exists, with DigiCert’s words', async () => {
    const input = parse(form());
    await createUser(digicert, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    const again = await createUser(digicert, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    expect(again.outcome).toMatchObject({ kind: 'already_exists', message: expect.stringContaining('Username already exists') });
  });

  test.each([
    [{ code: 'invalid_username', message: 'Username already exists.' }, 'already_exists'],
    [{ code: 'duplicate_username', message: 'That username is taken.' }, 'already_exists'],
    [{ code: 'bad_request_format', message: 'Username contains invalid characters.' }, 'rejected'],
    [{ code: 'bad_request_format', message: 'username is required.' }, 'rejected'],
    [{ code: 'bad_request_format', message: 'Email already exists for another account.' }, 'rejected'],
    [{ code: 'not_found', message: 'Username does not exist.' }, 'rejected'],
    [{ code: 'bad_request_format', message: 'Container 5 already has an administrator.' }, 'rejected'],
  ] as const)('a 400 %o → %s, DigiCert’s message kept', (error, kind) => {
    const outcome = digicert.parseCreate({ status: 400, headers: {}, body: JSON.stringify({ errors: [error] }) });
    expect(outcome).toEqual({ kind, status: 400, message: `${error.message} (${error.code})` });
  });

  test('request_limit_exceeded without Retry-After waits out the 5-second window, then sends again', async () => {
    const before = sim.count(/^\/user$/);
    const waits: number[] = [];
    sim.inject({ kind: 'status', status: 429, body: JSON.stringify({ errors: [{ code: 'request_limit_exceeded', message: 'Rate limit exceeded' }] }) }, { path: /^\/user$/ });
    const result = await createUser(digicert, settings(sim.url), parse(form()), {
      http,
      log: logs.log,
      dryRun: false,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(result.outcome.kind).toBe('created');
    expect(waits).toEqual([5_000]);
    expect(sim.count(/^\/user$/) - before).toBe(2);
  });

  test('lookups list active containers and a container’s roles, cached within the TTL', async () => {
    const lookups = createLookupService({ http, log: logs.log, settingsOf: () => settings(sim.url) });
    const containers = await lookups.choices(digicert, 'containers');
    expect(containers).toEqual([
      { value: '93288', label: 'Headquarters (93288)' },
      { value: '93300', label: 'EU Division (93300)' },
    ]);
    const roles = await lookups.choices(digicert, 'roles', '93288');
    expect(roles).toEqual([
      { value: '5', label: 'Standard User' },
      { value: '1', label: 'Administrator' },
    ]);
    const before = sim.requests.length;
    await lookups.choices(digicert, 'containers');
    await lookups.choices(digicert, 'roles', '93288');
    expect(sim.requests.length).toBe(before);
    expect(sim.requests.find((r) => r.path === '/container/93288/role')?.headers['x-dc-devkey']).toBe(API_KEY);
  });

  test('an unreachable provider makes the lookup fail with LookupError (the modal then takes typed ids)', async () => {
    const port = await closedPort();
    const lookups = createLookupService({ http, log: logs.log, settingsOf: () => settings(`http://127.0.0.1:${port}`) });
    await expect(lookups.choices(digicert, 'containers')).rejects.toBeInstanceOf(LookupError);
  });
});

describe('DigiCert CertCentral: input rules from the documentation', () => {
  test.each([
    ['username with a space and !', { username: 'jill valentine!' }, 'username', /letters, digits and @ - _ \+ \./],
    ['missing username', { username: '' }, 'username', /Username is required/],
    ['first name of 129 characters', { first_name: 'J'.repeat(129) }, 'first_name', /First name can be at most 128/],
    ['last name of 129 characters', { last_name: 'V'.repeat(129) }, 'last_name', /Last name can be at most 128/],
    ['missing first name', { first_name: '' }, 'first_name', /First name is required/],
    ['email of 256 characters', { email: `${'a'.repeat(244)}@example.com` }, 'email', /Email can be at most 255/],
    ['invalid email', { email: 'jill@' }, 'email', /Email must be a valid email/],
    ['job title of 65 characters', { job_title: 'x'.repeat(65) }, 'job_title', /Job title can be at most 64/],
    ['telephone of 65 characters', { telephone: '5'.repeat(65) }, 'telephone', /Telephone can be at most 64/],
    ['container that is not a number', { container: 'abc' }, 'container', /Container id must be a number/],
    ['no container', { container: '' }, 'container', /Container is required/],
    ['no access roles', { access_roles: [] }, 'access_roles', /at least one access role/],
    ['access role that is not a number', { access_roles: ['x'] }, 'access_roles', /Access role id must be a number/],
  ])('%s', (_name, changes, field, message) => {
    expectRefused(digicert, form(changes as Record<string, string | string[]>), field, message);
  });

  test('is_api_only can never be sent, even if something puts it in the input', () => {
    const parsed = digicert.input.safeParse({ ...(digicert.fromForm(form()) as object), is_api_only: true });
    expect(parsed.success).toBe(false);
  });

  test('the modal fields take required-ness and limits from the schema', () => {
    const byId = Object.fromEntries(digicert.fields.map((field) => [field.id, field]));
    expect(byId.username).toMatchObject({ optional: false, maxLength: 255 });
    expect(byId.first_name).toMatchObject({ optional: false, maxLength: 128 });
    expect(byId.job_title).toMatchObject({ optional: true, maxLength: 64 });
    expect(byId.access_roles).toMatchObject({ lookup: 'roles', dependsOn: 'container' });
  });
});

describeOutcomeMapping({
  provider: digicert,
  start: () => startDigiCertSimulator({ apiKey: API_KEY }),
  settings,
  input: () => parse(form()),
  createPath: /^\/user$/,
  logs,
  secrets: [API_KEY, 'dc-wrong-key-99'],
});

afterAll(() => {
  expect(logs.lines.length).toBeGreaterThan(0);
  expect(logs.text()).not.toContain(API_KEY);
});

describe('DigiCert CertCentral: every documented answer shape → its outcome', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    digicert.parseCreate({ status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const errors = (...list: object[]) => ({ errors: list });

  test.each([
    ['201 with a numeric id', 201, { id: 1538858 }, { kind: 'created', providerUserId: '1538858' }],
    ['200 with a string id', 200, { id: 'u-1' }, { kind: 'created', providerUserId: 'u-1' }],
    ['299 with an id', 299, { id: 2 }, { kind: 'created', providerUserId: '2' }],
    ['201 with an empty id', 201, { id: '' }, { kind: 'unknown', message: 'HTTP 201: unexpected response: {"id":""}', status: 201 }],
    ['201 without an id', 201, {}, { kind: 'unknown', message: 'HTTP 201: unexpected response: {}', status: 201 }],
    ['a taken username', 400, errors({ code: 'invalid_username', message: 'Username already exists' }), { kind: 'already_exists', message: 'Username already exists (invalid_username)', status: 400 }],
    ['user_name in the code, "taken" in the message', 400, errors({ code: 'user_name_taken' }), { kind: 'already_exists', message: 'user_name_taken (user_name_taken)', status: 400 }],
    ['"in use"', 400, errors({ message: 'The user name is in use' }), { kind: 'already_exists', message: 'The user name is in use', status: 400 }],
    ['a username that does not exist is no duplicate', 400, errors({ message: 'Username does not exist yet' }), { kind: 'rejected', message: 'Username does not exist yet', status: 400 }],
    ['invalid characters are no duplicate', 400, errors({ code: 'invalid_username', message: 'Username contains invalid characters' }), { kind: 'rejected', message: 'Username contains invalid characters (invalid_username)', status: 400 }],
    ['an email already used is no username duplicate', 400, errors({ message: 'Email already exists' }), { kind: 'rejected', message: 'Email already exists', status: 400 }],
    ['409 is already exists by its status alone', 409, errors({ message: 'Username already exists' }), { kind: 'already_exists', message: 'Username already exists', status: 409 }],
    ['the limit code, no Retry-After: the 5-s window', 400, errors({ code: 'request_limit_exceeded', message: 'Slow down' }), { kind: 'rate_limited', message: 'Slow down (request_limit_exceeded)', status: 429, retryAfterSeconds: 5 }],
    ['access denied', 403, errors({ code: 'access_denied', message: 'No' }), { kind: 'auth', message: 'No (access_denied)', status: 403 }],
    ['missing permission with 400', 400, errors({ code: 'missing_permission' }), { kind: 'auth', message: 'missing_permission (missing_permission)', status: 400 }],
    ['several errors joined', 400, errors({ code: 'a', message: 'A' }, { message: 'B' }, {}), { kind: 'rejected', message: 'A (a); B; error', status: 400 }],
    ['a 500 with errors', 500, errors({ code: 'internal', message: 'Oops' }), { kind: 'unknown', message: 'Oops (internal)', status: 500 }],
    ['an empty error list, 400', 400, { errors: [] }, { kind: 'rejected', message: 'HTTP 400: unexpected response: {"errors":[]}', status: 400 }],
    ['no body, 404', 404, '', { kind: 'rejected', message: 'HTTP 404 with an empty body', status: 404 }],
    ['no body, 401', 401, '', { kind: 'auth', message: 'HTTP 401 with an empty body', status: 401 }],
    ['no body, 403', 403, '', { kind: 'auth', message: 'HTTP 403 with an empty body', status: 403 }],
    ['no body, 429', 429, '', { kind: 'rate_limited', message: 'HTTP 429 with an empty body', status: 429 }],
    ['an HTML 502', 502, '<p>Bad Gateway</p>', { kind: 'unknown', message: 'HTTP 502: unexpected response: Bad Gateway', status: 502 }],
  ] as const)('%s', (_name, status, body, outcome) => {
    expect(answer(status, body)).toEqual(outcome);
  });

  test('a Retry-After the answer carries wins over the 5-s window', () => {
    expect(answer(400, errors({ code: 'request_limit_exceeded' }), { 'retry-after': '9' })).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 9 });
    expect(answer(429, '', { 'retry-after': '2' })).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 2 });
  });

  test('lookups: active containers with ids, roles with ids; anything else is refused', () => {
    const parse = (name: 'containers' | 'roles', body: unknown) => digicert.lookups[name]!.parse!({ status: 200, headers: {}, body: JSON.stringify(body) });
    expect(parse('containers', { containers: [{ id: 1, name: 'Main' }, { id: 2, name: 'Old', is_active: false }, { name: 'no id' }, { id: 3 }] })).toEqual([
      { value: '1', label: 'Main (1)' },
      { value: '3', label: '3 (3)' },
    ]);
    expect(() => parse('containers', { errors: [] })).toThrow('DigiCert sent no container list');
    expect(parse('roles', { access_roles: [{ id: 5, name: 'User' }, { name: 'x' }, { id: 6 }] })).toEqual([
      { value: '5', label: 'User' },
      { value: '6', label: '6' },
    ]);
    expect(() => parse('roles', {})).toThrow('DigiCert sent no access role list');
  });

  test('lookup requests: the key in its header, the container id escaped into the path', () => {
    const s = settingsFrom({ DIGICERT_API_KEY: new Secret('dc-key'), DIGICERT_BASE_URL: 'https://dc.example/services/v2' });
    const reveal = (secret: Secret) => secret.reveal();
    expect(digicert.lookups.containers!.request!(s, reveal)).toMatchObject({ method: 'GET', url: 'https://dc.example/services/v2/container', headers: { 'x-dc-devkey': 'dc-key', accept: 'application/json' } });
    expect(digicert.lookups.roles!.request!(s, reveal, '9/8').url).toBe('https://dc.example/services/v2/container/9%2F8/role');
    expect(digicert.lookups.roles!.request!(s, reveal).url).toBe('https://dc.example/services/v2/container//role');
  });
});
