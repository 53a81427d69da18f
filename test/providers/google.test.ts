import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { google } from '../../src/adapters/providers/google/index.js';
import type { ServiceAccount } from '../../src/adapters/providers/google/schema.js';
import { settings as settingsFrom } from '../../src/adapters/providers/google/settings.js';
import { createLookupService, LookupError } from '../../src/adapters/providers/lookups.js';
import { createTokenCache } from '../../src/adapters/providers/tokens.js';
import { loadConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { closedPort } from '../simulators/harness.js';
import { type GoogleSimulator, ORGUNIT_SCOPE, startGoogleSimulator, USER_SCOPE } from '../simulators/google.js';
import { captureLogs } from '../support/logs.js';
import { describeOutcomeMapping, expectRefused } from './shared-cases.js';

const ADMIN = 'admin@example.com';
const MEMBER = 'member@example.com';
const USERS = /^\/admin\/directory\/v1\/users$/;
const TOKEN = /^\/token$/;
const logs = captureLogs();
const sims: GoogleSimulator[] = [];

const account = (sim: GoogleSimulator, privateKey = sim.keyFile.private_key): ServiceAccount => ({
  clientEmail: sim.keyFile.client_email,
  privateKey: new Secret(privateKey),
  keyId: sim.keyFile.private_key_id,
  tokenUri: sim.keyFile.token_uri,
});
const settingsFor = (sim: GoogleSimulator, options: { baseUrl?: string; subject?: string; privateKey?: string } = {}) =>
  settingsFrom({ GOOGLE_SERVICE_ACCOUNT_FILE: account(sim, options.privateKey), GOOGLE_ADMIN_SUBJECT: options.subject ?? ADMIN, GOOGLE_API_URL: options.baseUrl ?? sim.url });

let counter = 0;
const form = (changes: Record<string, string | string[]> = {}) => ({
  primaryEmail: `liz${++counter}@example.com`,
  givenName: 'Elizabeth',
  familyName: 'Smith',
  password: 'Correct-Horse-9-Battery',
  orgUnitPath: '/Engineering',
  changePasswordAtNextLogin: ['true'],
  ...changes,
});
const parse = (values: Record<string, string | string[]>) => google.input.parse(google.fromForm(values));

async function started(options?: Parameters<typeof startGoogleSimulator>[0]) {
  const sim = await startGoogleSimulator(options);
  sims.push(sim);
  return sim;
}

describe('Google Workspace: wire contract and token grant', () => {
  let sim: GoogleSimulator;
  const http = createHttpClient();
  const create = (input: unknown, settings = settingsFor(sim), extra: Partial<Parameters<typeof createUser>[3]> = {}) =>
    createUser(google, settings, input, { http, log: logs.log, dryRun: false, ...extra });
  beforeAll(async () => {
    sim = await started();
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });

  test('an RS256 assertion for the admin goes to token_uri; users.insert carries its bearer token and the documented body', async () => {
    const input = parse(form({ primaryEmail: 'liz@example.com' }));
    const result = await create(input);
    expect(result.outcome).toEqual({ kind: 'created', providerUserId: sim.users[0]!.id });

    const [grant, insert] = sim.requests;
    expect(grant).toMatchObject({ method: 'POST', path: '/token' });
    expect(grant!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const grantForm = new URLSearchParams(grant!.body);
    expect(grantForm.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const assertion = grantForm.get('assertion')!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS256', typ: 'JWT', kid: sim.keyFile.private_key_id });
    const claims = decodeJwt(assertion);
    expect(claims).toMatchObject({ iss: sim.keyFile.client_email, sub: ADMIN, aud: `${sim.url}/token`, scope: `${USER_SCOPE} ${ORGUNIT_SCOPE}` });
    expect(claims.exp! - claims.iat!).toBe(3600);

    expect(insert).toMatchObject({ method: 'POST', path: '/admin/directory/v1/users' });
    expect(insert!.headers.authorization).toBe(`Bearer ${sim.tokens[0]!.token}`);
    expect(insert!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(insert!.body)).toEqual({
      primaryEmail: 'liz@example.com',
      name: { givenName: 'Elizabeth', familyName: 'Smith' },
      password: 'Correct-Horse-9-Battery',
      orgUnitPath: '/Engineering',
      changePasswordAtNextLogin: true,
    });
  });

  test('a first sign-in that asks for a new password whatever the way in: left unsaid (a CSV cell, a preset, a workflow), it is asked; unticked in the form, it is not', () => {
    const unsaid = Object.fromEntries(Object.entries(form()).filter(([id]) => id !== 'changePasswordAtNextLogin'));
    expect((parse(unsaid) as { changePasswordAtNextLogin: boolean }).changePasswordAtNextLogin).toBe(true);
    expect((parse(form({ changePasswordAtNextLogin: [] })) as { changePasswordAtNextLogin: boolean }).changePasswordAtNextLogin).toBe(false);
    expect((parse(form({ changePasswordAtNextLogin: 'false' })) as { changePasswordAtNextLogin: boolean }).changePasswordAtNextLogin).toBe(false);
  });

  test('a blank org unit is left out (Google puts the user at the top level); the checkbox unticked sends false', async () => {
    await create(parse(form({ orgUnitPath: '', changePasswordAtNextLogin: [] })));
    const body = JSON.parse(sim.requests.at(-1)!.body) as Record<string, unknown>;
    expect(body).not.toHaveProperty('orgUnitPath');
    expect(body.changePasswordAtNextLogin).toBe(false);
  });

  test('one token serves many calls from a shared cache', async () => {
    const tokens = createTokenCache({ http, log: logs.log });
    const grants = sim.count(TOKEN);
    for (let i = 0; i < 3; i++) expect((await create(parse(form()), undefined, { tokens })).outcome.kind).toBe('created');
    expect(sim.count(TOKEN) - grants).toBe(1);
  });

  test('a token is renewed shortly before it expires, not after', async () => {
    let now = Date.now();
    const tokens = createTokenCache({ http, log: logs.log, now: () => now });
    sim.setTokenLifetime(900);
    const grants = sim.count(TOKEN);
    await create(parse(form()), undefined, { tokens });
    now += 500_000; // 400 s left: more than the 5-minute margin
    await create(parse(form()), undefined, { tokens });
    expect(sim.count(TOKEN) - grants).toBe(1);
    now += 150_000; // 250 s left: inside the margin
    await create(parse(form()), undefined, { tokens });
    expect(sim.count(TOKEN) - grants).toBe(2);
    const [first, second] = sim.requests.filter((r) => USERS.test(r.path)).slice(-2).map((r) => r.headers.authorization);
    expect(first).not.toBe(second);
    sim.setTokenLifetime(3599);
  });

  test('callers arriving while a grant is in flight share it', async () => {
    const tokens = createTokenCache({ http, log: logs.log });
    const grants = sim.count(TOKEN);
    const results = await Promise.all([1, 2, 3].map(() => create(parse(form()), undefined, { tokens })));
    expect(results.map((r) => r.outcome.kind)).toEqual(['created', 'created', 'created']);
    expect(sim.count(TOKEN) - grants).toBe(1);
  });

  test.each([
    ['a subject outside the domain', { subject: 'nobody@elsewhere.example' }, /Invalid email or User ID \(invalid_grant\)/],
    ['a key the service account does not have', { privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, /Invalid JWT Signature/],
  ])('a token refused for %s → auth, no create request sent', async (_name, options, message) => {
    const creates = sim.count(USERS);
    const result = await create(parse(form()), settingsFor(sim, options));
    expect(result.outcome).toMatchObject({ kind: 'auth', status: 400, message: expect.stringMatching(message) });
    expect(result.attempts).toBe(0);
    expect(sim.count(USERS)).toBe(creates);
  });

  test('scopes not granted for domain-wide delegation → auth (unauthorized_client), no create request', async () => {
    const narrow = await started({ delegatedScopes: [USER_SCOPE] });
    const result = await create(parse(form()), settingsFor(narrow));
    expect(result.outcome).toMatchObject({ kind: 'auth', status: 401, message: expect.stringContaining('unauthorized_client') });
    expect(narrow.count(USERS)).toBe(0);
    await narrow.close();
  });

  test('a token endpoint that refuses connections or answers 5xx → unavailable: nothing was created', async () => {
    const port = await closedPort();
    const refused = await create(parse(form()), settingsFrom({ GOOGLE_SERVICE_ACCOUNT_FILE: { ...account(sim), tokenUri: `http://127.0.0.1:${port}/token` }, GOOGLE_ADMIN_SUBJECT: ADMIN, GOOGLE_API_URL: sim.url }));
    expect(refused.outcome).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('ECONNREFUSED') });
    sim.inject({ kind: 'status', status: 503, body: '<html>Service Unavailable</html>', headers: { 'content-type': 'text/html' } }, { path: TOKEN });
    const creates = sim.count(USERS);
    const down = await create(parse(form()));
    expect(down.outcome).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('Service Unavailable') });
    expect(sim.count(USERS)).toBe(creates);
  });

  test('a token the API no longer accepts → auth, and the next call asks for a new one', async () => {
    const tokens = createTokenCache({ http, log: logs.log });
    await create(parse(form()), undefined, { tokens });
    sim.tokens.at(-1)!.expires = 0; // revoked on Google's side
    const grants = sim.count(TOKEN);
    const revoked = await create(parse(form()), undefined, { tokens });
    expect(revoked.outcome).toMatchObject({ kind: 'auth', status: 401, message: expect.stringContaining('authError') });
    expect((await create(parse(form()), undefined, { tokens })).outcome.kind).toBe('created');
    expect(sim.count(TOKEN) - grants).toBe(1);
  });

  test('a duplicate primary email → already_exists with Google’s words', async () => {
    const input = parse(form());
    await create(input);
    const again = await create(input);
    expect(again.outcome).toEqual({ kind: 'already_exists', status: 409, message: 'Entity already exists. (duplicate)' });
  });

  test('429 without Retry-After → rate_limited at once: one create request, no wait', async () => {
    const creates = sim.count(USERS);
    const sleeps: number[] = [];
    sim.inject({ kind: 'status', status: 429, body: JSON.stringify({ error: { code: 429, message: 'Rate Limit Exceeded', errors: [{ reason: 'rateLimitExceeded' }] } }) }, { path: USERS });
    const result = await create(parse(form()), undefined, { sleep: async (ms) => void sleeps.push(ms) });
    expect(result.outcome).toEqual({ kind: 'rate_limited', status: 429, message: 'Rate Limit Exceeded (rateLimitExceeded)' });
    expect(sleeps).toEqual([]);
    expect(sim.count(USERS) - creates).toBe(1);
  });

  test('403 userRateLimitExceeded with a short Retry-After waits as told, then creates: two create requests', async () => {
    const creates = sim.count(USERS);
    const sleeps: number[] = [];
    const body = JSON.stringify({ error: { code: 403, message: 'User Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded' }] } });
    sim.inject({ kind: 'status', status: 403, body, headers: { 'retry-after': '2' } }, { path: USERS });
    const result = await create(parse(form()), undefined, { sleep: async (ms) => void sleeps.push(ms) });
    expect(result.outcome.kind).toBe('created');
    expect(sleeps).toEqual([2000]);
    expect(sim.count(USERS) - creates).toBe(2);
  });

  test('an unknown org unit is Google’s validation message, kept', async () => {
    const result = await create(parse(form({ orgUnitPath: '/Nowhere' })));
    expect(result.outcome).toEqual({ kind: 'rejected', status: 400, message: 'Invalid Input: INVALID_OU_ID (invalid)' });
  });

  test('dry run shows the bearer header and the password masked, and asks for no token', async () => {
    const before = sim.requests.length;
    const result = await create(parse(form()), undefined, { dryRun: true });
    expect(result.request).toContain('authorization: Bearer [redacted]');
    expect(result.request).toContain('"password":"[redacted]"');
    expect(result.request).not.toContain('Correct-Horse');
    expect(sim.requests.length).toBe(before);
  });

  test('the org unit lookup lists every unit below the top, with the cached token; none when Google omits the list', async () => {
    const tokens = createTokenCache({ http, log: logs.log });
    const lookups = createLookupService({ http, log: logs.log, settingsOf: () => settingsFor(sim), tokens });
    expect(await lookups.choices(google, 'orgUnits')).toEqual([
      { value: '/Engineering', label: 'Engineering (/Engineering)' },
      { value: '/Engineering/Contractors', label: 'Contractors (/Engineering/Contractors)' },
      { value: '/Sales', label: 'Sales (/Sales)' },
    ]);
    const listed = sim.requests.at(-1)!;
    expect(listed.url).toBe('/admin/directory/v1/customer/my_customer/orgunits?type=all');
    expect(listed.headers.authorization).toMatch(/^Bearer ya29\./);
    const grants = sim.count(TOKEN);
    await create(parse(form()), undefined, { tokens });
    expect(sim.count(TOKEN)).toBe(grants);

    const flat = await started({ orgUnits: [] });
    const flatLookups = createLookupService({ http, log: logs.log, settingsOf: () => settingsFor(flat) });
    expect(await flatLookups.choices(google, 'orgUnits')).toEqual([]);
    await flat.close();
  });

  test('a lookup whose token is refused fails with LookupError (the modal then takes a typed path)', async () => {
    const lookups = createLookupService({ http, log: logs.log, settingsOf: () => settingsFor(sim, { subject: 'nobody@elsewhere.example' }) });
    await expect(lookups.choices(google, 'orgUnits')).rejects.toBeInstanceOf(LookupError);
  });
});

