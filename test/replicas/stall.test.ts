import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import type { AccessRequest } from '../../src/domain/requests/request.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import type { BotProcess } from '../support/bot-process.js';
import type { SlackDriver } from '../support/driver.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { redisForTests, redisScope } from '../support/redis.js';
import { startReplicas } from '../support/replicas.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-stall-key-5e3a';
const redisUrl = await redisForTests();

describe.skipIf(!redisUrl)('a replica stalled mid-create', { timeout: 120_000 }, () => {
  let slack: FakeSlack;
  let dc: DigiCertSimulator;
  let dir: string;
  let store: Store;
  let bots: BotProcess[] = [];
  let drivers: SlackDriver[] = [];
  let stop: () => Promise<void>;
  const scope = redisScope(redisUrl ?? 'redis://127.0.0.1:6379', 'stall');

  beforeAll(async () => {
    slack = await startFakeSlack();
    dc = await startDigiCertSimulator({ apiKey: DC_KEY });
    dir = mkdtempSync(join(tmpdir(), 'adduser-stall-'));
    const url = scope.storeUrl;
    store = await openStore(url, { log: pino({ level: 'silent' }) });
    ({ bots, drivers, stop } = await startReplicas({ count: 2, storeUrl: url, store, slack, cwd: dir, env: { DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url } }));
  });
  afterAll(async () => {
    for (const bot of bots) bot.child.kill('SIGCONT');
    await stop();
    await store.close();
    await scope.clean();
    await Promise.all([slack.close(), dc.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('SIGSTOPped past the liveness TTL while its create is out, then SIGCONTed: one create, and its answer is what the request ends with', async () => {
    const [stalled, other] = drivers as [SlackDriver, SlackDriver];
    const view = await stalled.openModal('UREQUESTER1', 'digicert');
    const before = slack.calls.length;
    await stalled.submit('UREQUESTER1', view, { username: 'stalled.create', first_name: 'Stan', last_name: 'Still', email: 'stalled.create@example.com', container: '93288', access_roles: ['5'], reason: 'stall test' });
    const id = await stalled.postedRequestId(before);
    await waitFor(() => store.get(`slack:thread:${id}`), { what: 'the request message' });

    // The answer is held long enough for the stop to begin while the call is out.
    dc.inject({ kind: 'delay', ms: 1_000 }, { path: /^\/user$/, times: 1 });
    await stalled.click('UAPPROVER01', 'request_approve', id);
    await waitFor(() => dc.requests.some((request) => request.path === '/user'), { what: 'the create call' });
    bots[0]!.child.kill('SIGSTOP');
    try {
      // The other replica sees the first one's liveness key lapse and turns the request unknown.
      await waitFor(async () => (await store.get<AccessRequest>(`request:${id}`))?.state === 'unknown', { timeoutMs: 14_000, intervalMs: 50, what: 'recovery to mark it unknown' });
    } finally {
      bots[0]!.child.kill('SIGCONT');
    }
    const done = await other.waitForState(id, 'succeeded', 15_000);
    expect(done.outcome).toMatchObject({ kind: 'created' });
    expect(dc.requests.filter((request) => request.path === '/user')).toHaveLength(1);
    expect(dc.users).toHaveLength(1);
    await waitFor(async () => (await other.auditFor(id)).some((record) => record.action === 'succeeded'), { what: 'the success record' });
    const trail = (await other.auditFor(id)).map((record) => record.action);
    expect(trail.slice(-2)).toEqual(['unknown', 'succeeded']);
    await waitFor(() => slack.callsTo('chat.postMessage').some((call) => String(call.args.text).includes('Account created')), { what: 'the thread reply' });
  });
});
