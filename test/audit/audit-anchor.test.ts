import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { Secret } from '../../src/config/secret.js';
import { type AuditRecord, createAuditLog, hashRecord } from '../../src/domain/audit.js';
import { killBots, spawnBot } from '../support/bot-process.js';
import { runAudit } from '../support/cli.js';
import { AUDIT_CHANNEL, type E2E, SIGNING_SECRET, startE2E } from '../support/e2e.js';
import type { SlackCall } from '../support/fake-slack.js';
import { tempFiles } from '../support/temp-files.js';
import { waitFor } from '../support/wait.js';

const AUDIT_KEY = randomBytes(32).toString('base64');
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const temp = tempFiles('adduser-anchor-');

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ ADDUSER_APPROVERS: APPROVER, ADDUSER_AUDIT_KEY: AUDIT_KEY, ADDUSER_AUDIT_ANCHOR_INTERVAL: '2s' });
});
afterAll(async () => {
  await e2e.close();
});
afterEach(killBots);

const isAnchor = (call: SlackCall) => call.method === 'chat.postMessage' && call.args.channel === AUDIT_CHANNEL && String(call.args.text).includes('Audit log head');
/** Anchor lines Slack took, as `SEQ:HASH`, the argument `verify --anchor` wants. */
const anchors = () => e2e.slack.delivered('chat.postMessage').filter(isAnchor).map((call) => /--anchor (\d+:[0-9a-f]{64})/.exec(String(call.args.text))![1]!);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request filed and approved (a dry run: CheckCentral has no credentials here), its four records written. */
async function decided(email: string): Promise<number> {
  const view = await e2e.openModal(REQUESTER, 'checkcentral');
  const before = e2e.slack.calls.length;
  await e2e.submit(REQUESTER, view, { email, accessLevel: 'user', reason: 'Anchored in the audit channel' });
  const id = await e2e.postedRequestId(before);
  await e2e.click(APPROVER, 'request_approve', id);
  await e2e.waitForState(id, 'succeeded');
  await waitFor(async () => (await e2e.auditFor(id)).length === 4, { what: 'the request’s four records' });
  return createAuditLog(e2e.store).head();
}

describe('the audit chain anchored outside the store (ADDUSER_AUDIT_KEY, the audit channel)', { timeout: 60_000 }, () => {
  test('the audit channel gets the head once a period and only when it moved, through the outbox; verify --anchor catches a chain rewritten by someone holding the key', async () => {
    const env = { STORE_URL: `sqlite://${join(e2e.dir, 'e2e.sqlite')}`, ADDUSER_AUDIT_KEY: AUDIT_KEY };
    const firstHead = await decided('anchor.one@example.com');
    const first = await waitFor(() => anchors().find((anchor) => anchor.startsWith(`${firstHead}:`)), { timeoutMs: 10_000, what: 'the head anchored in the audit channel' });
    const [headRecord] = await createAuditLog(e2e.store).read(firstHead, 1);
    expect(first).toBe(`${firstHead}:${headRecord!.hash}`);
    // A head that does not move is not posted again, however many periods pass.
    const quiet = anchors().length;
    await sleep(5_000);
    expect(anchors()).toHaveLength(quiet);

    // Slack failing once: the outbox retries the line with its backoff, and it is posted once.
    e2e.slack.fail('chat.postMessage', { kind: 'slack_error', error: 'internal_error' }, 1, (args) => String(args.text).includes('Audit log head'));
    const secondHead = await decided('anchor.two@example.com');
    const second = await waitFor(() => anchors().find((anchor) => anchor.startsWith(`${secondHead}:`)), { timeoutMs: 15_000, what: 'the moved head anchored' });
    await sleep(2_500);
    expect(anchors().filter((anchor) => anchor === second)).toHaveLength(1);
    expect(e2e.slack.calls.filter(isAnchor).filter((call) => call.response?.ok === false)).toHaveLength(1);

    const checked = runAudit(['verify', '--anchor', first, '--anchor', second], env, e2e.dir);
    expect(checked.status).toBe(0);
    expect(checked.stdout).toContain(`records 1–${secondHead}: keyed (HMAC-SHA-256 under ADDUSER_AUDIT_KEY)`);
    expect(checked.stdout).toContain(`matches the anchor at record ${firstHead}`);

    // Someone holding the key and the store rewrites record 2 and every hash after it: intact in itself…
    const records = await createAuditLog(e2e.store).read();
    let prevHash = records[0]!.hash;
    for (const record of records.slice(1)) {
      const { hash: _hash, ...unsigned } = { ...record, prevHash, ...(record.seq === 2 && { actor: 'UINTRUDER' }) };
      const forged: AuditRecord = { ...unsigned, hash: hashRecord(unsigned, new Secret(AUDIT_KEY)) };
      await e2e.store.set(`audit:record:${record.seq}`, forged);
      prevHash = forged.hash;
    }
    expect(runAudit(['verify'], env, e2e.dir).status).toBe(0);
    // …but not the chain the audit channel saw.
    const caught = runAudit(['verify', '--anchor', first], env, e2e.dir);
    expect(caught.status).toBe(1);
    expect(caught.stderr).toContain(`altered at record ${firstHead}: record ${firstHead} (${records[firstHead - 1]!.id}) is not the record of the anchor ${first}: the chain was rewritten up to there`);

    const bad = runAudit(['verify', '--anchor', 'latest'], env, e2e.dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--anchor takes SEQ:HASH');
    // The key is a secret: in no message, log line or CLI output.
    const seen = e2e.slack.calls.map((call) => call.raw).join('\n') + e2e.logs.text() + checked.stdout + caught.stderr;
    expect(seen).not.toContain(AUDIT_KEY);
  });

  test('a bot without the key, or with another, refuses to start on a keyed log, saying why in one line', async () => {
    const dir = temp.dir();
    const file = join(dir, 'keyed.sqlite');
    const store = await openSqliteStore(file, pino({ level: 'silent' }));
    await createAuditLog(store, { key: new Secret(AUDIT_KEY) }).append({ requestId: 'AR-1', actor: 'U1', action: 'requested', provider: 'checkcentral', target: 'a@example.com', dryRun: true });
    await store.close();
    const base = { PORT: '0', SLACK_BOT_TOKEN: 'xoxb-anchor-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: 'http://127.0.0.1:9/', STORE_URL: `sqlite://${file}` };
    for (const [env, why] of [
      [base, 'ADDUSER_AUDIT_KEY is not set'],
      [{ ...base, ADDUSER_AUDIT_KEY: randomBytes(32).toString('base64') }, 'ADDUSER_AUDIT_KEY does not match the audit log'],
    ] as const) {
      const bot = spawnBot(env, dir);
      expect(await bot.exited).toBe(1);
      expect(bot.stderr()).toContain(`adduser-bot cannot start: `);
      expect(bot.stderr()).toContain(why);
      expect(bot.stderr()).not.toMatch(/\n\s+at /);
    }
  });
});
