import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { createLookupService } from '../../src/adapters/providers/lookups.js';
import type { ScimInput } from '../../src/adapters/providers/scim/form.js';
import type { Simulator } from '../simulators/harness.js';
import { type ScimSimulator, startScimSimulator } from '../simulators/scim.js';
import { captureLogs } from '../support/logs.js';
import { type ScimmyServer, startScimmyServer } from '../support/scimmy-server.js';
import { discover, instance, parse, person, settingsOf } from './scim-support.js';
import { describeOutcomeMapping } from './shared-cases.js';

const TOKEN = 'scim-contract-token-4Jw9qZ';
const WRONG = 'scim-wrong-token-11Xa';
const logs = captureLogs();
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Server = Simulator & { users: Record<string, unknown>[]; groups: Record<string, unknown>[] };

/**
 * The same contract against two services: our simulator (RFC 7643/7644 as we read them) and
 * SCIMMY (as someone else read them), each behind the harness, which records requests and
 * injects faults.
 */
const servers: [string, () => Promise<Server>][] = [
  ['the simulator', () => startScimSimulator({ token: TOKEN }) as Promise<ScimSimulator>],
  ['SCIMMY, a real SCIM 2.0 server', () => startScimmyServer({ token: TOKEN }) as Promise<ScimmyServer>],
];

