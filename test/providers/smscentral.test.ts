import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { createLookupService } from '../../src/adapters/providers/lookups.js';
import { smscentral } from '../../src/adapters/providers/smscentral/index.js';
import { env } from '../../src/adapters/providers/smscentral/schema.js';
import { settings as settingsFrom } from '../../src/adapters/providers/smscentral/settings.js';
import { Secret } from '../../src/config/secret.js';
import { type SmsCentralSimulator, startSmsCentralSimulator } from '../simulators/smscentral.js';
import { captureLogs } from '../support/logs.js';
import { describeOutcomeMapping, expectRefused } from './shared-cases.js';

const OWNER = 'owner-account';
const OWNER_PASSWORD = 'sms-owner-pass-7c1d';
const NEW_PASSWORD = 'NewUser-Pass-93kq';
const logs = captureLogs();
const settings = (baseUrl: string, credentials?: 'wrong') =>
  settingsFrom({ SMSCENTRAL_BASE_URL: baseUrl, SMSCENTRAL_USERNAME: OWNER, SMSCENTRAL_PASSWORD: new Secret(credentials ? 'sms-wrong-pass-55' : OWNER_PASSWORD) });

let counter = 0;
const form = (changes: Record<string, string | string[]> = {}) => ({
  USERNAME: `jsmith${++counter}`,
  PASSWORD: NEW_PASSWORD,
  FIRSTNAME: 'John',
  LASTNAME: 'Smith',
  EMAILADDRESS: 'john@example.com',
  MOBILENUMBER: '+61 412 345 678',
  ACCOUNTS: ['12345'],
  USERLEVEL: '3',
  ...changes,
});
const parse = (values: Record<string, string | string[]>) => smscentral.input.parse(smscentral.fromForm(values));

