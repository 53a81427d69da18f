import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';
import { request } from 'undici';
import { type Simulator, startSimulator } from '../simulators/harness.js';

type Stored = Record<string, unknown> & { id: string };

export interface ScimmyServer extends Simulator {
  users: Stored[];
  groups: Stored[];
}

let declared = false;
const store = { users: [] as Stored[], groups: [] as Stored[] };
let sequence = 0;

const lower = (value: unknown) => String(value ?? '').toLowerCase();

/** In-memory handlers for SCIMMY's bundled User (with the enterprise extension) and Group: storage, ids and userName's uniqueness are the handler's to keep. */
function declare(): void {
  if (declared) return;
  declared = true;
  const handlers = (kind: 'users' | 'groups') => ({
    ingress: (resource: { id?: string }, instance: Record<string, unknown>) => {
      const list = store[kind];
      if (kind === 'users' && list.some((user) => user.id !== resource.id && lower(user.userName) === lower(instance.userName))) {
        throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${String(instance.userName)} is already taken`);
      }
      const at = new Date().toISOString();
      const existing = resource.id ? list.find((item) => item.id === resource.id) : undefined;
      if (resource.id && !existing) throw new SCIMMY.Types.Error(404, null as unknown as string, `Resource ${resource.id} not found`);
      const stored: Stored = { ...instance, id: existing?.id ?? `${kind === 'users' ? 'u' : 'g'}-${String(++sequence).padStart(6, '0')}`, meta: { created: (existing?.meta as { created?: string } | undefined)?.created ?? at, lastModified: at } };
      if (existing) list.splice(list.indexOf(existing), 1, stored);
      else list.push(stored);
      return stored;
    },
    egress: (resource: { id?: string; filter?: { match: (values: unknown[]) => unknown[] } }) => {
      const list = store[kind];
      if (resource.id) {
        const found = list.find((item) => item.id === resource.id);
        if (!found) throw new SCIMMY.Types.Error(404, null as unknown as string, `Resource ${resource.id} not found`);
        return found;
      }
      return resource.filter ? resource.filter.match(list) : list;
    },
    degress: (resource: { id?: string }) => {
      const list = store[kind];
      const index = list.findIndex((item) => item.id === resource.id);
      if (index < 0) throw new SCIMMY.Types.Error(404, null as unknown as string, `Resource ${resource.id} not found`);
      list.splice(index, 1);
    },
  });
  for (const [Resource, kind] of [
    [SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false), 'users'],
    [SCIMMY.Resources.Group, 'groups'],
  ] as const) {
    const { ingress, egress, degress } = handlers(kind);
    // The handler types are SCIMMY's generics over its own schema classes; ours are plain records.
    const declaredResource = SCIMMY.Resources.declare(Resource) as unknown as {
      ingress: (handler: unknown) => unknown;
      egress: (handler: unknown) => unknown;
      degress: (handler: unknown) => unknown;
    };
    declaredResource.ingress(ingress);
    declaredResource.egress(egress);
    declaredResource.degress(degress);
  }
}

/**
 * A SCIM 2.0 service no one here wrote: SCIMMY's resources behind SCIMMY's Express routers, with
 * in-memory storage, on 127.0.0.1 under /scim/v2. The harness sits in front of it (at its root),
 * recording every request and injecting faults the way it does for the simulators. SCIMMY keeps its declarations in module
 * state, so one process (one test file) has one such service; `reset` empties it.
 */
export async function startScimmyServer(options: { token: string; groups?: string[] }): Promise<ScimmyServer> {
  declare();
  store.users.length = 0;
  store.groups.length = 0;
  for (const displayName of options.groups ?? ['Engineering', 'Engineering Managers', 'Support']) {
    store.groups.push({ id: `g-${String(++sequence).padStart(6, '0')}`, schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: [] });
  }
  const app = express();
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      handler: (req) => {
        if (req.header('authorization') !== `Bearer ${options.token}`) throw new Error('Authorization failed');
        return 'admin';
      },
    }) as unknown as express.Router,
  );
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const front = await startSimulator(async (recorded) => {
    const { host: _host, connection: _connection, 'content-length': _length, ...headers } = recorded.headers;
    const answer = await request(`${upstream}/scim/v2${recorded.url}`, { method: recorded.method as 'GET', headers, body: recorded.body === '' ? undefined : recorded.body });
    const replyHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers)) if (typeof value === 'string' && name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') replyHeaders[name] = value;
    return { status: answer.statusCode, headers: replyHeaders, body: await answer.body.text() };
  });
  return {
    ...front,
    users: store.users,
    groups: store.groups,
    async close() {
      await front.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