describe.each(servers)('SCIM 2.0 against %s', (_name, start) => {
  const provider = instance();
  const http = createHttpClient();
  let server: Server;
  const settings = (credentials?: 'wrong') => settingsOf(provider, server.url, credentials === 'wrong' ? WRONG : TOKEN);
  const create = (input: unknown) => createUser(provider, settings(), input, { http, log: logs.log, dryRun: false });
  const lookups = () => createLookupService({ http, log: logs.log, settingsOf: () => settings() });

  describeOutcomeMapping({
    provider,
    start: async () => {
      server = await start();
      await discover(provider, settingsOf(provider, server.url, TOKEN), http, logs);
      return server;
    },
    settings: (baseUrl, credentials) => settingsOf(provider, baseUrl, credentials === 'wrong' ? WRONG : TOKEN),
    input: () => parse(provider, person()),
    createPath: /\/Users$/,
    logs,
    secrets: [TOKEN, WRONG],
  });

  describe('the contract', () => {
    beforeAll(async () => {
      server = await start();
      expect(await discover(provider, settings(), http, logs)).toMatchObject({ state: 'discovered' });
    });
    afterAll(async () => {
      await server.close();
    });

    test('discovery: the form asks the core and enterprise attributes the service writes, and groups (it takes PATCH)', () => {
      expect(provider.fields.map((field) => field.id)).toEqual([
        'userName', 'name.givenName', 'name.familyName', 'displayName', 'emails[primary]', 'phoneNumbers[primary]', 'title', 'active', 'employeeNumber', 'department', 'manager', 'groups',
      ]);
      expect(provider.fields.find((field) => field.id === 'groups')).toMatchObject({ kind: 'multi_select', lookup: 'groups', search: true });
      expect(provider.fields.find((field) => field.id === 'active')).toMatchObject({ kind: 'select', options: [{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }] });
    });

    test('create: POST /Users as application/scim+json with the bearer token; the resource, extension keyed by its URN; 201 → the id', async () => {
      const values = person({ title: 'Support engineer', active: 'true', department: 'Support', 'phoneNumbers[primary]': '+1 555 415 1337' });
      const result = await create(parse(provider, values));
      const stored = server.users.at(-1)!;
      expect(result.outcome).toEqual({ kind: 'created', providerUserId: stored.id });
      const sent = server.requests.filter((request) => request.method === 'POST').at(-1)!;
      expect(sent.path).toMatch(/\/Users$/);
      expect(sent.headers['content-type']).toBe('application/scim+json');
      expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(JSON.parse(sent.body)).toEqual({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
        userName: values['emails[primary]'],
        name: { givenName: 'Isaac', familyName: 'Brock' },
        displayName: 'Isaac Brock',
        emails: [{ value: values['emails[primary]'], type: 'work', primary: true }],
        phoneNumbers: [{ value: '+1 555 415 1337', type: 'work', primary: true }],
        title: 'Support engineer',
        active: true,
        [ENTERPRISE]: { department: 'Support' },
      });
      expect(stored).toMatchObject({ userName: values['emails[primary]'], [ENTERPRISE]: { department: 'Support' } });
    });

    test('a userName the service has, in another case → already_exists with its detail (409 uniqueness)', async () => {
      const values = person();
      await create(parse(provider, values));
      const again = await create(parse(provider, { ...values, userName: values['emails[primary]'].toUpperCase() }));
      expect(again.outcome).toMatchObject({ kind: 'already_exists', status: 409, message: expect.stringMatching(/already taken.*\(scimType uniqueness\)$/) });
    });

    test('a value the service refuses → rejected with its detail and scimType, nothing created', async () => {
      const input = parse(provider, person()) as ScimInput;
      const before = server.users.length;
      // What a form discovered before the service changed its schema would send.
      const result = await create({ ...input, values: { ...input.values, active: 'maybe' } });
      expect(result.outcome).toMatchObject({ kind: 'rejected', status: 400, message: expect.stringMatching(/active.*\(scimType invalidValue\)$/) });
      expect(server.users).toHaveLength(before);
    });

    test('groups: the lookup searches displayName (sw, paged), and the new user joins each group chosen by PATCH', async () => {
      const choices = await lookups().choices(provider, 'groups', 'Eng');
      expect(choices.map((choice) => choice.label).sort()).toEqual(['Engineering', 'Engineering Managers']);
      const listed = server.requests.filter((request) => request.method === 'GET' && /\/Groups$/.test(request.path)).at(-1)!;
      expect(listed.query.get('filter')).toBe('displayName sw "Eng"');
      expect(listed.query.get('startIndex')).toBe('1');
      const result = await create(parse(provider, person({ groups: choices.map((choice) => choice.value) })));
      expect(result.outcome).toEqual({ kind: 'created', providerUserId: expect.any(String) });
      const userId = (result.outcome as { providerUserId: string }).providerUserId;
      const patches = server.requests.filter((request) => request.method === 'PATCH');
      expect(patches.slice(-2).map((request) => JSON.parse(request.body))).toEqual([0, 1].map(() => ({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
      })));
      for (const choice of choices) {
        const group = server.groups.find((candidate) => candidate.id === choice.value) as { members: { value: string }[] };
        expect(group.members.map((member) => member.value)).toContain(userId);
      }
      expect(result.request).toContain(`PATCH ${server.url}/Groups/${choices[0]!.value}`);
    });

    test('a group the service will not join leaves the user created, with a warning naming that group; the others are joined', async () => {
      const engineering = server.groups.find((group) => group.displayName === 'Engineering')!.id as string;
      const result = await create(parse(provider, person({ groups: ['no-such-group', engineering] })));
      expect(result.outcome).toMatchObject({ kind: 'created', warnings: [expect.stringMatching(/^Could not join group no-such-group: .*not found/i)] });
      const userId = (result.outcome as { providerUserId: string }).providerUserId;
      expect((server.groups.find((group) => group.id === engineering) as { members: { value: string }[] }).members.map((member) => member.value)).toContain(userId);
    });

    test('discovery that fails keeps the form in force and says why', async () => {
      const fresh = instance('FRESH');
      server.inject({ kind: 'status', status: 404, body: '' }, { path: /\/Schemas$/ });
      const status = await discover(fresh, settingsOf(fresh, server.url, TOKEN), http, logs);
      expect(status).toMatchObject({ state: 'failed', detail: expect.stringContaining('GET /') });
      expect(status.detail).toContain('answered HTTP 404');
      expect(status.detail).toContain('the core User fields');
      expect(fresh.fields.map((field) => field.id)).toEqual(['userName', 'name.givenName', 'name.familyName', 'displayName', 'emails[primary]', 'phoneNumbers[primary]', 'title', 'active']);
    });
  });

  afterAll(async () => {
    await http.close();
    expect(logs.text()).not.toContain(TOKEN);
  });
});
