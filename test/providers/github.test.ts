import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { github } from '../../src/adapters/providers/github/index.js';
import { settings as settingsFrom } from '../../src/adapters/providers/github/settings.js';
import { budget, parseCreate } from '../../src/adapters/providers/github/wire.js';
import { createLookupService, LookupError } from '../../src/adapters/providers/lookups.js';
import { Secret } from '../../src/config/secret.js';
import { closedPort } from '../simulators/harness.js';
import { type GitHubSimulator, startGitHubSimulator } from '../simulators/github.js';
import { captureLogs } from '../support/logs.js';
import { describeOutcomeMapping, expectRefused } from './shared-cases.js';

const TOKEN = 'ghp_testtoken0123456789abcdef';
const WRONG = 'ghp_wrongtoken99999999999';
const ORG = 'acme-corp';
const logs = captureLogs();
const settings = (baseUrl: string, credentials?: 'wrong', org = ORG) =>
  settingsFrom({ GITHUB_API_URL: baseUrl, GITHUB_ORG: org, GITHUB_TOKEN: new Secret(credentials ? WRONG : TOKEN) });

let counter = 0;
const form = (changes: Record<string, string | string[]> = {}) => ({ email: `dev${++counter}@example.com`, role: 'direct_member', ...changes });
const parse = (values: Record<string, string | string[]>) => github.input.parse(github.fromForm(values));
const PATH = /^\/orgs\/acme-corp\/invitations$/;