describe('Google Workspace: error mapping from Google’s error shape', () => {
  const answer = (status: number, reason: string, message: string, headers: Record<string, string> = {}) =>
    google.parseCreate({ status, headers, body: JSON.stringify({ error: { code: status, message, errors: [{ domain: 'global', reason, message }] } }) });

  test.each([
    [409, 'duplicate', 'Entity already exists.', { kind: 'already_exists' }],
    [403, 'forbidden', 'Not Authorized to access this resource/api', { kind: 'auth' }],
    [403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', { kind: 'auth' }],
    [401, 'authError', 'Invalid Credentials', { kind: 'auth' }],
    [403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', { kind: 'rate_limited' }],
    [403, 'rateLimitExceeded', 'Rate Limit Exceeded', { kind: 'rate_limited' }],
    [403, 'quotaExceeded', 'Quota exceeded', { kind: 'rate_limited' }],
    [429, 'rateLimitExceeded', 'Rate Limit Exceeded', { kind: 'rate_limited' }],
    [400, 'invalid', 'Invalid Password', { kind: 'rejected' }],
    [404, 'notFound', 'Domain not found.', { kind: 'rejected' }],
    [503, 'backendError', 'Backend Error', { kind: 'unknown' }],
    [500, 'internalError', 'Internal error encountered.', { kind: 'unknown' }],
  ] as const)('%i %s → %o, Google’s message and reason kept', (status, reason, message, expected) => {
    expect(answer(status, reason, message)).toEqual({ ...expected, status, message: `${message} (${reason})` });
  });

  test('a rate limit with a Retry-After says how long; without one it names no wait', () => {
    expect(answer(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', { 'retry-after': '7' })).toMatchObject({ kind: 'rate_limited', status: 403, retryAfterSeconds: 7 });
    expect(answer(429, 'rateLimitExceeded', 'Rate Limit Exceeded')).not.toHaveProperty('retryAfterSeconds');
  });

  test('a 200 without the new user’s id is unknown, never a success', () => {
    expect(google.parseCreate({ status: 200, headers: {}, body: '{"kind":"admin#directory#user"}' })).toMatchObject({ kind: 'unknown' });
  });
});

describe('Google Workspace: input rules from the documentation', () => {
  test.each([
    ['invalid email', { primaryEmail: 'liz@' }, 'primaryEmail', /valid email/],
    ['missing first name', { givenName: '' }, 'givenName', /First name is required/],
    ['first name of 61 characters', { givenName: 'E'.repeat(61) }, 'givenName', /at most 60/],
    ['last name of 61 characters', { familyName: 'S'.repeat(61) }, 'familyName', /at most 60/],
    ['a name with < >', { familyName: '<b>Smith</b>' }, 'familyName', /letters, digits, spaces/],
    ['password of 7 characters', { password: 'Short-1' }, 'password', /at least 8/],
    ['password of 101 characters', { password: 'p'.repeat(101) }, 'password', /at most 100/],
    ['password with non-ASCII', { password: 'pässwörd-long' }, 'password', /ASCII/],
  ])('%s', (_name, changes, field, message) => {
    expectRefused(google, form(changes as Record<string, string | string[]>), field, message);
  });

  test('an org unit typed without its leading slash gets one; the schema itself takes paths only', () => {
    expect(parse(form({ orgUnitPath: 'Engineering' })).orgUnitPath).toBe('/Engineering');
    expect(parse(form({ orgUnitPath: '/Sales' })).orgUnitPath).toBe('/Sales');
    const raw = google.input.safeParse({ ...(google.fromForm(form()) as object), orgUnitPath: 'Engineering' });
    expect(raw.error?.issues[0]?.message).toMatch(/starts with \//);
  });

  test('names keep accents, digits, dashes, slashes, periods and apostrophes', () => {
    expect(parse(form({ givenName: 'Zoë-Ann', familyName: "O'Brien Jr. 2/3" })).name).toEqual({ givenName: 'Zoë-Ann', familyName: "O'Brien Jr. 2/3" });
  });

  test('the modal fields take required-ness and limits from the schema; a blank password is generated', () => {
    const byId = Object.fromEntries(google.fields.map((field) => [field.id, field]));
    expect(byId.primaryEmail).toMatchObject({ optional: false, kind: 'email' });
    expect(byId.givenName).toMatchObject({ optional: false, maxLength: 60 });
    expect(byId.familyName).toMatchObject({ optional: false, maxLength: 60 });
    expect(byId.password).toMatchObject({ optional: true, generateIfBlank: true, maxLength: 100, kind: 'password' });
    expect(byId.orgUnitPath).toMatchObject({ optional: true, lookup: 'orgUnits' });
    expect(byId.changePasswordAtNextLogin).toMatchObject({ initial: ['true'] });
  });

  test('the summary masks the password', () => {
    const lines = google.summary(parse(form()));
    expect(JSON.stringify(lines)).not.toContain('Correct-Horse');
    expect(lines).toContainEqual({ label: 'Password', value: '[redacted]' });
  });
});

describe('Google Workspace: configuration', () => {
  let dir: string;
  let sim: GoogleSimulator;
  const keyBody = () => sim.keyFile.private_key.split('\n')[1]!;
  const write = (name: string, content: string, mode = 0o600) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode });
    chmodSync(path, mode);
    return path;
  };
  const problem = (path: string) => {
    const parsed = google.env.GOOGLE_SERVICE_ACCOUNT_FILE.safeParse(path);
    expect(parsed.success).toBe(false);
    const message = parsed.error!.issues.map((issue) => issue.message).join('\n');
    expect(message).not.toContain(keyBody());
    return message;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'google-config-'));
    sim = await started();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  });

  test('a readable key file and a subject configure the provider; either missing keeps it in dry-run', () => {
    const env = (values: Record<string, string>) => {
      const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-test', SLACK_SIGNING_SECRET: 'signing-secret', ...values });
      if (!loaded.ok) throw new Error(loaded.message);
      return loaded.config.providers.google as ReturnType<typeof settingsFrom>;
    };
    const path = sim.writeKeyFile(dir);
    const configured = env({ GOOGLE_SERVICE_ACCOUNT_FILE: path, GOOGLE_ADMIN_SUBJECT: ADMIN });
    expect(configured).toMatchObject({ configured: true, baseUrl: 'https://admin.googleapis.com', subject: ADMIN, account: { clientEmail: sim.keyFile.client_email, tokenUri: sim.keyFile.token_uri } });
    expect(JSON.stringify(configured)).not.toContain(keyBody());
    expect(env({ GOOGLE_SERVICE_ACCOUNT_FILE: path }).configured).toBe(false);
    expect(env({ GOOGLE_ADMIN_SUBJECT: ADMIN }).configured).toBe(false);
  });

  test.each([
    ['a missing file', () => join(dir, 'absent.json'), /cannot be read \(ENOENT\)/],
    ['a file that is not JSON, its key quoted nowhere', () => write('broken.json', `{"private_key": "${sim.keyFile.private_key.replace(/\n/g, '\\n')}", oops`), /is not a JSON service account key file/],
    ['no private_key', () => write('nokey.json', JSON.stringify({ ...sim.keyFile, private_key: undefined })), /private_key is missing/],
    ['no client_email', () => write('noemail.json', JSON.stringify({ ...sim.keyFile, client_email: undefined })), /client_email is missing/],
    ['a private_key that is not a key', () => write('badkey.json', JSON.stringify({ ...sim.keyFile, private_key: `-----BEGIN PRIVATE KEY-----\n${keyBody().slice(0, 20)}\n-----END PRIVATE KEY-----\n` })), /cannot be read as a private key/],
    ['a token_uri over plain http to another host', () => write('http.json', JSON.stringify({ ...sim.keyFile, token_uri: 'http://oauth2.example.com/token' })), /token_uri must use https/],
  ])('%s is a configuration problem naming the file, never quoting the key', (_name, path, message) => {
    expect(problem(path())).toMatch(message);
  });

  test.each(['0644', '0666', '0640', '0604', '0620'])('a key file group or others may use (%s) is refused, naming the file and the chmod that fixes it', (octal) => {
    const mode = Number.parseInt(octal, 8);
    const path = write(`open-${octal}.json`, JSON.stringify(sim.keyFile), mode);
    const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-test', SLACK_SIGNING_SECRET: 'signing-secret', GOOGLE_SERVICE_ACCOUNT_FILE: path, GOOGLE_ADMIN_SUBJECT: ADMIN });
    expect(loaded.ok).toBe(false);
    const { message } = loaded as { message: string };
    expect(message).toContain(`GOOGLE_SERVICE_ACCOUNT_FILE ${path}: permissions ${octal} are too open`);
    expect(message).toContain(`chmod 600 ${path}`);
    expect(message).not.toContain(keyBody());
  });

  test('a key file only its owner may read (600, 400) is taken', () => {
    for (const mode of [0o600, 0o400]) {
      const path = write(`tight-${mode.toString(8)}.json`, JSON.stringify(sim.keyFile), mode);
      expect(google.env.GOOGLE_SERVICE_ACCOUNT_FILE.safeParse(path).success).toBe(true);
    }
  });

  test.skipIf(process.getuid?.() !== 0)('a key file another user owns (a mounted secret) may be read through its group, never by everyone', () => {
    const grouped = write('mounted-640.json', JSON.stringify(sim.keyFile), 0o640);
    chownSync(grouped, 65534, 0);
    expect(google.env.GOOGLE_SERVICE_ACCOUNT_FILE.safeParse(grouped).success).toBe(true);
    const everyone = write('mounted-644.json', JSON.stringify(sim.keyFile), 0o644);
    chownSync(everyone, 65534, 0);
    expect(problem(everyone)).toContain(`every user of this machine can read the private key. Have its owner run: chmod o-rwx ${everyone}`);
  });

  test('start-up lists the key file problem with the others, without a stack trace or the key', () => {
    const path = write('start.json', `${JSON.stringify(sim.keyFile)}}`);
    const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-test', SLACK_SIGNING_SECRET: 'signing-secret', GOOGLE_SERVICE_ACCOUNT_FILE: path, GOOGLE_ADMIN_SUBJECT: 'not an email' });
    expect(loaded.ok).toBe(false);
    const { message } = loaded as { message: string };
    expect(message).toContain(`GOOGLE_SERVICE_ACCOUNT_FILE ${path}: is not a JSON service account key file`);
    expect(message).toContain('GOOGLE_ADMIN_SUBJECT must be the email address of a Workspace admin');
    expect(message).not.toContain(keyBody());
    expect(message).not.toMatch(/\n\s+at /);
  });
});

let mappingSim: GoogleSimulator;
const mappingSecrets: string[] = [];
describeOutcomeMapping({
  provider: google,
  start: async () => {
    mappingSim = await started();
    mappingSecrets.push(mappingSim.keyFile.private_key, mappingSim.keyFile.private_key.split('\n')[1]!);
    return mappingSim;
  },
  // The token endpoint stays the simulator's: only the Directory API moves (refused, forwarded).
  settings: (baseUrl, credentials) => settingsFor(mappingSim, { baseUrl, subject: credentials ? MEMBER : ADMIN }),
  input: () => parse(form()),
  createPath: USERS,
  logs,
  secrets: mappingSecrets,
});

afterAll(() => {
  const text = logs.text();
  expect(text).toContain('provider token granted');
  for (const sim of sims) {
    expect(text).not.toContain(sim.keyFile.private_key.split('\n')[1]!);
    for (const { token } of sim.tokens) expect(text).not.toContain(token);
  }
});
