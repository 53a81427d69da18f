import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import type { BotProcess } from '../support/bot-process.js';
import { CHANNEL, type SlackDriver } from '../support/driver.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { redisForTests, redisScope } from '../support/redis.js';
import { startReplicas } from '../support/replicas.js';
import { waitFor } from '../support/wait.js';

const redisUrl = await redisForTests();
const policy = (approver: string) => `version: 1
defaults:
  requests_channel: ${CHANNEL}
  approvers: [${approver}]
  ttl: 10m
providers:
  digicert:
    escalate:
      after: 3s
      to: [U0CISO]
`;
const digicert = (n: number) => ({ username: `policy.reload${n}`, first_name: 'Pol', last_name: 'Icy', email: `policy.reload${n}@example.com`, container: '93288', access_roles: ['5'], reason: 'policy file test' });

describe.skipIf(!redisUrl)('policy file on two replicas', { timeout: 120_000 }, () => {
  let slack: FakeSlack;
  let dir: string;
  let file: string;
  let store: Store;
  let bots: BotProcess[] = [];
  let drivers: SlackDriver[] = [];
  let stop: () => Promise<void>;
  const scope = redisScope(redisUrl ?? 'redis://127.0.0.1:6379', 'policy-reload');

  beforeAll(async () => {
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'adduser-policy-reload-'));
    file = join(dir, 'policy.yml');
    writeFileSync(file, policy('UAPPROVER01'));
    const url = scope.storeUrl;
    store = await openStore(url, { log: pino({ level: 'silent' }) });
    // The file replaces the policy variables the replicas would otherwise get.
    ({ bots, drivers, stop } = await startReplicas({ count: 2, storeUrl: url, store, slack, cwd: dir, env: { ADDUSER_POLICY_FILE: file, ADDUSER_APPROVERS: '', ADDUSER_REQUESTS_CHANNEL: '' } }));
  });
  afterAll(async () => {
    await stop();
    await store.close();
    await scope.clean();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function submit(driver: SlackDriver, n: number): Promise<string> {
    const view = await driver.openModal('UREQUESTER1', 'digicert');
    const before = slack.calls.length;
    await driver.submit('UREQUESTER1', view, digicert(n));
    const id = await driver.postedRequestId(before);
    await waitFor(() => store.get(`slack:thread:${id}`), { what: 'the request message' });
    return id;
  }

  test('a request still pending at escalate.after escalates once, whichever replica sweeps; the person it names hears it by DM and may approve', async () => {
    const id = await submit(drivers[0]!, 1);
    await waitFor(async () => (await drivers[1]!.auditFor(id)).some((record) => record.action === 'escalated'), { timeoutMs: 15_000, what: 'the escalation' });
    // Both replicas sweep every second or so: give a second one time to (wrongly) escalate again.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await drivers[0]!.auditFor(id)).filter((record) => record.action === 'escalated')).toHaveLength(1);
    const thread = await store.get<{ ts: string }>(`slack:thread:${id}`);
    const replies = slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts && String(call.args.text).includes('escalated to <@U0CISO>'));
    expect(replies).toHaveLength(1);
    await waitFor(() => slack.callsTo('chat.postMessage').some((call) => call.args.channel === 'U0CISO'), { what: 'the DM to the person it escalated to' });
    expect(slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'U0CISO' && String(call.args.text).includes(id))).toHaveLength(1);
    expect((await drivers[1]!.request(id))?.escalatedTo).toEqual({ users: ['U0CISO'], groups: [] });
    await drivers[1]!.click('U0CISO', 'request_approve', id);
    await drivers[0]!.waitForState(id, 'succeeded');
  });

  test('SIGHUP to one replica: the other re-reads the file before it decides again; an invalid one changes nothing and says why', async () => {
    writeFileSync(file, policy('UAPPROVER02'));
    bots[0]!.child.kill('SIGHUP');
    await waitFor(() => bots[0]!.stdout().includes('the policy file was re-read and is in force'), { what: 'the replica told to reload' });
    // The other was not told: the version in the store makes it re-read the file too.
    await waitFor(() => bots[1]!.stdout().includes('another replica put a new version in force'), { what: 'the other replica to follow', timeoutMs: 15_000 });
    const first = await submit(drivers[0]!, 2);
    await drivers[1]!.click('UAPPROVER01', 'request_approve', first);
    await waitFor(() => slack.callsTo('chat.postEphemeral').some((call) => call.args.user === 'UAPPROVER01' && String(call.args.text).includes('Only approvers can approve')), { what: 'the old approver refused' });
    await drivers[1]!.click('UAPPROVER02', 'request_approve', first);
    await drivers[0]!.waitForState(first, 'succeeded');

    writeFileSync(file, 'version: 1\ndefaults:\n  approvers: [UAPPROVER01]\n  aprovals: 2\n');
    for (const bot of bots) bot.child.kill('SIGHUP');
    await waitFor(() => bots.every((bot) => bot.stdout().includes('the policy file has problems; the policy in force is unchanged')), { what: 'both replicas to refuse the file' });
    expect(bots[0]!.stdout()).toContain('unknown key');
    const second = await submit(drivers[1]!, 3);
    await drivers[0]!.click('UAPPROVER02', 'request_approve', second);
    await drivers[1]!.waitForState(second, 'succeeded');
    expect(bots.every((bot) => bot.child.exitCode === null)).toBe(true);
  });
});