describe('GitHub: wire contract', () => {
  let sim: GitHubSimulator;
  const http = createHttpClient();
  const send = (input: unknown, s = settings(sim.url), sleep?: (ms: number) => Promise<void>) =>
    createUser(github, s, input, { http, log: logs.log, dryRun: false, ...(sleep && { sleep }) });
  beforeAll(async () => {
    sim = await startGitHubSimulator({ token: TOKEN, org: ORG });
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });

  test('POST /orgs/{org}/invitations with the Bearer token, GitHub’s media type and API version, and the documented body', async () => {
    const result = await send(parse(form({ email: 'jane@example.com', role: 'billing_manager', team_ids: ['1', '7'] })));
    expect(result.outcome).toEqual({ kind: 'created', providerUserId: String(sim.invitations[0]!.id), invited: true });
    const request = sim.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/orgs/acme-corp/invitations');
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
      'user-agent': 'adduser-bot',
    });
    expect(JSON.parse(request.body)).toEqual({ email: 'jane@example.com', role: 'billing_manager', team_ids: [1, 7] });
  });

  test('by GitHub user id, role defaulting to direct_member, no team_ids when none are chosen', async () => {
    const result = await send(parse({ invitee_id: '9919' }));
    expect(result.outcome.kind).toBe('created');
    expect(JSON.parse(sim.requests.at(-1)!.body)).toEqual({ invitee_id: 9919, role: 'direct_member' });
  });

  test.each([
    ['an existing member’s email', { email: 'OctoCat@example.com' }, 'A user with this email address is already a part of this organization'],
    ['an existing member’s user id', { email: '', invitee_id: '583231' }, 'Invitee is already a part of this organization'],
  ])('%s → already_exists with GitHub’s words', async (_name, changes, words) => {
    const result = await send(parse(form(changes)));
    expect(result.outcome).toEqual({ kind: 'already_exists', status: 422, message: `Validation Failed: ${words}` });
  });

  test('a pending invitee → already_exists; a pending email is answered with its invitation (GitHub’s observed behaviour)', async () => {
    const byId = parse({ invitee_id: '4242' });
    expect((await send(byId)).outcome.kind).toBe('created');
    expect((await send(byId)).outcome).toMatchObject({ kind: 'already_exists', message: expect.stringContaining('already been invited') });
    const byEmail = parse(form());
    const first = await send(byEmail);
    expect(await send(byEmail).then((again) => again.outcome)).toEqual(first.outcome);
  });

  test('another 422 → rejected with GitHub’s field message', async () => {
    const result = await send(parse(form({ team_ids: ['999'] })));
    expect(result.outcome).toEqual({ kind: 'rejected', status: 422, message: 'Validation Failed: Team ids must be teams of this organization.' });
  });

  test('an unknown organisation → a failure that names GITHUB_ORG', async () => {
    const result = await send(parse(form()), settings(sim.url, undefined, 'no-such-org'));
    expect(result.outcome).toMatchObject({ kind: 'rejected', status: 404, message: expect.stringMatching(/^Not Found: .*GITHUB_ORG/) });
  });

  test('the secondary limit (403 with retry-after 60) is not waited for; the primary (403, remaining 0) gives the wait until its reset', async () => {
    const tight = await startGitHubSimulator({ token: TOKEN, org: ORG, secondaryPerMinute: 1, primaryLimit: 3 });
    try {
      const waits: number[] = [];
      const sleep = async (ms: number) => void waits.push(ms);
      expect((await send(parse(form()), settings(tight.url), sleep)).outcome.kind).toBe('created');
      const secondary = await send(parse(form()), settings(tight.url), sleep);
      expect(secondary.outcome).toMatchObject({ kind: 'rate_limited', status: 403, retryAfterSeconds: 60, message: expect.stringContaining('secondary rate limit') });
      await send(parse(form()), settings(tight.url), sleep);
      const primary = await send(parse(form()), settings(tight.url), sleep);
      expect(primary.outcome).toMatchObject({ kind: 'rate_limited', status: 403, message: expect.stringContaining('API rate limit exceeded') });
      expect((primary.outcome as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(3_500);
      expect(waits).toEqual([]);
      expect(tight.count(PATH)).toBe(4);
    } finally {
      await tight.close();
    }
  });

  test('a 403 that is not a rate limit → auth', async () => {
    sim.inject({ kind: 'status', status: 403, body: JSON.stringify({ message: 'You must be an admin to create an invitation to an organization.' }) }, { path: PATH });
    expect((await send(parse(form()))).outcome).toMatchObject({ kind: 'auth', status: 403, message: 'You must be an admin to create an invitation to an organization.' });
  });

  test('teams load from the organisation, one page of 100, cached; an unreachable GitHub is a LookupError', async () => {
    const lookups = createLookupService({ http, log: logs.log, settingsOf: () => settings(sim.url) });
    expect(await lookups.choices(github, 'teams')).toEqual([
      { value: '1', label: 'Justice League' },
      { value: '7', label: 'Platform' },
    ]);
    const before = sim.requests.length;
    await lookups.choices(github, 'teams');
    expect(sim.requests.length).toBe(before);
    const lookup = sim.requests.find((request) => request.path === '/orgs/acme-corp/teams')!;
    expect(lookup.query.get('per_page')).toBe('100');
    expect(lookup.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const port = await closedPort();
    const down = createLookupService({ http, log: logs.log, settingsOf: () => settings(`http://127.0.0.1:${port}`) });
    await expect(down.choices(github, 'teams')).rejects.toBeInstanceOf(LookupError);
  });
});

describe('GitHub: answers → outcome classes', () => {
  const NOW = 1_800_000_000_000;
  const answer = (status: number, headers: Record<string, string>, body: unknown = { message: 'API rate limit exceeded' }) =>
    parseCreate({ status, headers, body: JSON.stringify(body) }, NOW);

  test.each([
    ['429 with retry-after', 429, { 'retry-after': '30' }, 30],
    ['429 with remaining 0 and a reset', 429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 900) }, 900],
    ['429 without either: at least a minute', 429, {}, 60],
    ['403 with retry-after', 403, { 'retry-after': '5' }, 5],
    ['403 with remaining 0 and a reset', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 42) }, 42],
    ['403 naming a secondary rate limit, no headers', 403, {}, 60],
    ['a reset already past', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 - 10) }, 0],
  ])('%s → rate_limited, %#', (_name, status, headers, seconds) => {
    expect(answer(status, headers)).toEqual({ kind: 'rate_limited', status, message: 'API rate limit exceeded', retryAfterSeconds: seconds });
  });

  test.each([
    [401, { message: 'Bad credentials' }, 'auth'],
    [403, { message: 'Resource not accessible by personal access token' }, 'auth'],
    [422, { message: 'Validation Failed', errors: [{ code: 'invalid', field: 'role' }] }, 'rejected'],
    [500, { message: 'Server Error' }, 'unknown'],
    [201, { node_id: 'no id' }, 'unknown'],
  ])('%i %o → %s', (status, body, kind) => {
    expect(answer(status, { 'x-ratelimit-remaining': '4999' }, body).kind).toBe(kind);
  });

  test('GitHub’s error details are kept after its summary', () => {
    expect(answer(422, {}, { message: 'Validation Failed', errors: [{ code: 'invalid', field: 'role' }, 'Role is wrong'] })).toEqual({
      kind: 'rejected',
      status: 422,
      message: 'Validation Failed: role invalid; Role is wrong',
    });
  });
});

