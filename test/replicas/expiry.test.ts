import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import type { Batch } from '../../src/domain/batch/batch.js';
import type { SlackDriver } from '../support/driver.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { type RedisScope, redisForTests, redisScope } from '../support/redis.js';
import { startReplicas } from '../support/replicas.js';
import { waitFor } from '../support/wait.js';

const redisUrl = await redisForTests();
let slack: FakeSlack;
let dir: string;
let store: Store;
let drivers: SlackDriver[] = [];
let stop: (() => Promise<void>) | undefined;
let scope: RedisScope;

beforeAll(async () => {
  if (!redisUrl) return;
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), 'adduser-expiry-'));
  scope = redisScope(redisUrl, 'expiry');
  const url = scope.storeUrl;
  store = await openStore(url, { log: pino({ level: 'silent' }) });
  // Long enough for six requests' messages, then their reminders, to go out at Slack's pace of about one a second in one channel.
  ({ drivers, stop } = await startReplicas({ count: 2, storeUrl: url, store, slack, cwd: dir, env: { ADDUSER_REQUEST_TTL: '16s' } }));
});
afterAll(async () => {
  if (!redisUrl) return;
  await stop?.();
  await store?.close();
  await slack?.close();
  await scope.clean();
  rmSync(dir, { recursive: true, force: true });
});

test.skipIf(!redisUrl)('with two replicas on Redis, each pending request gets exactly one reminder and expires exactly once', { timeout: 60_000 }, async () => {
  const ids: string[] = [];
  for (let n = 0; n < 6; n++) {
    const driver = drivers[n % 2]!;
    const view = await driver.openModal('UREQUESTER1', 'checkcentral');
    const before = slack.calls.length;
    await driver.submit('UREQUESTER1', view, { email: `late${n}@example.com`, accessLevel: 'user', reason: 'nobody answers' });
    ids.push(await driver.postedRequestId(before));
  }
  for (const id of ids) await drivers[0]!.waitForState(id, 'expired', 20_000);
  await waitFor(async () => (await Promise.all(ids.map((id) => drivers[0]!.auditFor(id)))).every((records) => records.at(-1)?.action === 'expired'), { what: 'the expiry records' });

  for (const id of ids) {
    const thread = await store.get<{ ts: string }>(`slack:thread:${id}`);
    const replies = slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts).map((call) => String(call.args.text));
    expect(replies.filter((text) => text.includes('Reminder: this request is still waiting'))).toHaveLength(1);
    await waitFor(() => slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts && String(call.args.text).includes('expired without')).length >= 1, { what: 'the expiry reply' });
    expect(slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts && String(call.args.text).includes('expired without'))).toHaveLength(1);
    expect((await drivers[0]!.auditFor(id)).filter((record) => record.action === 'expired')).toHaveLength(1);
  }
});

test.skipIf(!redisUrl)('a batch nobody decides: one reminder and one expiry line in its thread, every account expired once, the requester told once', { timeout: 60_000 }, async () => {
  const [one] = drivers as [SlackDriver];
  const view = await one.openModal('UREQUESTER2', 'csv checkcentral');
  const file = slack.addFile({ user: 'UREQUESTER2', name: 'late.csv', content: ['email,accessLevel', ...Array.from({ length: 5 }, (_, n) => `late.batch${n}@example.com,user`)].join('\n') });
  const before = slack.calls.length;
  expect((await one.submitCsv('UREQUESTER2', view, file, 'nobody answers this batch')).body).toBe('');
  const posted = await waitFor(() => slack.calls.slice(before).find((call) => call.method === 'chat.postMessage' && String(call.args.text).includes('AB-')), { what: 'the batch message' });
  const batchId = /AB-[0-9A-Z]+/.exec(String(posted.args.text))![0];
  const batch = (await store.get<Batch>(`batch:${batchId}`))!;
  for (const id of batch.members) await one.waitForState(id, 'expired', 20_000);
  const thread = (await waitFor(async () => store.get<{ ts: string }>(`slack:thread:${batchId}`), { what: 'the batch thread' }))!;
  const replies = () => slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread.ts).map((call) => String(call.args.text));
  await waitFor(() => replies().some((text) => text.includes('accounts expired without enough approvals')), { what: 'the expiry line' });
  await waitFor(() => slack.calls.some((call) => call.args.channel === 'UREQUESTER2' && String(call.args.text).includes(`${batchId}\` for 5 new CheckCentral accounts was expired`)), { what: 'the requester told' });
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  // The batch's reminder names its waiting accounts and whose approval they wait for.
  expect(replies().filter((text) => text.startsWith(':bell: Reminder: this request is still waiting for approval, 5 of its 5 accounts: CheckCentral from'))).toHaveLength(1);
  expect(replies().filter((text) => text.includes('Reminder: this request is still waiting'))).toHaveLength(1);
  expect(replies().filter((text) => text.includes('expired without enough approvals'))).toHaveLength(1);
  expect(slack.calls.filter((call) => call.args.channel === 'UREQUESTER2' && String(call.args.text).includes('was expired'))).toHaveLength(1);
  const records = (await Promise.all(batch.members.map((id) => one.auditFor(id)))).flat();
  expect(records.filter((record) => record.action === 'expired')).toHaveLength(5);
});
