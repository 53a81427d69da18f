import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAuditLog } from '../../src/domain/audit.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { runAudit } from '../support/cli.js';
import { redisForTests, redisScope } from '../support/redis.js';
import { AUDIT_CHANNEL, CHANNEL, type E2E, startE2E } from '../support/e2e.js';
import type { SlackCall } from '../support/fake-slack.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-undeliverable-key-3e1f';
const redisUrl = await redisForTests();
const stores = [
  { name: 'SQLite', skip: false, user: 1, scope: () => undefined },
  { name: 'Redis', skip: !redisUrl, user: 5, scope: () => redisScope(redisUrl!, 'undeliverable') },
];
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
let dc: DigiCertSimulator;
beforeAll(async () => {
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
});
afterAll(async () => {
  await dc.close();
});

const env = () => ({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: APPROVER });
const form = (n: number) => ({ username: `lost.user${n}`, first_name: 'Lou', last_name: 'Lost', email: `lou${n}@example.com`, container: '93288', access_roles: ['5'], reason: 'Slack refuses one destination' });

const NOT_IN_CHANNEL = { kind: 'slack_error', error: 'not_in_channel' } as const;
const drained = (e2e: E2E) => waitFor(async () => (await e2e.store.indexCount('slack:outbox:due')) === 0, { timeoutMs: 30_000, what: 'the outbox to drain' });
const texts = (calls: SlackCall[]) => calls.map((call) => String(call.args.text));
const idOf = (call: Pick<SlackCall, 'args'>) => (call.args.channel === CHANNEL && !call.args.thread_ts ? /AR-[0-9A-Z]+/.exec(String(call.args.text))?.[0] : undefined);
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_500));

describe.each(stores)('the audit channel refuses for good (not_in_channel), on $name', { timeout: 60_000 }, ({ skip, user, scope }) => {
  let e2e: E2E;
  const redis = skip ? undefined : scope();
  beforeAll(async () => {
    if (skip) return;
    e2e = await startE2E({ ...env(), ...(redis && { STORE_URL: redis.storeUrl }) }, {
      beforeStart: (slack) => slack.fail('chat.postMessage', NOT_IN_CHANNEL, Number.MAX_SAFE_INTEGER, (args) => args.channel === AUDIT_CHANNEL),
    });
  });
  afterAll(async () => {
    if (skip) return;
    await e2e.close();
    await redis?.clean();
  });

  test.skipIf(skip)('every thread reply and DM goes out exactly once, the request completes, each refused line is recorded once', async () => {
    const creates = dc.count(/^\/user$/);
    const view = await e2e.openModal(REQUESTER, 'digicert');
    expect((await e2e.submit(REQUESTER, view, form(user))).body).toBe('');
    const id = await e2e.postedRequestId();
    await waitFor(() => e2e.slack.delivered('chat.postMessage').some((call) => call.args.channel === REQUESTER), { what: 'the first DM' });
    await e2e.click(APPROVER, 'request_approve', id);
    await e2e.waitForState(id, 'succeeded');
    expect(dc.count(/^\/user$/)).toBe(creates + 1);
    // The last record's audit line is filed after the state moves, and the audit channel's pace
    // (three at once, then about one a second) may hold it: wait for all four attempts, then make
    // sure no fifth follows.
    const auditAttempts = () => e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === AUDIT_CHANNEL);
    await waitFor(() => auditAttempts().length >= 4, { timeoutMs: 30_000, what: "the four records' audit lines, each tried" });
    await drained(e2e);
    await settle();

    const thread = (await e2e.store.get<{ ts: string }>(`slack:thread:${id}`))!;
    const replies = texts(e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread.ts));
    expect(replies).toHaveLength(2);
    expect(new Set(replies).size).toBe(2);
    expect(replies.some((text) => text.includes('Account created'))).toBe(true);
    const dms = texts(e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === REQUESTER));
    expect(dms).toHaveLength(2);
    expect(dms[0]).toContain('waiting for approval');
    expect(dms[1]).toContain('is done');
    const parents = e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === CHANNEL && !call.args.thread_ts);
    expect(parents).toHaveLength(1);

    // One attempt per audit line, each recorded once: requested, approved, provisioning, succeeded.
    const records = await e2e.auditFor(id);
    expect(records.map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
    expect(auditAttempts()).toHaveLength(records.length);
    expect(await e2e.store.indexCount('slack:outbox:undeliverable')).toBe(records.length);
    const logged = e2e.logs.lines.filter((line) => line.includes('recorded as undeliverable'));
    expect(logged).toHaveLength(records.length);

    const metrics = await (await fetch(`${e2e.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^adduser_slack_undeliverable_total\\{kind="audit_line"\\} ${records.length}$`, 'm'));
    expect(metrics).toMatch(/^adduser_outbox_depth 0$/m);

    const listed = runAudit(['undelivered'], { STORE_URL: redis?.storeUrl ?? `sqlite://${e2e.dir}/e2e.sqlite` }, e2e.dir);
    expect(listed.status).toBe(0);
    const rows = listed.stdout.trim().split('\n');
    expect(rows).toHaveLength(records.length);
    for (const [index, record] of records.entries()) {
      expect(rows[index]).toContain(`${id} record ${record.seq} audit_line to ${AUDIT_CHANNEL}: not_in_channel`);
    }
  });
});

