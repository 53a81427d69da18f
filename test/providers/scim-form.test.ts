import { afterAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { createLookupService } from '../../src/adapters/providers/lookups.js';
import { budget, parseCreate } from '../../src/adapters/providers/scim/wire.js';
import type { AnyProvider } from '../../src/adapters/providers/types.js';
import { attr } from '../simulators/scim-schemas.js';
import { type ScimOptions, startScimSimulator } from '../simulators/scim.js';
import { captureLogs } from '../support/logs.js';
import { discover, instance, parse, person, settingsOf } from './scim-support.js';
import { expectRefused } from './shared-cases.js';

const TOKEN = 'scim-form-token-Vb62kQ';
const logs = captureLogs();
const http = createHttpClient();
const servers: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  await http.close();
  for (const server of servers) await server.close();
  expect(logs.text()).not.toContain(TOKEN);
});

/** A provider whose form came from a simulator started with `options`, and that simulator. */
async function discovered(options: Partial<ScimOptions> = {}) {
  const sim = await startScimSimulator({ token: TOKEN, ...options });
  servers.push(sim);
  const provider = instance('FORM');
  const settings = settingsOf(provider, sim.url, TOKEN);
  const status = await discover(provider, settings, http, logs);
  return { sim, provider, settings, status };
}

const ids = (provider: AnyProvider) => provider.fields.map((field) => field.id);
const field = (provider: AnyProvider, id: string) => provider.fields.find((candidate) => candidate.id === id);