describe('SMS Central: wire contract', () => {
  let sim: SmsCentralSimulator;
  const http = createHttpClient();
  beforeAll(async () => {
    sim = await startSmsCentralSimulator({ username: OWNER, password: OWNER_PASSWORD });
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });

  test('POST /user/create, form-encoded, owner credentials and USER as JSON with an ACCOUNTS array', async () => {
    const input = parse(form({ USERNAME: 'jsmith', ACCOUNTS: ['12345', '67890'], USERLEVEL: '2' }));
    const result = await createUser(smscentral, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    expect(result.outcome).toEqual({ kind: 'created', providerUserId: String(sim.users[0]!.ID) });
    const [request] = sim.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/user/create');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const body = new URLSearchParams(request!.body);
    expect([...body.keys()]).toEqual(['USERNAME', 'PASSWORD', 'USER']);
    expect(body.get('USERNAME')).toBe(OWNER);
    expect(body.get('PASSWORD')).toBe(OWNER_PASSWORD);
    expect(JSON.parse(body.get('USER')!)).toEqual({
      USERNAME: 'jsmith',
      PASSWORD: NEW_PASSWORD,
      FIRSTNAME: 'John',
      LASTNAME: 'Smith',
      EMAILADDRESS: 'john@example.com',
      MOBILENUMBER: '+61412345678',
      ACCOUNTS: [
        { ID: 12345, Userlevel: 2 },
        { ID: 67890, Userlevel: 2 },
      ],
    });
  });

  test('the provider’s error description is kept, and a password it echoes back is masked', async () => {
    sim.echoPasswords = true;
    const weak = 'Short-pw1';
    const result = await createUser(smscentral, settings(sim.url), parse(form({ PASSWORD: weak })), { http, log: logs.log, dryRun: false });
    sim.echoPasswords = false;
    expect(result.outcome).toEqual({ kind: 'rejected', status: 200, message: 'Password [redacted] is too weak (error 112)' });
    expect(JSON.stringify(result)).not.toContain(weak);
    expect(logs.text()).not.toContain(weak);
  });

  test('a duplicate username → already_exists', async () => {
    const input = parse(form());
    await createUser(smscentral, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    const again = await createUser(smscentral, settings(sim.url), input, { http, log: logs.log, dryRun: false });
    expect(again.outcome).toEqual({ kind: 'already_exists', status: 200, message: 'Username already exists (error 120)' });
  });

  test('the dry run masks both passwords and shows everything else', async () => {
    const result = await createUser(smscentral, settings(sim.url), parse(form({ USERNAME: 'shown-user' })), { http, log: logs.log, dryRun: true });
    expect(result.request).not.toContain(OWNER_PASSWORD);
    expect(result.request).not.toContain(NEW_PASSWORD);
    const body = new URLSearchParams(result.request.split('\n\n')[1]);
    expect(body.get('PASSWORD')).toBe('[redacted]');
    expect(JSON.parse(body.get('USER')!)).toMatchObject({ USERNAME: 'shown-user', PASSWORD: '[redacted]' });
  });

  test('accounts come from SMSCENTRAL_ACCOUNTS, with no call to SMS Central', async () => {
    const configured = settingsFrom({
      SMSCENTRAL_BASE_URL: sim.url,
      SMSCENTRAL_ACCOUNTS: env.SMSCENTRAL_ACCOUNTS.parse('12345:Main account, 67890:Marketing'),
    });
    const before = sim.requests.length;
    const lookups = createLookupService({ http, log: logs.log, settingsOf: () => configured });
    expect(await lookups.choices(smscentral, 'accounts')).toEqual([
      { value: '12345', label: 'Main account (12345)' },
      { value: '67890', label: 'Marketing (67890)' },
    ]);
    expect(sim.requests.length).toBe(before);
    expect(env.SMSCENTRAL_ACCOUNTS.safeParse('12345:Main,abc').success).toBe(false);
  });
});

describe('SMS Central: input rules from the documentation', () => {
  test.each([
    ['mobile 12ab', { MOBILENUMBER: '12ab' }, 'MOBILENUMBER', /international format/],
    ['mobile without +', { MOBILENUMBER: '61412345678' }, 'MOBILENUMBER', /international format/],
    ['zero accounts', { ACCOUNTS: [] }, 'ACCOUNTS', /at least one account/],
    ['account id abc', { ACCOUNTS: ['abc'] }, 'ACCOUNTS', /Account id must be a number/],
    ['Userlevel 4', { USERLEVEL: '4' }, 'USERLEVEL', /User level must be 1 \(Administrator\), 2 \(Advanced\) or 3 \(Standard\)/],
    ['the same account twice', { ACCOUNTS: ['12345', '12345'] }, 'ACCOUNTS', /listed once/],
    ['missing first name', { FIRSTNAME: '' }, 'FIRSTNAME', /First name is required/],
    ['missing username', { USERNAME: '' }, 'USERNAME', /Username is required/],
    ['username with a space', { USERNAME: 'john smith' }, 'USERNAME', /cannot contain spaces/],
    ['invalid email', { EMAILADDRESS: 'john@' }, 'EMAILADDRESS', /Email must be a valid email/],
    ['short password', { PASSWORD: 'abc' }, 'PASSWORD', /at least 8 characters/],
  ])('%s', (_name, changes, field, message) => {
    expectRefused(smscentral, form(changes as Record<string, string | string[]>), field, message);
  });

  test('the parsed password is a Secret that prints masked, in the summary too', () => {
    const input = parse(form());
    expect(JSON.stringify(input)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(smscentral.summary(input))).not.toContain(NEW_PASSWORD);
    expect(input.PASSWORD.reveal()).toBe(NEW_PASSWORD);
  });
});

describeOutcomeMapping({
  provider: smscentral,
  start: () => startSmsCentralSimulator({ username: OWNER, password: OWNER_PASSWORD }),
  settings,
  input: () => parse(form()),
  createPath: /^\/user\/create$/,
  logs,
  secrets: [OWNER_PASSWORD, NEW_PASSWORD, 'sms-wrong-pass-55'],
});

describe('SMS Central: every answer shape → its outcome', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    smscentral.parseCreate({ status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  test.each([
    ['the documented success', 200, { user: { username: 'jsmith', ID: 42 } }, { kind: 'created', providerUserId: '42' }],
    ['a string ID', 201, { user: { ID: 'u-7' } }, { kind: 'created', providerUserId: 'u-7' }],
    ['an empty ID proves nothing', 200, { user: { ID: '' } }, { kind: 'unknown', message: 'HTTP 200: unexpected response: {"user":{"ID":""}}', status: 200 }],
    ['no user at all', 200, {}, { kind: 'unknown', message: 'HTTP 200: unexpected response: {}', status: 200 }],
    ['an error with its code, HTTP 200', 200, { error: { errorcode: 7, errordescription: 'Mobile number invalid' } }, { kind: 'rejected', message: 'Mobile number invalid (error 7)', status: 200 }],
    ['an error without a code', 200, { error: { errordescription: 'Bad user' } }, { kind: 'rejected', message: 'Bad user', status: 200 }],
    ['an error without words', 200, { error: { errorcode: 3 } }, { kind: 'rejected', message: 'error (error 3)', status: 200 }],
    ['a username taken', 200, { error: { errordescription: 'Username already exists' } }, { kind: 'already_exists', message: 'Username already exists', status: 200 }],
    ['already in use', 400, { error: { errordescription: 'Email already in use' } }, { kind: 'already_exists', message: 'Email already in use', status: 400 }],
    ['taken', 200, { error: { errordescription: 'That login is taken' } }, { kind: 'already_exists', message: 'That login is taken', status: 200 }],
    ['the owner’s login refused', 200, { error: { errordescription: 'Invalid username or password' } }, { kind: 'auth', message: 'Invalid username or password', status: 200 }],
    ['invalid credentials', 200, { error: { errordescription: 'Invalid credentials' } }, { kind: 'auth', message: 'Invalid credentials', status: 200 }],
    ['authentication failed', 200, { error: { errordescription: 'Authentication failed' } }, { kind: 'auth', message: 'Authentication failed', status: 200 }],
    ['401 with any error', 401, { error: { errordescription: 'no' } }, { kind: 'auth', message: 'no', status: 401 }],
    ['403 with any error', 403, { error: { errordescription: 'no' } }, { kind: 'auth', message: 'no', status: 403 }],
    ['a new user’s password rule is no credential problem', 200, { error: { errordescription: 'Password too weak' } }, { kind: 'rejected', message: 'Password too weak', status: 200 }],
    ['500 with an error', 500, { error: { errordescription: 'Oops' } }, { kind: 'unknown', message: 'Oops', status: 500 }],
    ['400 with an error', 400, { error: { errordescription: 'Bad' } }, { kind: 'rejected', message: 'Bad', status: 400 }],
    ['199 without an error', 199, { user: { ID: 1 } }, { kind: 'rejected', message: 'HTTP 199: unexpected response: {"user":{"ID":1}}', status: 199 }],
    ['300 without an error', 300, { user: { ID: 1 } }, { kind: 'rejected', message: 'HTTP 300: unexpected response: {"user":{"ID":1}}', status: 300 }],
    ['an HTML 502', 502, '<b>Bad Gateway</b>', { kind: 'unknown', message: 'HTTP 502: unexpected response: Bad Gateway', status: 502 }],
  ] as const)('%s', (_name, status, body, outcome) => {
    expect(answer(status, body)).toEqual(outcome);
  });

  test('429s keep their Retry-After, with an error body or without', () => {
    expect(answer(429, { error: { errordescription: 'Slow' } }, { 'retry-after': '3' })).toEqual({ kind: 'rate_limited', message: 'Slow', status: 429, retryAfterSeconds: 3 });
    expect(answer(429, '', { 'retry-after': '6' })).toEqual({ kind: 'rate_limited', message: 'HTTP 429 with an empty body', status: 429, retryAfterSeconds: 6 });
  });

  test('SMSCENTRAL_ACCOUNTS: ID:name pairs, spaces and empty entries forgiven, a bare id named Account; anything else refused', () => {
    const accounts = env.SMSCENTRAL_ACCOUNTS;
    expect(accounts.parse(' 12345:Main account , 67890 : Marketing ,,55')).toEqual([
      { value: '12345', label: 'Main account (12345)' },
      { value: '67890', label: 'Marketing (67890)' },
      { value: '55', label: 'Account (55)' },
    ]);
    expect(accounts.parse('')).toBeUndefined();
    expect(accounts.parse(undefined)).toBeUndefined();
    const refused = accounts.safeParse('12345:Main,abc:Other');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('SMSCENTRAL_ACCOUNTS must be ID:name pairs, e.g. 12345:Main account,67890:Marketing');
  });
});