describe('one unpostable request, then 600 audit records', { timeout: 90_000 }, () => {
  let e2e: E2E;
  /** The first request message is refused for good; every later one is welcome. */
  let unpostable: string | undefined;
  beforeAll(async () => {
    e2e = await startE2E(env(), {
      beforeStart: (slack) =>
        slack.fail('chat.postMessage', NOT_IN_CHANNEL, Number.MAX_SAFE_INTEGER, (args) => {
          const id = idOf({ args });
          unpostable ??= id;
          return id !== undefined && id === unpostable;
        }),
    });
  });
  afterAll(async () => {
    await e2e.close();
  });

  test('a later Slack failure on another message is still retried and delivered', async () => {
    const first = await e2e.openModal(REQUESTER, 'digicert');
    expect((await e2e.submit(REQUESTER, first, form(2))).body).toBe('');
    const told = await waitFor(() => e2e.slack.delivered('chat.postMessage').find((call) => call.args.channel === REQUESTER), { what: 'the requester to hear it was not posted' });
    expect(String(told.args.text)).toMatch(/could not post it in <#CREQUESTS1>.*not_in_channel.*\/invite @adduser/s);
    await drained(e2e);

    // Records written straight to the chain: history the sweep must not walk.
    const audit = createAuditLog(e2e.store);
    for (let n = 0; n < 600; n++) {
      await audit.append({ requestId: `AR-FILLER${n}`, actor: APPROVER, action: 'requested', provider: 'digicert', target: `filler${n}@example.com`, dryRun: false });
    }
    await drained(e2e);

    const before = e2e.slack.calls.length;
    // Four failures in a row on the next request message only: the outbox, which alone retries (the client does not), gets it through.
    e2e.slack.fail('chat.postMessage', { kind: 'error', status: 500 }, 4, (args) => args.channel === CHANNEL && !args.thread_ts && !String(args.text).includes(unpostable!));
    const second = await e2e.openModal(REQUESTER, 'digicert');
    expect((await e2e.submit(REQUESTER, second, form(3))).body).toBe('');
    const id = await waitFor(() => e2e.slack.calls.slice(before).map(idOf).find((found) => found && found !== unpostable), { what: 'the second request message' });
    await waitFor(() => e2e.slack.delivered('chat.postMessage').some((call) => call.args.channel === CHANNEL && String(call.args.text).includes(id)), {
      timeoutMs: 30_000,
      what: 'the request message, retried by the outbox',
    });
    await waitFor(() => e2e.slack.delivered('chat.postMessage').some((call) => call.args.channel === REQUESTER && String(call.args.text).includes(id)), {
      timeoutMs: 30_000,
      what: 'the DM linking to it',
    });
    await drained(e2e);
    await settle();
    const mine = e2e.slack.calls.slice(before).filter((call) => call.method === 'chat.postMessage' && String(call.args.text).includes(id));
    expect(mine.filter((call) => call.status === 500)).toHaveLength(4);
    expect(e2e.logs.lines.some((line) => line.includes('request_message not delivered; retrying') && line.includes(id))).toBe(true);
    expect(mine.filter((call) => call.status === 200 && call.args.channel === CHANNEL)).toHaveLength(1);
    expect(mine.filter((call) => call.status === 200 && call.args.channel === REQUESTER)).toHaveLength(1);

    // The first request is recorded once as undeliverable and never tried again.
    const refusedPosts = e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === CHANNEL && String(call.args.text).includes(unpostable!));
    expect(refusedPosts).toHaveLength(1);
    expect(await e2e.store.indexCount('slack:outbox:undeliverable')).toBe(1);
  });
});

describe('the form, when the bot is not in the requests channel', { timeout: 30_000 }, () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E(env(), {
      beforeStart: (slack) => slack.on('conversations.info', (args) => ({ ok: true, channel: { id: args.channel, name: 'access-requests', is_member: false } })),
    });
  });
  afterAll(async () => {
    await e2e.close();
  });

  test('says so inline and stores nothing', async () => {
    const view = await e2e.openModal(REQUESTER, 'digicert');
    const res = await e2e.submit(REQUESTER, view, form(4));
    const answer = JSON.parse(res.body) as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(Object.values(answer.errors).join(' ')).toContain("I'm not in #access-requests — invite me with `/invite @adduser`");
    expect(e2e.slack.callsTo('conversations.info').at(-1)?.args.channel).toBe(CHANNEL);
    expect(await e2e.store.get('audit:count')).toBeUndefined();
    expect(await e2e.store.length('requests:all')).toBe(0);
    expect(e2e.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});