describe('SCIM: the form follows the service’s discovery (RFC 7643 §5–7)', () => {
  test('required attributes are required; a userName and display name left empty are made from the email and the names', async () => {
    const { provider, status } = await discovered({ schema: { required: ['emails', 'name'] } });
    expect(status).toEqual({ provider: 'form', state: 'discovered', detail: 'the service’s form, 12 fields (1 required)' });
    expect(field(provider, 'emails[primary]')).toMatchObject({ optional: false, kind: 'email' });
    // name is required, its sub-attributes are not: the service takes either part.
    expect(field(provider, 'name.givenName')).toMatchObject({ optional: true });
    expect(field(provider, 'userName')).toMatchObject({ optional: true, hint: 'Left empty, the email is the username.' });
    const missing = provider.input.safeParse(provider.fromForm({ 'name.givenName': 'Isaac' }));
    expect(missing.error?.issues.map((issue) => [provider.fieldOf(issue.path), issue.message])).toEqual([
      ['userName', 'Username is required'],
      ['emails[primary]', 'Email must be a valid email address'],
    ]);
    const input = parse(provider, { 'emails[primary]': 'isaac@example.com', 'name.givenName': 'Isaac', 'name.familyName': 'Brock' });
    expect(input).toMatchObject({ values: { userName: 'isaac@example.com', displayName: 'Isaac Brock' } });
  });

  test('read-only and missing attributes are not asked, and discovery says why; canonical values become the choices', async () => {
    const { provider, status } = await discovered({ schema: { readOnly: ['title'], omit: ['phoneNumbers'], canonical: { displayName: ['Isaac', 'Jill'] } } });
    expect(ids(provider)).not.toContain('title');
    expect(ids(provider)).not.toContain('phoneNumbers[primary]');
    expect(status.detail).toContain('not asked: phoneNumbers[primary]: not in the schema; title: read-only');
    expect(field(provider, 'displayName')).toMatchObject({ kind: 'select', options: [{ value: 'Isaac', label: 'Isaac' }, { value: 'Jill', label: 'Jill' }] });
    expectRefused(provider, person({ displayName: 'Bob' }), 'displayName', /Display name must be one of: Isaac, Jill/);
  });

  test('no enterprise extension, no PATCH: no employee fields, no groups, and it says so', async () => {
    const { provider, status } = await discovered({ enterprise: false, patch: false });
    expect(ids(provider)).toEqual(['userName', 'name.givenName', 'name.familyName', 'displayName', 'emails[primary]', 'phoneNumbers[primary]', 'title', 'active']);
    expect(status.detail).toContain('groups: the service does not support PATCH');
    expect(provider.privilegeFields).toEqual([]);
  });

  test('a required attribute outside the list is asked too, as the service names it', async () => {
    const { sim, provider, settings } = await discovered({ schema: { extra: [attr('costCode', { required: true })] } });
    expect(field(provider, 'costCode')).toMatchObject({ label: 'costCode', kind: 'text', optional: false });
    const result = await createUser(provider, settings, parse(provider, person({ costCode: 'CC-17' })), { http, log: logs.log, dryRun: false });
    expect(result.outcome.kind).toBe('created');
    expect(JSON.parse(sim.requests.at(-1)!.body)).toMatchObject({ costCode: 'CC-17' });
  });

  test('a service that does not filter gets no filter: the options listener narrows the page itself', async () => {
    const { sim, provider, settings } = await discovered({ filter: false });
    const choices = await createLookupService({ http, log: logs.log, settingsOf: () => settings }).choices(provider, 'groups', 'eng');
    expect(choices).toHaveLength(3);
    expect(sim.requests.at(-1)!.query.get('filter')).toBeNull();
  });

  test('the manager is searched by userName among the service’s users and named by display name', async () => {
    const { sim, provider, settings } = await discovered();
    await createUser(provider, settings, parse(provider, person({ userName: 'jill.valentine', displayName: 'Jill Valentine' })), { http, log: logs.log, dryRun: false });
    const choices = await createLookupService({ http, log: logs.log, settingsOf: () => settings }).choices(provider, 'users', 'JILL');
    expect(choices).toEqual([{ value: sim.users.at(-1)!.id, label: 'Jill Valentine · jill.valentine' }]);
    expect(sim.requests.at(-1)!.query.get('filter')).toBe('userName sw "JILL"');
    const input = parse(provider, person({ manager: choices[0]!.value }));
    await createUser(provider, settings, input, { http, log: logs.log, dryRun: false });
    expect(JSON.parse(sim.requests.at(-1)!.body)['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({ manager: { value: choices[0]!.value } });
  });

  test('discovery is bounded: a service that does not answer leaves the core fields after the time limit, and /readyz’s state says so', async () => {
    const { sim } = await discovered();
    const provider = instance('SLOW');
    sim.inject({ kind: 'delay', ms: 2_000 }, { path: /Schemas/ });
    const started = performance.now();
    const status = await discover(provider, settingsOf(provider, sim.url, TOKEN), http, logs, 300);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(status).toMatchObject({ state: 'failed', detail: expect.stringMatching(/no answer in time.*asking the core User fields/) });
  });
});

describe('SCIM: the form’s own rules', () => {
  const provider = instance('RULES');

  test('before discovery, the core User fields; what people give maps to them', () => {
    expect(ids(provider)).toEqual(['userName', 'name.givenName', 'name.familyName', 'displayName', 'emails[primary]', 'phoneNumbers[primary]', 'title', 'active']);
    expect(provider.fromPerson({ email: 'jill@example.com', first_name: 'Jill', last_name: 'Valentine' })).toEqual({
      userName: undefined,
      'name.givenName': 'Jill',
      'name.familyName': 'Valentine',
      'emails[primary]': 'jill@example.com',
    });
    expect(provider.mailFields).toEqual(['emails[primary]', 'userName']);
  });

  test('target, recipients, privileges and the summary approvers see', () => {
    const input = parse(provider, person({ userName: 'ibrock', active: 'FALSE', title: 'Engineer' }));
    expect(provider.target(input)).toBe('ibrock');
    expect(provider.recipients(input)).toEqual([expect.stringMatching(/^isaac\.brock\d+@example\.com$/)]);
    expect(provider.privileges(input)).toEqual({});
    expect(provider.summary(input)).toEqual([
      { label: 'Username', value: 'ibrock' },
      { label: 'First name', value: 'Isaac' },
      { label: 'Last name', value: 'Brock' },
      { label: 'Display name', value: 'Isaac Brock' },
      { label: 'Email', value: expect.stringMatching(/@example\.com$/) },
      { label: 'Job title', value: 'Engineer' },
      { label: 'Active', value: 'no' },
    ]);
  });

  test('the policy file’s vocabulary is every field the adapter can ask, groups included, whatever a service answered', () => {
    expect(provider.vocabulary?.map((one) => one.id)).toEqual([
      'userName', 'name.givenName', 'name.familyName', 'displayName', 'emails[primary]', 'phoneNumbers[primary]', 'title', 'active', 'employeeNumber', 'department', 'manager', 'groups',
    ]);
  });
});

describe('SCIM: answers in RFC 7644 §3.12’s terms', () => {
  const scim = (status: number, scimType: string | undefined, detail: string, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType && { scimType }), detail }),
  });

  test.each([
    [scim(409, undefined, 'taken'), { kind: 'already_exists', status: 409, message: 'taken' }],
    [scim(400, 'uniqueness', 'userName is in use'), { kind: 'already_exists', status: 400, message: 'userName is in use (scimType uniqueness)' }],
    [scim(400, 'invalidSyntax', 'bad body'), { kind: 'rejected', status: 400, message: 'bad body (scimType invalidSyntax)' }],
    [scim(400, 'mutability', 'id is read-only'), { kind: 'rejected', status: 400, message: 'id is read-only (scimType mutability)' }],
    [scim(401, undefined, 'no token'), { kind: 'auth', status: 401, message: 'no token' }],
    [scim(403, undefined, 'not allowed'), { kind: 'auth', status: 403, message: 'not allowed' }],
    [scim(404, undefined, 'no such endpoint'), { kind: 'rejected', status: 404, message: expect.stringContaining('check the instance’s SCIM_<NAME>_URL'.replace('’', "'")) }],
    [scim(429, undefined, 'slow down', { 'retry-after': '7' }), { kind: 'rate_limited', status: 429, retryAfterSeconds: 7, message: 'slow down' }],
    [scim(503, undefined, 'maintenance', { 'retry-after': '30' }), { kind: 'rate_limited', status: 503, retryAfterSeconds: 30, message: 'maintenance' }],
    [scim(503, undefined, 'down'), { kind: 'unknown', status: 503, message: 'down' }],
    [scim(501, undefined, 'no'), { kind: 'rejected', status: 501, message: 'no: the service does not create users over SCIM' }],
    [{ status: 201, headers: {}, body: '{"userName":"x"}' }, { kind: 'unknown', status: 201, message: expect.stringContaining('unexpected response') }],
    [{ status: 201, headers: {}, body: '{"id":"2819c223-7f76"}' }, { kind: 'created', providerUserId: '2819c223-7f76' }],
  ])('%# %j', (response, outcome) => {
    expect(parseCreate(response)).toEqual(outcome);
  });

  test('a 429 or 503 that names its wait holds later calls until then', () => {
    expect(budget({ status: 429, headers: { 'retry-after': '5' }, body: '' }, 1_000)).toEqual({ remaining: 0, resetAt: 6_000 });
    expect(budget({ status: 503, headers: {}, body: '' }, 1_000)).toBeUndefined();
    expect(budget({ status: 201, headers: { 'retry-after': '5' }, body: '' }, 1_000)).toBeUndefined();
  });
});