describe.skipIf(!redisUrl)('replicas whose policy files differ', { timeout: 120_000 }, () => {
  const scope = redisScope(redisUrl ?? 'redis://127.0.0.1:6379', 'policy-version');

  test('the replica that started last sets the version; the other decides nothing, says why to the person and in /readyz, and agrees once its file does', async () => {
    const slack = await startFakeSlack();
    const dir = mkdtempSync(join(tmpdir(), 'adduser-policy-version-'));
    const store = await openStore(scope.storeUrl, { log: pino({ level: 'silent' }) });
    const [fileA, fileB] = [join(dir, 'a.yml'), join(dir, 'b.yml')];
    writeFileSync(fileA, policy('UAPPROVER01'));
    writeFileSync(fileB, policy('UAPPROVER02'));
    const start = (path: string) => startReplicas({ count: 1, storeUrl: scope.storeUrl, store, slack, cwd: dir, env: { ADDUSER_POLICY_FILE: path, ADDUSER_APPROVERS: '', ADDUSER_REQUESTS_CHANNEL: '' } });
    const a = await start(fileA);
    const b = await start(fileB);
    try {
      const [stale, current] = [a.drivers[0]!, b.drivers[0]!];
      const ready = async (driver: SlackDriver) => {
        const res = await fetch(`${driver.url}/readyz`);
        return { status: res.status, body: await res.text() };
      };
      await waitFor(async () => (await ready(stale)).status === 503, { what: 'the stale replica to say it is not ready', timeoutMs: 10_000 });
      expect((await ready(stale)).body).toMatch(/^policy: policy [0-9a-f]{12} is in force on other replicas; this one holds [0-9a-f]{12}$/m);
      expect((await ready(current)).status).toBe(200);

      const stored = await store.length('requests:all');
      const res = await stale.submit('UREQUESTER1', await stale.openModal('UREQUESTER1', 'digicert'), digicert(10));
      expect(JSON.parse(res.body)).toMatchObject({ response_action: 'errors', errors: { provider: expect.stringContaining('holds another version of the access policy') } });
      expect(await store.length('requests:all')).toBe(stored);

      writeFileSync(fileA, policy('UAPPROVER02'));
      await waitFor(async () => (await ready(stale)).status === 200, { what: 'the replica to re-read its file and agree', timeoutMs: 15_000 });
      const id = await (async () => {
        const before = slack.calls.length;
        await stale.submit('UREQUESTER1', await stale.openModal('UREQUESTER1', 'digicert'), digicert(11));
        return stale.postedRequestId(before);
      })();
      await waitFor(() => store.get(`slack:thread:${id}`), { what: 'the request message' });
      await stale.click('UAPPROVER02', 'request_approve', id);
      await current.waitForState(id, 'succeeded');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await store.close();
      await scope.clean();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
