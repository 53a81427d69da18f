import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createLookupService } from '../../src/adapters/providers/lookups.js';
import { type ScimSimulator, startScimSimulator } from '../simulators/scim.js';
import { captureLogs } from '../support/logs.js';
import { type ScimmyServer, startScimmyServer } from '../support/scimmy-server.js';
import { discover, instance, settingsOf } from './scim-support.js';

const TOKEN = 'scim-disagree-token-8Tq1';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const logs = captureLogs();
const GROUPS = Array.from({ length: 25 }, (_, index) => `Eng ${String(index + 1).padStart(2, '0')}`);

/**
 * Where SCIMMY (with scimmy-routers 1.3 on Express 5) reads RFC 7643/7644 otherwise than the
 * simulator does, pinned so a change on either side shows. The bot is written to work with both.
 */
describe('SCIMMY and the simulator, side by side', () => {
  let sim: ScimSimulator;
  let real: ScimmyServer;
  const http = createHttpClient();
  const raw = (base: string, path: string, init: { method?: string; body?: unknown; contentType?: string; token?: string } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${init.token ?? TOKEN}`, accept: 'application/scim+json', ...(init.body !== undefined && { 'content-type': init.contentType ?? 'application/scim+json' }) },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });

  beforeAll(async () => {
    sim = await startScimSimulator({ token: TOKEN, groups: GROUPS, maxResults: 10 });
    real = await startScimmyServer({ token: TOKEN, groups: GROUPS });
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
    await real.close();
  });

  test('sw on a caseExact=false attribute: the simulator ignores case (RFC 7644 §3.4.2.2), SCIMMY does not', async () => {
    const filter = `?filter=${encodeURIComponent('displayName sw "eng"')}`;
    expect(((await (await raw(sim.url, `/Groups${filter}`)).json()) as { totalResults: number }).totalResults).toBe(25);
    expect(((await (await raw(real.url, `/Groups${filter}`)).json()) as { totalResults: number }).totalResults).toBe(0);
  });

  test('startIndex and count: the simulator pages (RFC 7644 §3.4.2.4); SCIMMY answers the first page whatever is asked, so the lookup stops at a page with nothing new', async () => {
    const page = async (base: string) => (await (await raw(base, '/Groups?startIndex=11&count=5')).json()) as { startIndex: number; Resources: unknown[] };
    expect(await page(sim.url)).toMatchObject({ startIndex: 11, Resources: { length: 5 } });
    expect(await page(real.url)).toMatchObject({ startIndex: 1, Resources: { length: 20 } });

    for (const [server, pages, found] of [[sim, 3, 25], [real, 2, 20]] as const) {
      const provider = instance('PAGED');
      const settings = settingsOf(provider, server.url, TOKEN);
      await discover(provider, settings, http, logs);
      const before = server.count(/\/Groups$/);
      const choices = await createLookupService({ http, log: logs.log, settingsOf: () => settings }).choices(provider, 'groups', 'Eng');
      expect(choices).toHaveLength(found);
      expect(server.count(/\/Groups$/) - before).toBe(pages);
    }
  });

  test('a 201 carries the Location header in the simulator (RFC 7644 §3.3); SCIMMY puts it in meta.location only', async () => {
    const body = { schemas: [USER], userName: 'location.check@example.com' };
    const fromSim = await raw(sim.url, '/Users', { method: 'POST', body });
    const fromReal = await raw(real.url, '/Users', { method: 'POST', body });
    expect([fromSim.status, fromReal.status]).toEqual([201, 201]);
    expect(fromSim.headers.get('location')).toMatch(/\/Users\/[\w-]+$/);
    expect(fromReal.headers.get('location')).toBeNull();
    expect(((await fromReal.json()) as { meta: { location: string } }).meta.location).toMatch(/\/Users\/[\w-]+$/);
  });

  test('a resource without schemas (RFC 7643 §3: REQUIRED): the simulator refuses it, SCIMMY creates it', async () => {
    const body = { userName: 'no.schemas@example.com' };
    expect((await raw(sim.url, '/Users', { method: 'POST', body })).status).toBe(400);
    expect((await raw(real.url, '/Users', { method: 'POST', body })).status).toBe(201);
  });

  test('a body that is not application/scim+json: 415 from the simulator, 400 "missing body" from SCIMMY', async () => {
    const body = { schemas: [USER], userName: 'plain.text@example.com' };
    expect((await raw(sim.url, '/Users', { method: 'POST', body, contentType: 'text/plain' })).status).toBe(415);
    const fromReal = await raw(real.url, '/Users', { method: 'POST', body, contentType: 'text/plain' });
    expect(fromReal.status).toBe(400);
    expect(await fromReal.json()).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringContaining('Missing request body') });
  });

  test('PATCH add members: 204 from the simulator, 200 with the group from SCIMMY (RFC 7644 §3.5.2 allows both)', async () => {
    const patch = (userId: string) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] });
    for (const [server, status] of [[sim, 204], [real, 200]] as const) {
      const created = (await (await raw(server.url, '/Users', { method: 'POST', body: { schemas: [USER], userName: `patch.${status}@example.com` } })).json()) as { id: string };
      expect((await raw(server.url, `/Groups/${server.groups[0]!.id}`, { method: 'PATCH', body: patch(created.id) })).status).toBe(status);
    }
  });

  test('a refused token: both 401 with a SCIM error; only the simulator names the scheme in WWW-Authenticate (RFC 6750 §3)', async () => {
    const fromSim = await raw(sim.url, '/Users', { token: 'nope' });
    const fromReal = await raw(real.url, '/Users', { token: 'nope' });
    expect([fromSim.status, fromReal.status]).toEqual([401, 401]);
    expect(await fromReal.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    expect(fromSim.headers.get('www-authenticate')).toBe('Bearer');
    expect(fromReal.headers.get('www-authenticate')).toBeNull();
  });
});
