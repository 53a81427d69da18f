import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import type { AuditRecord } from '../../src/domain/audit.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import type { SlackDriver } from '../support/driver.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { redisForTests, redisScope } from '../support/redis.js';
import { startReplicas } from '../support/replicas.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-race-key-2b7c';
const REQUESTS = 50;
const redisUrl = await redisForTests();

const setups = [
  { name: 'two processes on one Redis', skip: !redisUrl, replicas: 2, scope: redisUrl ? () => redisScope(redisUrl, 'race') : undefined },
  { name: 'one process on SQLite', skip: false, replicas: 1, scope: undefined },
];

describe.each(setups)('$name', { timeout: 120_000 }, ({ skip, scope: newScope, replicas }) => {
  let slack: FakeSlack;
  let dc: DigiCertSimulator;
  let dir: string;
  let store: Store;
  let drivers: SlackDriver[] = [];
  let stop: (() => Promise<void>) | undefined;
  const scope = newScope?.();

  beforeAll(async () => {
    if (skip) return;
    // Races on the store are the subject: fifty request messages in one channel would wait on Slack's pace instead.
    slack = await startFakeSlack({ limits: 'none' });
    dc = await startDigiCertSimulator({ apiKey: DC_KEY });
    dir = mkdtempSync(join(tmpdir(), 'adduser-race-'));
    const url = scope?.storeUrl ?? `sqlite://${join(dir, 'race.sqlite')}`;
    store = await openStore(url, { log: pino({ level: 'silent' }) });
    ({ drivers, stop } = await startReplicas({ count: replicas, storeUrl: url, store, slack, cwd: dir, env: { DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_MAX_PENDING: '1000', ADDUSER_SLACK_PACE: 'off' } }));
  });
  afterAll(async () => {
    if (skip) return;
    await stop?.();
    await store?.close();
    await Promise.all([slack?.close(), dc?.close()]);
    await scope?.clean();
    rmSync(dir, { recursive: true, force: true });
  });

  test.skipIf(skip)(`${REQUESTS} requests, each approved by two approvers at once on different replicas: ${REQUESTS} creates`, async () => {
    const ids: string[] = [];
    for (let n = 0; n < REQUESTS; n++) {
      const driver = drivers[n % drivers.length]!;
      const view = await driver.openModal('UREQUESTER1', 'digicert');
      const before = slack.calls.length;
      const res = await driver.submit('UREQUESTER1', view, {
        username: `race.user${n}`,
        first_name: 'Rae',
        last_name: 'Race',
        email: `race${n}@example.com`,
        container: '93288',
        access_roles: ['5'],
        reason: 'race test',
      });
      expect(res.body).toBe('');
      ids.push(await driver.postedRequestId(before));
    }
    await waitFor(async () => (await Promise.all(ids.map((id) => store.get(`slack:thread:${id}`)))).every(Boolean), { timeoutMs: 30_000, what: 'every request message' });

    const a = drivers[0]!;
    const b = drivers[drivers.length - 1]!;
    await Promise.all(ids.map((id) => Promise.all([a.click('UAPPROVER01', 'request_approve', id), b.click('UAPPROVER02', 'request_approve', id)])));
    for (const id of ids) await a.waitForState(id, 'succeeded', 30_000);

    expect(dc.count(/^\/user$/)).toBe(REQUESTS);
    expect(new Set(dc.users.map((user) => user.username)).size).toBe(REQUESTS);
    for (const id of ids) {
      await waitFor(async () => (await a.auditFor(id)).some((record: AuditRecord) => record.action === 'succeeded'), { what: `the audit of ${id}` });
      const actions = (await a.auditFor(id)).map((record) => record.action);
      expect(actions.filter((action) => action === 'provisioning')).toHaveLength(1);
      expect(actions.filter((action) => action === 'approved')).toHaveLength(1);
    }
    const verdict = await (await import('../../src/domain/audit.js')).createAuditLog(store).verify();
    expect(verdict).toMatchObject({ ok: true });
  });
});