describe('SCIM through the executor', () => {
  test('dry run: the POST and each group’s PATCH, the token masked, the new id a placeholder', async () => {
    const { provider, settings, sim } = await discovered();
    const result = await createUser(provider, settings, parse(provider, person({ groups: [sim.groups[0]!.id] })), { http, log: logs.log, dryRun: true });
    expect(result.outcome.kind).toBe('dry_run');
    expect(result.request).toMatch(new RegExp(`^POST ${sim.url}/Users\\n`));
    expect(result.request).toContain('authorization: Bearer [redacted]');
    expect(result.request).toContain(`PATCH ${sim.url}/Groups/${sim.groups[0]!.id}`);
    expect(result.request).toContain('"value":"{id of the new user}"');
    expect(result.request).not.toContain(TOKEN);
  });

  test('a group PATCH answered 429 with a short Retry-After is sent again once after the wait; a reset one is a warning that it may have happened', async () => {
    const { provider, settings, sim } = await discovered();
    const [first, second] = sim.groups;
    sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { path: new RegExp(first!.id) });
    sim.inject({ kind: 'reset' }, { path: new RegExp(second!.id) });
    const sleeps: number[] = [];
    const holds: number[] = [];
    const result = await createUser(provider, settings, parse(provider, person({ groups: [first!.id, second!.id] })), {
      http,
      log: logs.log,
      dryRun: false,
      sleep: async (ms) => void sleeps.push(ms),
      holdUntil: (at) => void holds.push(at),
    });
    expect(sleeps).toEqual([1_000]);
    expect(result.outcome).toMatchObject({ kind: 'created', warnings: [expect.stringMatching(new RegExp(`^Could not join group ${second!.id}: connection failed after the request was sent \\(\\w+\\), so it may or may not have been done$`))] });
    expect(first!.members).toHaveLength(1);
    expect(sim.count(new RegExp(first!.id))).toBe(2);
  });

  test('a 429 on the create with Retry-After holds the limiter until then, as well as waiting for it', async () => {
    const { provider, settings, sim } = await discovered();
    sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '2' } }, { path: /\/Users$/ });
    const holds: number[] = [];
    const before = Date.now();
    const result = await createUser(provider, settings, parse(provider, person()), { http, log: logs.log, dryRun: false, sleep: async () => undefined, holdUntil: (at) => void holds.push(at) });
    expect(result.outcome.kind).toBe('created');
    expect(holds).toHaveLength(1);
    expect(holds[0]! - before).toBeGreaterThanOrEqual(2_000);
  });
});
