import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { createLimiter } from '../../src/adapters/providers/limiter.js';
import { createLookupService } from '../../src/adapters/providers/lookups.js';
import { okta } from '../../src/adapters/providers/okta/index.js';
import { env } from '../../src/adapters/providers/okta/schema.js';
import { settings as settingsFrom } from '../../src/adapters/providers/okta/settings.js';
import { budget, parseCreate } from '../../src/adapters/providers/okta/wire.js';
import { Secret } from '../../src/config/secret.js';
import { z } from 'zod';
import { type OktaSimulator, startOktaSimulator } from '../simulators/okta.js';
import { captureLogs } from '../support/logs.js';
import { describeOutcomeMapping, expectRefused } from './shared-cases.js';

const TOKEN = '00okta-test-token-5Hq2vX';
const WRONG = '00okta-wrong-token-77';
const FORBIDDEN = '00okta-readonly-token-31';
const PASSWORD = 'Tlp-WENT2m-okta';
const logs = captureLogs();
const settings = (baseUrl: string, credentials?: 'wrong' | 'forbidden') =>
  settingsFrom({ OKTA_ORG_URL: baseUrl, OKTA_API_TOKEN: new Secret(credentials === 'wrong' ? WRONG : credentials === 'forbidden' ? FORBIDDEN : TOKEN) });

let counter = 0;
const form = (changes: Record<string, string | string[]> = {}) => ({
  firstName: 'Isaac',
  lastName: 'Brock',
  email: `isaac.brock${++counter}@example.com`,
  ...changes,
});
const parse = (values: Record<string, string | string[]>) => okta.input.parse(okta.fromForm(values));
const okJson = (status: number, value: unknown, headers: Record<string, string> = {}) => ({ status, headers, body: JSON.stringify(value) });
const oktaError = (code: string, summary: string, causes: string[] = []) => ({ errorCode: code, errorSummary: summary, errorLink: code, errorId: 'oaeSample', errorCauses: causes.map((errorSummary) => ({ errorSummary })) });

