import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import type { SlackDriver } from '../support/driver.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { type RedisScope, redisForTests, redisScope } from '../support/redis.js';
import { startReplicas } from '../support/replicas.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-shared-limit-key-41d0';
const REQUESTS = 150;
const redisUrl = await redisForTests();

describe.skipIf(!redisUrl)('provider limits across replicas', { timeout: 120_000 }, () => {
  let slack: FakeSlack;
  let dc: DigiCertSimulator;
  let dir: string;
  let store: Store;
  let drivers: SlackDriver[] = [];
  let stop: (() => Promise<void>) | undefined;
  let scope: RedisScope;

  beforeAll(async () => {
    // A provider's limits are the subject: 150 request messages in one channel would wait on Slack's pace instead.
    slack = await startFakeSlack({ limits: 'none' });
    dc = await startDigiCertSimulator({ apiKey: DC_KEY, rateLimits: [{ limit: 100, perMs: 5_000 }, { limit: 1_000, perMs: 180_000 }] });
    dir = mkdtempSync(join(tmpdir(), 'adduser-shared-limits-'));
    scope = redisScope(redisUrl!, 'limits');
    const url = scope.storeUrl;
    store = await openStore(url, { log: pino({ level: 'silent' }) });
    ({ drivers, stop } = await startReplicas({ count: 2, storeUrl: url, store, slack, cwd: dir, env: { DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_MAX_PENDING: '1000', ADDUSER_SLACK_PACE: 'off' } }));
  });
  afterAll(async () => {
    await stop?.();
    await store?.close();
    await Promise.all([slack?.close(), dc?.close()]);
    await scope.clean();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${REQUESTS} DigiCert approvals split over two replicas keep to 100 per 5 s together: 0 × 429`, async () => {
    const ids: string[] = [];
    for (let n = 0; n < REQUESTS; n++) {
      const driver = drivers[n % 2]!;
      const view = await driver.openModal('UREQUESTER1', 'digicert');
      const before = slack.calls.length;
      await driver.submit('UREQUESTER1', view, { username: `shared.limit${n}`, first_name: 'Sha', last_name: 'Red', email: `shared.limit${n}@example.com`, container: '93288', access_roles: ['5'], reason: 'limits across replicas' });
      ids.push(await driver.postedRequestId(before));
    }
    await waitFor(async () => (await Promise.all(ids.map((id) => store.get(`slack:thread:${id}`)))).every(Boolean), { timeoutMs: 30_000, what: 'every request message' });
    const since = dc.requests.length;
    await Promise.all(ids.map((id, n) => drivers[n % 2]!.click('UAPPROVER01', 'request_approve', id)));
    for (const id of ids) await drivers[0]!.waitForState(id, 'succeeded', 60_000);

    const seen = dc.requests.slice(since);
    expect(seen.filter((request) => request.path === '/user')).toHaveLength(REQUESTS);
    expect(seen.filter((request) => request.status === 429)).toEqual([]);
    expect(dc.users).toHaveLength(REQUESTS);
  });
});