describe('GitHub: the rate budget its answers carry', () => {
  const at = (headers: Record<string, string>) => budget({ status: 201, headers, body: '' }, 1_700_000_000_000);
  test('remaining and reset (epoch seconds) become a budget; a reset over an hour out is capped; missing or odd headers say nothing', () => {
    expect(at({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000600' })).toEqual({ remaining: 0, resetAt: 1_700_000_600_000 });
    expect(at({ 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': '1700000600' })).toEqual({ remaining: 4999, resetAt: 1_700_000_600_000 });
    expect(at({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000000' })).toEqual({ remaining: 0, resetAt: 1_700_003_600_000 });
    expect(at({ 'x-ratelimit-remaining': '0' })).toBeUndefined();
    expect(at({ 'x-ratelimit-reset': '1700000600' })).toBeUndefined();
    expect(at({ 'x-ratelimit-remaining': 'x', 'x-ratelimit-reset': '1700000600' })).toBeUndefined();
  });
});

describe('GitHub: input rules from the documentation', () => {
  test.each([
    ['neither email nor user id', { email: '' }, 'email', /either the email or the GitHub user id/],
    ['both email and user id', { invitee_id: '12' }, 'email', /either the email or the GitHub user id/],
    ['invalid email', { email: 'dev@' }, 'email', /valid email/],
    ['user id that is not a number', { email: '', invitee_id: 'octocat' }, 'invitee_id', /GitHub user id must be a number/],
    ['user id of zero', { email: '', invitee_id: '0' }, 'invitee_id', /positive/],
    ['a role GitHub does not have', { role: 'maintainer' }, 'role', /Role must be one of: direct_member, admin, billing_manager, reinstate/],
    ['a team id that is not a number', { team_ids: ['platform'] }, 'team_ids', /Team id must be a number/],
  ])('%s', (_name, changes, field, message) => {
    expectRefused(github, form(changes as Record<string, string | string[]>), field, message);
  });

  test('an unknown property can never be sent', () => {
    expect(github.input.safeParse({ ...(github.fromForm(form()) as object), org: 'elsewhere' }).success).toBe(false);
  });

  test('the modal fields follow the schema; the target is the email or the user id', () => {
    const byId = Object.fromEntries(github.fields.map((field) => [field.id, field]));
    expect(byId.email).toMatchObject({ optional: true, kind: 'email' });
    expect(byId.invitee_id).toMatchObject({ optional: true });
    expect(byId.role).toMatchObject({ kind: 'select', initial: 'direct_member' });
    expect(byId.role!.options!.map((option) => option.value)).toEqual(['direct_member', 'admin', 'billing_manager', 'reinstate']);
    expect(byId.team_ids).toMatchObject({ kind: 'multi_select', lookup: 'teams', optional: true });
    expect(github.target(parse(form({ email: 'a@example.com' })))).toBe('a@example.com');
    expect(github.target(parse({ invitee_id: '77' }))).toBe('GitHub user 77');
  });

  test('configured only with both the token and the organisation; GITHUB_ORG must be a login', () => {
    expect(settingsFrom({ GITHUB_API_URL: 'https://api.github.com', GITHUB_ORG: ORG }).configured).toBe(false);
    expect(settingsFrom({ GITHUB_API_URL: 'https://api.github.com', GITHUB_TOKEN: new Secret(TOKEN) }).configured).toBe(false);
    expect(settings('https://api.github.com/').baseUrl).toBe('https://api.github.com');
    expect(github.env.GITHUB_ORG.safeParse('acme/../../user').success).toBe(false);
    expect(github.env.GITHUB_ORG.safeParse('-acme').success).toBe(false);
  });
});

describeOutcomeMapping({
  provider: github,
  start: () => startGitHubSimulator({ token: TOKEN, org: ORG }),
  settings,
  input: () => parse(form()),
  createPath: PATH,
  logs,
  secrets: [TOKEN, WRONG],
  invites: true,
});

afterAll(() => {
  expect(logs.lines.length).toBeGreaterThan(0);
  expect(logs.text()).not.toContain(TOKEN);
});
