import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import type { Batch } from '../../src/domain/batch/batch.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { CHANNEL, type SlackDriver } from '../support/driver.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { type RedisScope, redisForTests, redisScope } from '../support/redis.js';
import { startReplicas } from '../support/replicas.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-batch-replicas-key-6e0a';
const ROWS = 30;
const redisUrl = await redisForTests();

describe.skipIf(!redisUrl)('a batch on two replicas sharing Redis', { timeout: 120_000 }, () => {
  let slack: FakeSlack;
  let dc: DigiCertSimulator;
  let dir: string;
  let store: Store;
  let drivers: SlackDriver[] = [];
  let stop: (() => Promise<void>) | undefined;
  let scope: RedisScope;

  beforeAll(async () => {
    slack = await startFakeSlack();
    dc = await startDigiCertSimulator({ apiKey: DC_KEY });
    dir = mkdtempSync(join(tmpdir(), 'adduser-batch-replicas-'));
    scope = redisScope(redisUrl!, 'batch');
    store = await openStore(scope.storeUrl, { log: pino({ level: 'silent' }) });
    ({ drivers, stop } = await startReplicas({ count: 2, storeUrl: scope.storeUrl, store, slack, cwd: dir, env: { DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url } }));
  });
  afterAll(async () => {
    await stop?.();
    await store?.close();
    await Promise.all([slack?.close(), dc?.close()]);
    await scope?.clean();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${ROWS} accounts approved by two approvers at once on different replicas: each account created once, each message once`, async () => {
    const [one, two] = drivers as [SlackDriver, SlackDriver];
    const view = await one.openModal('UREQUESTER1', 'csv digicert');
    const rows = Array.from({ length: ROWS }, (_, n) => `batch.race${n},Bat,Ch,batch.race${n}@example.com,93288,5`);
    const file = slack.addFile({ user: 'UREQUESTER1', name: 'race.csv', content: ['username,first_name,last_name,email,container,access_roles', ...rows].join('\n') });
    const before = slack.calls.length;
    expect((await one.submitCsv('UREQUESTER1', view, file, 'Branch office on two replicas')).body).toBe('');
    const posted = await waitFor(() => slack.calls.slice(before).find((call) => call.method === 'chat.postMessage' && call.args.channel === CHANNEL && !call.args.thread_ts), { what: 'the batch message' });
    const batchId = /AB-[0-9A-Z]+/.exec(String(posted.args.text))![0];
    await one.waitForAccountsListed(batchId);
    const batch = (await store.get<Batch>(`batch:${batchId}`))!;

    await Promise.all([one.click('UAPPROVER01', 'request_approve', batchId), two.click('UAPPROVER02', 'request_approve', batchId), two.click('UAPPROVER01', 'request_approve', batchId)]);
    for (const id of batch.members) await one.waitForState(id, 'succeeded', 60_000);

    expect(dc.requests.filter((request) => request.method === 'POST' && request.path === '/user')).toHaveLength(ROWS);
    expect(dc.users.map((user) => user.username).sort()).toEqual(rows.map((_, n) => `batch.race${n}`).sort());
    const thread = (await store.get<{ ts: string }>(`slack:thread:${batchId}`))!;
    const results = () => slack.uploads.filter((upload) => upload.threadTs === thread.ts && upload.filename.endsWith('-results.csv'));
    await waitFor(() => results().length === 1, { what: 'the results file', timeoutMs: 20_000 });
    const replies = () => slack.threadLines(thread.ts);
    await waitFor(() => replies().filter((text) => text.startsWith(':tada: DigiCert CertCentral')).length === ROWS, { what: 'one line per account', timeoutMs: 20_000 });
    // Let any second delivery that was going to happen happen, then count.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const lines = replies().filter((text) => text.startsWith(':tada: DigiCert CertCentral'));
    // Many accounts to a message, never a line twice.
    expect(slack.delivered('chat.postMessage').filter((call) => call.args.thread_ts === thread.ts && String(call.args.text).startsWith(':tada:')).length).toBeLessThan(ROWS / 5);
    expect(new Set(lines).size).toBe(ROWS);
    expect(lines).toHaveLength(ROWS);
    expect(results()).toHaveLength(1);
    expect(slack.uploads.filter((upload) => upload.threadTs === thread.ts && upload.filename.endsWith('-accounts.csv'))).toHaveLength(1);
    expect(slack.delivered('chat.postMessage').filter((call) => call.args.channel === CHANNEL && !call.args.thread_ts && String(call.args.text).includes(batchId))).toHaveLength(1);
    expect(slack.ignoredRetryAfterCount()).toBe(0);
    // Each approver's click is said once, with the accounts it was the deciding approval of: together, every account.
    const approvals = replies().filter((text) => text.includes(' approved. Creating '));
    expect(approvals.length).toBeGreaterThanOrEqual(1);
    expect(new Set(approvals.map((text) => /<@(U\w+)>/.exec(text)![1])).size).toBe(approvals.length);
    expect(approvals.reduce((sum, text) => sum + Number(/Creating (\d+) account/.exec(text)![1]), 0)).toBe(ROWS);
  });
});
