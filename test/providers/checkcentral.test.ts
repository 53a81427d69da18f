import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { checkcentral } from '../../src/adapters/providers/checkcentral/index.js';
import { settings as settingsFrom } from '../../src/adapters/providers/checkcentral/settings.js';
import { createLookupService } from '../../src/adapters/providers/lookups.js';
import { Secret } from '../../src/config/secret.js';
import { type CheckCentralSimulator, startCheckCentralSimulator } from '../simulators/checkcentral.js';
import { captureLogs } from '../support/logs.js';
import { describeOutcomeMapping, expectRefused } from './shared-cases.js';

const TOKEN = 'cc-test-token-5f2a9e';
const logs = captureLogs();
const settings = (baseUrl: string, credentials?: 'wrong') =>
  settingsFrom({ CHECKCENTRAL_BASE_URL: baseUrl, CHECKCENTRAL_API_TOKEN: new Secret(credentials ? 'cc-wrong-token-11' : TOKEN) });

let counter = 0;
const form = (changes: Record<string, string | string[]> = {}) => ({
  email: `person${++counter}@myorg.example`,
  accessLevel: 'User',
  ...changes,
});
const parse = (values: Record<string, string | string[]>) => checkcentral.input.parse(checkcentral.fromForm(values));

describe('CheckCentral: wire contract', () => {
  let sim: CheckCentralSimulator;
  const http = createHttpClient();
  beforeAll(async () => {
    sim = await startCheckCentralSimulator({ token: TOKEN });
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });

  test('POST /createUser/?apiToken=… with the documented JSON body; "User" goes out as "user"', async () => {
    const input = parse({
      email: 'person@myorg.example',
      name: 'Person Somename',
      accessLevel: 'User',
      sendWelcomeEmail: ['true'],
      userGroups: ['grp-ops'],
      notify_failures: ['sms', 'push'],
    });
    const result = await createUser(checkcentral, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    expect(result.outcome).toEqual({ kind: 'created', providerUserId: String(sim.users[0]!.userId) });
    const [request] = sim.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/createUser/');
    expect(request!.query.get('apiToken')).toBe(TOKEN);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      email: 'person@myorg.example',
      name: 'Person Somename',
      accessLevel: 'user',
      sendWelcomeEmail: true,
      userGroups: ['grp-ops'],
      notifications: [{ type: 'failures', services: ['sms', 'push'] }],
    });
  });

  test('defaults are sent explicitly and an absent name is left to CheckCentral', async () => {
    await createUser(checkcentral, settings(sim.url), parse(form({ accessLevel: 'READONLY' })), { http, log: logs.log, dryRun: false });
    const body = JSON.parse(sim.requests.at(-1)!.body) as Record<string, unknown>;
    expect(body).toEqual({ email: expect.any(String), accessLevel: 'readonly', sendWelcomeEmail: false, userGroups: [], notifications: [] });
  });

  test('the provider’s validation message is kept, with HTTP 400 and with an error body on HTTP 200', async () => {
    const input = parse(form({ userGroups: ['grp-missing'] }));
    const result = await createUser(checkcentral, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    expect(result.outcome).toEqual({ kind: 'rejected', status: 400, message: 'User group grp-missing does not exist. (error 16)' });

    const lenient = await startCheckCentralSimulator({ token: TOKEN, errorsWithStatus200: true });
    try {
      const again = await createUser(checkcentral, settings(lenient.url), input, { http, log: logs.log, dryRun: false });
      expect(again.outcome).toEqual({ kind: 'rejected', status: 200, message: 'User group grp-missing does not exist. (error 16)' });
    } finally {
      await lenient.close();
    }
  });

  test.each([
    ['userId', (id: string) => id],
    ['id', (id: string) => id],
    ['user', (id: string) => id],
    // Nothing names the user: the outcome says so rather than inventing an id.
    ['bare', () => 'created (no id returned)'],
  ] as const)('every success shape CheckCentral may answer is a creation: %s', async (shape, expectedId) => {
    const shaped = await startCheckCentralSimulator({ token: TOKEN, success: shape });
    try {
      const input = parse(form());
      const result = await createUser(checkcentral, settings(shaped.url), input, { http, log: logs.log, dryRun: false });
      const created = shaped.users.at(-1)!;
      expect(result.outcome).toEqual({ kind: 'created', providerUserId: expectedId(String(created.userId)) });
    } finally {
      await shaped.close();
    }
  });

  test('a notification entry with a property CheckCentral does not document is refused by it', async () => {
    const res = await fetch(`${sim.url}/createUser/?apiToken=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'extra@myorg.example', accessLevel: 'user', notifications: [{ type: 'failures', services: ['sms'], channel: 'x' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ Error: { Id: 18, Message: 'Unknown notification property: channel' } });
  });

  test('a duplicate email → already_exists', async () => {
    const input = parse(form());
    await createUser(checkcentral, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    const again = await createUser(checkcentral, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    expect(again.outcome).toMatchObject({ kind: 'already_exists', message: expect.stringContaining('already exists') });
  });

  test('user groups come from getUserGroups, cached within the TTL', async () => {
    const lookups = createLookupService({ http, log: logs.log, settingsOf: () => settings(sim.url) });
    expect(await lookups.choices(checkcentral, 'userGroups')).toEqual([
      { value: 'grp-ops', label: 'Operations' },
      { value: 'grp-fin', label: 'Finance' },
    ]);
    const before = sim.count(/getUserGroups/);
    await lookups.choices(checkcentral, 'userGroups');
    expect(sim.count(/getUserGroups/)).toBe(before);
  });

  test('the rendered request masks the token in the query string', async () => {
    const result = await createUser(checkcentral, settings(sim.url), parse(form()), { http, log: logs.log, dryRun: true });
    expect(result.request).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/createUser\/\?apiToken=\[redacted\]\n/);
  });
});

describe('CheckCentral: input rules from the documentation', () => {
  test.each([
    ['access level owner', { accessLevel: 'owner' }, 'accessLevel', /Access level must be one of: disabled, custom/],
    ['no access level', { accessLevel: '' }, 'accessLevel', /Access level is required/],
    ['no email', { email: '' }, 'email', /Email must be a valid email/],
    ['invalid email', { email: 'person@' }, 'email', /Email must be a valid email/],
    ['email with spaces', { email: 'per son@myorg.example' }, 'email', /Email must be a valid email/],
    ['name of 201 characters', { name: 'n'.repeat(201) }, 'name', /Name can be at most 200/],
    ['notification service fax', { notify_digest: ['fax'] }, 'notify_digest', /Notification service must be one of/],
  ])('%s', (_name, changes, field, message) => {
    expectRefused(checkcentral, form(changes as Record<string, string | string[]>), field, message);
  });

  test.each([
    ['notification type sometimes', { notifications: [{ type: 'sometimes', services: [] }] }, /Notification type must be one of/],
    ['the same type twice', { notifications: [{ type: 'digest' }, { type: 'digest' }] }, /configured once/],
    ['sendWelcomeEmail "yes"', { sendWelcomeEmail: 'yes' }, /Send welcome email must be true or false/],
    ['an unknown property', { role: 'admin' }, /Unrecognized key/],
  ])('%s (API input)', (_name, changes, message) => {
    const parsed = checkcentral.input.safeParse({ email: 'a@b.example', accessLevel: 'user', ...changes });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(message);
  });

  test('the access-level select lists the documented values', () => {
    const field = checkcentral.fields.find((candidate) => candidate.id === 'accessLevel');
    expect(field?.options?.map((option) => option.value)).toEqual(['disabled', 'custom', 'readonly', 'user', 'editor', 'manager', 'administrator']);
    expect(field?.optional).toBe(false);
  });
});

describeOutcomeMapping({
  provider: checkcentral,
  start: () => startCheckCentralSimulator({ token: TOKEN }),
  settings,
  input: () => parse(form()),
  createPath: /^\/createUser\/$/,
  logs,
  secrets: [TOKEN, 'cc-wrong-token-11'],
});

describe('CheckCentral: every answer shape public clients read → its outcome', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    checkcentral.parseCreate({ status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  test.each([
    ['an id at the top', 200, { userId: 17 }, { kind: 'created', providerUserId: '17' }],
    ['an id under user, other casing', 201, { User: { ID: 'u-9' } }, { kind: 'created', providerUserId: 'u-9' }],
    ['userID spelled so', 200, { user: { userID: 5 } }, { kind: 'created', providerUserId: '5' }],
    ['only the email', 200, { user: { email: 'jill@example.com' } }, { kind: 'created', providerUserId: 'jill@example.com' }],
    ['userEmail', 200, { userEmail: 'bob@example.com' }, { kind: 'created', providerUserId: 'bob@example.com' }],
    ['an empty object', 200, {}, { kind: 'created', providerUserId: 'created (no id returned)' }],
    ['error: false is no error', 200, { error: false, userId: 3 }, { kind: 'created', providerUserId: '3' }],
    ['error: null is no error', 200, { error: null, userId: 4 }, { kind: 'created', providerUserId: '4' }],
    ['errors: [] is no error', 200, { errors: [], userId: 6 }, { kind: 'created', providerUserId: '6' }],
    ['a string error with 200', 200, { error: 'Email is invalid' }, { kind: 'rejected', message: 'Email is invalid', status: 200 }],
    ['an error object with its id', 200, { Error: { Id: 12, Message: 'User group missing' } }, { kind: 'rejected', message: 'User group missing (error 12)', status: 200 }],
    ['an error object without a message', 200, { error: { code: 'E1' } }, { kind: 'rejected', message: '{"code":"E1"} (error E1)', status: 200 }],
    ['an error object with a description, no id', 200, { error: { description: 'Bad name' } }, { kind: 'rejected', message: 'Bad name', status: 200 }],
    ['several errors', 200, { errors: ['one', { detail: 'two' }] }, { kind: 'rejected', message: 'one; two', status: 200 }],
    ['a duplicate, whatever the status', 200, { error: 'User already exists' }, { kind: 'already_exists', message: 'User already exists', status: 200 }],
    ['already a user', 400, { error: 'This email is already a user' }, { kind: 'already_exists', message: 'This email is already a user', status: 400 }],
    ['a token refused with 200', 200, { error: 'Invalid API token' }, { kind: 'auth', message: 'Invalid API token', status: 200 }],
    ['apitoken, one word', 200, { error: 'apitoken missing' }, { kind: 'auth', message: 'apitoken missing', status: 200 }],
    ['unauthorised, British', 200, { error: 'Unauthorised' }, { kind: 'auth', message: 'Unauthorised', status: 200 }],
    ['no permission', 200, { error: 'No permission for this' }, { kind: 'auth', message: 'No permission for this', status: 200 }],
    ['access denied', 200, { error: 'Access denied' }, { kind: 'auth', message: 'Access denied', status: 200 }],
    ['401 with any error', 401, { error: 'nope' }, { kind: 'auth', message: 'nope', status: 401 }],
    ['403 with any error', 403, { error: 'nope' }, { kind: 'auth', message: 'nope', status: 403 }],
    ['400 with an error', 400, { error: 'Bad request' }, { kind: 'rejected', message: 'Bad request', status: 400 }],
    ['500 with an error', 500, { error: 'Server fault' }, { kind: 'unknown', message: 'Server fault', status: 500 }],
    ['199 is not a success', 199, {}, { kind: 'rejected', message: 'HTTP 199: unexpected response: {}', status: 199 }],
    ['300 is not a success', 300, {}, { kind: 'rejected', message: 'HTTP 300: unexpected response: {}', status: 300 }],
    ['299 is a success', 299, { userId: 1 }, { kind: 'created', providerUserId: '1' }],
    ['a 2xx that is not JSON', 200, '<html>ok</html>', { kind: 'unknown', message: 'HTTP 200: unexpected response: ok', status: 200 }],
    ['a 502 page', 502, '<h1>Bad Gateway</h1>', { kind: 'unknown', message: 'HTTP 502: unexpected response: Bad Gateway', status: 502 }],
  ] as const)('%s', (_name, status, body, outcome) => {
    expect(answer(status, body)).toEqual(outcome);
  });

  test('a 429 error answer keeps its Retry-After', () => {
    expect(answer(429, { error: 'Too many requests' }, { 'retry-after': '3' })).toEqual({ kind: 'rate_limited', message: 'Too many requests', status: 429, retryAfterSeconds: 3 });
    expect(answer(429, '', { 'retry-after': '4' })).toEqual({ kind: 'rate_limited', message: 'HTTP 429 with an empty body', status: 429, retryAfterSeconds: 4 });
  });

  test('user groups: a bare list or under any of the names clients read; entries without an id dropped; a non-list refused', () => {
    const groups = (body: unknown) => checkcentral.lookups.userGroups!.parse!({ status: 200, headers: {}, body: JSON.stringify(body) });
    expect(groups([{ userGroupId: 1, userGroupName: 'Ops' }, { id: 2 }, { name: 'no id' }])).toEqual([
      { value: '1', label: 'Ops' },
      { value: '2', label: '2' },
    ]);
    expect(groups({ UserGroups: [{ ID: 'g', Name: 'G' }] })).toEqual([{ value: 'g', label: 'G' }]);
    expect(groups({ groups: [{ id: 3, name: 'Three' }] })).toEqual([{ value: '3', label: 'Three' }]);
    expect(groups({ data: [{ id: 4 }] })).toEqual([{ value: '4', label: '4' }]);
    expect(() => groups({ error: 'nope' })).toThrow('CheckCentral sent no user group list');
    expect(() => groups('x')).toThrow('CheckCentral sent no user group list');
  });

  test('the lookup request carries the token in the query and asks for JSON', () => {
    const request = checkcentral.lookups.userGroups!.request!(settingsFrom({ CHECKCENTRAL_API_TOKEN: new Secret('tok-1'), CHECKCENTRAL_BASE_URL: 'https://api.example/' }), (secret) => secret.reveal());
    expect(request).toEqual({ method: 'GET', url: 'https://api.example/getUserGroups/?apiToken=tok-1', headers: { accept: 'application/json' } });
  });
});