describe('Okta: wire contract', () => {
  let sim: OktaSimulator;
  const http = createHttpClient();
  const create = (input: unknown, s = settings(sim.url), extra: Partial<Parameters<typeof createUser>[3]> = {}) =>
    createUser(okta, s, input, { http, log: logs.log, dryRun: false, ...extra });
  beforeAll(async () => {
    sim = await startOktaSimulator({ token: TOKEN, forbiddenToken: FORBIDDEN });
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });

  test('POST /api/v1/users?activate=true with SSWS and the documented body, field by field', async () => {
    const input = parse(form({ email: 'isaac.brock@example.com', login: 'isaac.brock@example.com', mobilePhone: '555-415-1337', password: PASSWORD, groupIds: ['00g1emaKYZTWRYYRRTSK', '00garwpuyxHaWOkdV0g4'] }));
    const result = await create(input);
    expect(result.outcome).toEqual({ kind: 'created', providerUserId: sim.users[0]!.id });
    expect(sim.users[0]!.status).toBe('ACTIVE');

    const request = sim.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/v1/users');
    expect([...request.query]).toEqual([['activate', 'true']]);
    expect(request.headers.authorization).toBe(`SSWS ${TOKEN}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.accept).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      profile: { firstName: 'Isaac', lastName: 'Brock', email: 'isaac.brock@example.com', login: 'isaac.brock@example.com', mobilePhone: '555-415-1337' },
      credentials: { password: { value: PASSWORD } },
      groupIds: ['00g1emaKYZTWRYYRRTSK', '00garwpuyxHaWOkdV0g4'],
    });
  });

  test('without password, groups or phone those are left out, the login is the email, and Okta sends the activation email', async () => {
    const values = form();
    await create(parse(values));
    expect(JSON.parse(sim.requests.at(-1)!.body)).toEqual({ profile: { firstName: 'Isaac', lastName: 'Brock', email: values.email, login: values.email } });
    expect(sim.users.at(-1)!.status).toBe('PROVISIONED');
  });

  test('a taken login (in any case) → already_exists, with Okta’s words', async () => {
    const values = form();
    await create(parse(values));
    const again = await create(parse({ ...values, login: values.email.toUpperCase() }));
    expect(again.outcome).toEqual({
      kind: 'already_exists',
      status: 400,
      message: 'Api validation failed: login — login: An object with this field already exists in the current organization (E0000001)',
    });
  });

  test('a password the org’s policy refuses → rejected with Okta’s summary; the password never in the message', async () => {
    const result = await create(parse(form({ password: 'short' })));
    expect(result.outcome).toMatchObject({ kind: 'rejected', status: 400, message: expect.stringContaining('password: Password requirements were not met') });
  });

  test('a token without the right to create users → auth (403 E0000006)', async () => {
    const result = await create(parse(form()), settings(sim.url, 'forbidden'));
    expect(result.outcome).toEqual({ kind: 'auth', status: 403, message: 'You do not have permission to perform the requested action (E0000006)' });
  });

  test.each([
    [2, 'created'],
    [50, 'rate_limited'],
  ] as const)('429 E0000047 whose X-Rate-Limit-Reset is %i s away → %s; the limiter is told to hold until then', async (seconds, kind) => {
    const reset = Math.floor(Date.now() / 1000) + seconds;
    const headers = { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) };
    sim.inject({ kind: 'status', status: 429, headers, body: JSON.stringify(oktaError('E0000047', 'API call exceeded rate limit due to too many requests.')) }, { path: /^\/api\/v1\/users$/ });
    const waits: number[] = [];
    const holds: number[] = [];
    const result = await create(parse(form()), undefined, { sleep: async (ms) => void waits.push(ms), holdUntil: (at) => void holds.push(at) });
    expect(result.outcome.kind).toBe(kind);
    expect(holds).toEqual([reset * 1000]);
    if (kind === 'created') {
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(1_000);
      expect(waits[0]).toBeLessThanOrEqual(2_000);
    } else {
      expect(waits).toEqual([]);
      expect(result.outcome).toMatchObject({ status: 429, message: 'API call exceeded rate limit due to too many requests. (E0000047)' });
      expect((result.outcome as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(48);
    }
  });

  test('the groups lookup lists Okta groups only (Everyone and app groups cannot take members this way), with the token', async () => {
    const lookups = createLookupService({ http, log: logs.log, settingsOf: () => settings(sim.url) });
    expect(await lookups.choices(okta, 'groups')).toEqual([
      { value: '00g1emaKYZTWRYYRRTSK', label: 'Engineering' },
      { value: '00garwpuyxHaWOkdV0g4', label: 'Support' },
    ]);
    const request = sim.requests.find((r) => r.path === '/api/v1/groups')!;
    expect(request.headers.authorization).toBe(`SSWS ${TOKEN}`);
    expect(request.query.get('limit')).toBe('200');
  });
});

describe('Okta: error mapping, from the documented error object', () => {
  const now = Date.now();
  const soon = String(Math.floor(now / 1000) + 3);
  test.each([
    ['taken login', 400, oktaError('E0000001', 'Api validation failed: login', ['login: An object with this field already exists in the current organization']), {}, 'already_exists'],
    ['password policy', 400, oktaError('E0000001', 'Api validation failed: password', ['password: Password requirements were not met.']), {}, 'rejected'],
    ['email pattern', 400, oktaError('E0000001', 'Api validation failed: email', ['email: Does not match required pattern']), {}, 'rejected'],
    ['another field said to exist', 400, oktaError('E0000001', 'Api validation failed: email', ['email: An object with this field already exists']), {}, 'rejected'],
    ['too many groups', 400, oktaError('E0000093', 'Target count limit exceeded', ['The number of group targets is too large']), {}, 'rejected'],
    ['invalid token', 401, oktaError('E0000011', 'Invalid token provided'), {}, 'auth'],
    ['no permission', 403, oktaError('E0000006', 'You do not have permission to perform the requested action'), {}, 'auth'],
    ['rate limit', 429, oktaError('E0000047', 'API call exceeded rate limit due to too many requests.'), { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': soon }, 'rate_limited'],
    ['internal error', 500, oktaError('E0000009', 'Internal Server Error'), {}, 'unknown'],
  ] as const)('%s (%i) → %s, Okta’s summaries and code kept', (_name, status, body, headers, kind) => {
    const outcome = parseCreate(okJson(status, body, headers));
    expect(outcome).toMatchObject({ kind, status, message: `${[body.errorSummary, ...body.errorCauses.map((cause) => cause.errorSummary)].join(' — ')} (${body.errorCode})` });
  });

  test('429: X-Rate-Limit-Reset (epoch seconds) becomes the wait; no reset header, no wait', () => {
    const limited = parseCreate(okJson(429, oktaError('E0000047', 'API call exceeded rate limit due to too many requests.'), { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': soon }));
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(2);
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(4);
    const bare = parseCreate(okJson(429, oktaError('E0000047', 'API call exceeded rate limit due to too many requests.')));
    expect(bare).toEqual({ kind: 'rate_limited', status: 429, message: expect.any(String) });
  });

  test.each([
    ['the budget headers', { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '1700000030' }, { remaining: 0, resetAt: 1_700_000_030_000 }],
    ['a reset beyond a minute, capped', { 'x-rate-limit-remaining': '5', 'x-rate-limit-reset': '1800000000' }, { remaining: 5, resetAt: 1_700_000_060_000 }],
    ['no headers', {}, undefined],
    ['garbage', { 'x-rate-limit-remaining': 'many', 'x-rate-limit-reset': 'soon' }, undefined],
  ])('budget from %s', (_name, headers, expected) => {
    expect(budget({ status: 200, headers, body: '' }, 1_700_000_000_000)).toEqual(expected);
  });

  test('a 200 without a user id is not claimed as created', () => {
    expect(parseCreate(okJson(200, { status: 'ACTIVE' }))).toMatchObject({ kind: 'unknown', status: 200 });
  });
});

describe('Okta: rate-limit headers pace the creates', () => {
  let sim: OktaSimulator;
  const http = createHttpClient();
  beforeAll(async () => {
    sim = await startOktaSimulator({ token: TOKEN, rateLimit: { limit: 2, windowSeconds: 1 } });
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });
  const limited = () => sim.requests.filter((request) => request.status === 429).length;

  test('once X-Rate-Limit-Remaining reaches 0, the next creates wait for the reset instead of meeting a 429', async () => {
    const limiter = createLimiter(okta.limits!);
    // Start on a fresh window, so the count below does not depend on when the test began.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await limiter.run(() => createUser(okta, settings(sim.url), parse(form()), { http, log: logs.log, dryRun: false, holdUntil: limiter.holdUntil }));
      outcomes.push(result.outcome.kind);
    }
    expect(outcomes).toEqual(Array(5).fill('created'));
    expect(limited()).toBe(0);
  });

  test('without the headers read, the same sequence meets a 429 (and waits out the near reset it names)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    const waits: number[] = [];
    // Three creates meet it within one window; more tries only for a machine too slow to make three in a second.
    for (let i = 0; i < 10 && limited() === 0; i++) {
      await createUser(okta, settings(sim.url), parse(form()), { http, log: logs.log, dryRun: false, sleep: async (ms) => void waits.push(ms) });
    }
    expect(limited()).toBeGreaterThan(0);
    expect(waits.every((ms) => ms <= 2_000)).toBe(true);
  });
});

describe('Okta: configuration and input rules from the documentation', () => {
  const config = z.object(env);

  test('dry run until both the org URL and the token are set; the org URL must be https', () => {
    expect(okta.settings(config.parse({})).configured).toBe(false);
    expect(okta.settings(config.parse({ OKTA_API_TOKEN: TOKEN })).configured).toBe(false);
    expect(okta.settings(config.parse({ OKTA_ORG_URL: 'https://acme.okta.com/' })).configured).toBe(false);
    const both = okta.settings(config.parse({ OKTA_ORG_URL: 'https://acme.okta.com/', OKTA_API_TOKEN: TOKEN }));
    expect(both).toMatchObject({ configured: true, baseUrl: 'https://acme.okta.com' });
    const plain = config.safeParse({ OKTA_ORG_URL: 'http://acme.okta.com' });
    expect(plain.success).toBe(false);
    expect(plain.error!.issues[0]!.message).toMatch(/OKTA_ORG_URL must use https/);
  });

  test('an unconfigured dry run shows the exact request against Okta’s placeholder host, password masked, the token said to be missing', () => {
    const wire = okta.buildCreate(parse(form({ password: PASSWORD })), okta.settings(config.parse({})), () => '[redacted]');
    expect(wire.url).toBe('https://{yourOktaDomain}/api/v1/users?activate=true');
    expect(wire.headers.authorization).toBe('SSWS NOT_CONFIGURED');
    expect(JSON.parse(wire.body!).credentials).toEqual({ password: { value: '[redacted]' } });
  });

  test.each([
    ['missing first name', { firstName: '' }, 'firstName', /First name is required/],
    ['first name of 51 characters', { firstName: 'I'.repeat(51) }, 'firstName', /First name can be at most 50/],
    ['last name of 51 characters', { lastName: 'B'.repeat(51) }, 'lastName', /Last name can be at most 50/],
    ['invalid email', { email: 'isaac@' }, 'email', /Email must be a valid email/],
    ['email of 101 characters', { email: `${'a'.repeat(89)}@example.com` }, 'email', /Email can be at most 100/],
    ['username of 4 characters', { login: 'ib@x' }, 'login', /Username must be at least 5/],
    ['username of 101 characters', { login: `${'a'.repeat(89)}@example.com` }, 'login', /Username can be at most 100/],
    ['no email and no username', { email: '' }, 'email', /Email must be a valid email/],
    ['mobile phone of 101 characters', { mobilePhone: '5'.repeat(101) }, 'mobilePhone', /Mobile phone can be at most 100/],
    ['a typed group id with a quote', { groupIds: ['00g"; drop'] }, 'groupIds', /letters and digits/],
    ['the same group twice', { groupIds: ['00g1emaKYZTWRYYRRTSK', '00g1emaKYZTWRYYRRTSK'] }, 'groupIds', /once/],
  ])('%s', (_name, changes, field, message) => {
    expectRefused(okta, form(changes as Record<string, string | string[]>), field, message);
  });

  test('nothing beyond the documented body can be slipped into the input', () => {
    expect(okta.input.safeParse({ ...(okta.fromForm(form()) as object), type: { id: 'oty1' } }).success).toBe(false);
    expect(okta.input.safeParse({ ...(okta.fromForm(form()) as object), profile: { ...(okta.fromForm(form()) as { profile: object }).profile, admin: true } }).success).toBe(false);
  });

  test('the password becomes a Secret: summaries and JSON never print it', () => {
    const input = parse(form({ password: PASSWORD }));
    expect(JSON.stringify(input)).not.toContain(PASSWORD);
    expect(JSON.stringify(okta.summary(input))).not.toContain(PASSWORD);
    expect(okta.secretsOf(input).map((secret) => secret.reveal())).toEqual([PASSWORD]);
  });

  test('the modal fields take required-ness and limits from the schema', () => {
    const byId = Object.fromEntries(okta.fields.map((field) => [field.id, field]));
    expect(byId.firstName).toMatchObject({ optional: false, maxLength: 50 });
    expect(byId.email).toMatchObject({ optional: false, maxLength: 100, kind: 'email' });
    expect(byId.login).toMatchObject({ optional: true, maxLength: 100 });
    expect(byId.mobilePhone).toMatchObject({ optional: true, maxLength: 100 });
    expect(byId.password).toMatchObject({ optional: true, kind: 'password' });
    expect(byId.password).not.toHaveProperty('generateIfBlank');
    expect(byId.groupIds).toMatchObject({ lookup: 'groups', kind: 'multi_select' });
  });
});

describeOutcomeMapping({
  provider: okta,
  start: () => startOktaSimulator({ token: TOKEN }),
  settings,
  input: () => parse(form({ password: PASSWORD })),
  createPath: /^\/api\/v1\/users$/,
  logs,
  secrets: [TOKEN, WRONG, PASSWORD],
});

afterAll(() => {
  expect(logs.lines.length).toBeGreaterThan(0);
  for (const secret of [TOKEN, FORBIDDEN, PASSWORD]) expect(logs.text()).not.toContain(secret);
});
