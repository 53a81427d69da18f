import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import { type CheckCentralSimulator, startCheckCentralSimulator } from '../simulators/checkcentral.js';
import type { SlackDriver } from '../support/driver.js';
import { type FakeSlack, type FunctionExecution, startFakeSlack } from '../support/fake-slack.js';
import { redisForTests, redisScope } from '../support/redis.js';
import { startReplicas } from '../support/replicas.js';
import { functionExecutedPayload } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const CC_TOKEN = 'cc-replica-step-token-4a7b';
const STEPS = 8;
const redisUrl = await redisForTests();

describe.skipIf(!redisUrl)('workflow steps on two replicas sharing Redis', { timeout: 120_000 }, () => {
  let slack: FakeSlack;
  let cc: CheckCentralSimulator;
  let dir: string;
  let store: Store;
  let drivers: SlackDriver[] = [];
  let stop: (() => Promise<void>) | undefined;
  const scope = redisUrl ? redisScope(redisUrl, 'workflow-step') : undefined;

  beforeAll(async () => {
    slack = await startFakeSlack();
    cc = await startCheckCentralSimulator({ token: CC_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'adduser-replica-step-'));
    store = await openStore(scope!.storeUrl, { log: pino({ level: 'silent' }) });
    ({ drivers, stop } = await startReplicas({
      count: 2,
      storeUrl: scope!.storeUrl,
      store,
      slack,
      cwd: dir,
      env: { CHECKCENTRAL_API_TOKEN: CC_TOKEN, CHECKCENTRAL_BASE_URL: cc.url, ADDUSER_MAX_PENDING: '100' },
    }));
  });
  afterAll(async () => {
    await stop?.();
    await store?.close();
    await Promise.all([slack?.close(), cc?.close()]);
    await scope?.clean();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${STEPS} steps filed on either replica, each approved on both at once: each step completes exactly once`, async () => {
    const filed: { execution: FunctionExecution; id: string }[] = [];
    for (let n = 0; n < STEPS; n++) {
      const driver = drivers[n % 2]!;
      const execution = slack.startExecution();
      slack.addUser('UREQUESTER1');
      const before = slack.calls.length;
      const inputs = { provider: 'checkcentral', user_context: { id: 'UREQUESTER1', secret: 'x' }, reason: 'Replica onboarding', email: `rep.step${n}@myorg.example`, fields: '{"accessLevel":"user"}' };
      expect((await driver.send(JSON.stringify(functionExecutedPayload(execution, inputs)), { headers: { 'content-type': 'application/json' } })).status).toBe(200);
      const id = await driver.postedRequestId(before);
      await waitFor(async () => store.get(`slack:thread:${id}`), { what: 'the request thread' });
      filed.push({ execution, id });
    }
    await Promise.all(filed.flatMap(({ id }) => [drivers[0]!.click('UAPPROVER01', 'request_approve', id), drivers[1]!.click('UAPPROVER02', 'request_approve', id)]));
    for (const { execution, id } of filed) {
      await waitFor(() => execution.state === 'completed', { timeoutMs: 30_000, what: `the completion of ${id}` });
      expect(execution.outputs).toMatchObject({ request_id: id, status: 'succeeded', provider_user_id: expect.any(String) });
    }
    // Time for a second replica's completion to show up, were there one.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const { execution } of filed) {
      const calls = slack.calls.filter((call) => call.method.startsWith('functions.complete') && call.args.function_execution_id === execution.id);
      expect(calls.map((call) => [call.method, call.token])).toEqual([['functions.completeSuccess', execution.token]]);
    }
    expect(cc.count(/^\/createUser\/$/)).toBe(STEPS);
  });
});
