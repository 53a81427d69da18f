import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closedPort } from '../simulators/harness.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { BOT_TOKEN, type E2E, startE2E } from '../support/e2e.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { suggestion } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-policy-key-77aa';
const REQUESTER = 'UREQUESTER1';
const ADMIN = 'UWORKSPACEADM';

let dc: DigiCertSimulator;
beforeAll(async () => {
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
});
afterAll(async () => {
  await dc.close();
});

const digicertForm = (n: number) => ({
  username: `policy.user${n}`,
  first_name: 'Pat',
  last_name: 'Policy',
  email: `pat${n}@example.com`,
  container: '93288',
  access_roles: ['5'],
  reason: 'Needs certificate access',
});

async function submit(e2e: E2E, provider: string, form: Record<string, string | string[]>) {
  const view = await e2e.openModal(REQUESTER, provider);
  const before = e2e.slack.calls.length;
  const res = await e2e.submit(REQUESTER, view, form);
  expect(res.body).toBe('');
  const id = await e2e.postedRequestId(before);
  await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the thread' });
  return { id, view };
}

describe('approval policies and provider modes', () => {
  test('two approvals required: distinct approvers, each counted once', async () => {
    const e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: 'UAPPROVER01,UAPPROVER02', ADDUSER_REQUIRED_APPROVALS: '2' });
    try {
      const { id } = await submit(e2e, 'digicert', digicertForm(1));
      const before = dc.count(/^\/user$/);
      await e2e.click('UAPPROVER01', 'request_approve', id);
      await waitFor(async () => (await e2e.auditFor(id)).length === 2, { what: 'the first approval' });
      expect((await e2e.request(id))?.state).toBe('pending');
      await waitFor(() => e2e.slack.callsTo('chat.postMessage').some((call) => String(call.args.text).includes('1 more approval needed')), { what: 'the progress reply' });
      await e2e.click('UAPPROVER01', 'request_approve', id);
      await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === 'UAPPROVER01' && String(call.args.text).includes('already approved')), { what: 'the refusal' });
      expect((await e2e.request(id))?.state).toBe('pending');
      await e2e.click('UAPPROVER02', 'request_approve', id);
      await e2e.waitForState(id, 'succeeded');
      expect(dc.count(/^\/user$/) - before).toBe(1);
      expect((await e2e.auditFor(id)).filter((record) => record.action === 'approved').map((record) => record.actor)).toEqual(['UAPPROVER01', 'UAPPROVER02']);
    } finally {
      await e2e.close();
    }
  });

  test('with no approvers configured, workspace admins approve; a provider list overrides', async () => {
    const e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS_CHECKCENTRAL: 'UCCONLY01' });
    e2e.slack.on('users.info', (args) => ({ ok: true, user: { id: args.user, team_id: 'TTEAM0001', is_admin: args.user === ADMIN } }));
    try {
      const { id } = await submit(e2e, 'digicert', digicertForm(2));
      await e2e.click('UCCONLY01', 'request_approve', id);
      await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === 'UCCONLY01'), { what: 'the refusal' });
      await e2e.click(ADMIN, 'request_approve', id);
      await e2e.waitForState(id, 'succeeded');

      const cc = await submit(e2e, 'checkcentral', { email: 'cc@example.com', accessLevel: 'user', reason: 'Monitoring on-call' });
      await e2e.click(ADMIN, 'request_approve', cc.id);
      await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === ADMIN && String(call.args.text).includes('<@UCCONLY01>')), { what: 'the refusal naming the approvers' });
      await e2e.click('UCCONLY01', 'request_approve', cc.id);
      await e2e.waitForState(cc.id, 'succeeded');
    } finally {
      await e2e.close();
    }
  });

  test('a provider without credentials says so in the modal and shows the exact request instead of sending it', async () => {
    const e2e = await startE2E({ ADDUSER_APPROVERS: 'UAPPROVER01' });
    try {
      const { id, view } = await submit(e2e, 'checkcentral', { email: 'dry@example.com', accessLevel: 'Manager', reason: 'Trying the bot out' });
      expect(JSON.stringify(view.blocks)).toContain('CheckCentral credentials are not configured');
      expect((await e2e.request(id))?.dryRun).toBe(true);
      await e2e.click('UAPPROVER01', 'request_approve', id);
      const done = await e2e.waitForState(id, 'succeeded');
      expect(done.outcome?.kind).toBe('dry_run');
      await waitFor(
        () => e2e.slack.callsTo('chat.postMessage').some((call) => String(call.args.text).includes('POST https://api.checkcentral.cc/createUser/?apiToken=NOT_CONFIGURED') && String(call.args.text).includes('"accessLevel":"manager"')),
        { what: 'the dry-run request in the thread' },
      );
      await waitFor(async () => (await e2e.auditFor(id)).at(-1)?.action === 'succeeded', { what: 'the succeeded record' });
      expect((await e2e.auditFor(id)).at(-1)).toMatchObject({ action: 'succeeded', dryRun: true });
    } finally {
      await e2e.close();
    }
  });

  test.each([
    ['submitted as a dry run stays one after credentials arrive', {}, { DIGICERT_API_KEY: DC_KEY }, 'succeeded', 'dry_run', true],
    ['submitted for real is not sent once ADDUSER_DRY_RUN is on', { DIGICERT_API_KEY: DC_KEY }, { DIGICERT_API_KEY: DC_KEY, ADDUSER_DRY_RUN: 'true' }, 'failed', 'unavailable', false],
    ['submitted for real is not sent once its credentials are gone', { DIGICERT_API_KEY: DC_KEY }, {}, 'failed', 'unavailable', false],
  ] as const)('a request %s, across a restart', async (_title, before, after, state, kind, dryRun) => {
    const dir = mkdtempSync(join(tmpdir(), 'adduser-dry-'));
    const shared = { STORE_URL: `sqlite://${join(dir, 'store.sqlite')}`, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: 'UAPPROVER01' };
    // One Slack across the restart: the request message the second bot updates is still there.
    const slack = await startFakeSlack({ token: BOT_TOKEN });
    try {
      const first = await startE2E({ ...shared, ...before }, { slack });
      const { id } = await submit(first, 'digicert', digicertForm(40 + Object.keys(after).length));
      await first.close();
      const creates = dc.count(/^\/user$/);
      const second = await startE2E({ ...shared, ...after }, { slack });
      try {
        await second.click('UAPPROVER01', 'request_approve', id);
        const done = await second.waitForState(id, state);
        expect(done.outcome?.kind).toBe(kind);
        expect(dc.count(/^\/user$/)).toBe(creates);
        await waitFor(async () => (await second.auditFor(id)).at(-1)?.action === state, { what: `the ${state} record` });
        expect((await second.auditFor(id)).every((record) => record.dryRun === dryRun)).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ADDUSER_DRY_RUN never calls a configured provider', async () => {
    const e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: 'UAPPROVER01', ADDUSER_DRY_RUN: 'true' });
    try {
      const before = dc.requests.length;
      const { id, view } = await submit(e2e, 'digicert', digicertForm(3));
      expect(JSON.stringify(view.blocks)).toContain('ADDUSER_DRY_RUN is on');
      await e2e.click('UAPPROVER01', 'request_approve', id);
      await e2e.waitForState(id, 'succeeded');
      expect(dc.requests.length).toBe(before);
      // Said as what it was, once: nothing was created, so nothing says it was.
      const thread = (await e2e.store.get<{ ts: string }>(`slack:thread:${id}`))!;
      const parent = await waitFor(() => e2e.slack.delivered('chat.update').filter((call) => call.args.ts === thread.ts && String(call.args.text).includes('nothing was created')).at(-1), { what: 'the request message saying so' });
      expect(JSON.stringify(parent.args.blocks)).toContain(':test_tube: Dry run: nothing was created');
      expect(JSON.stringify(parent.args.blocks)).not.toContain('Account created');
      await waitFor(() => e2e.slack.delivered('chat.postMessage').some((call) => call.args.channel === 'UREQUESTER1' && String(call.args.text).includes(`${id}\` finished its dry run`)), { what: 'the requester told' });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(e2e.slack.delivered('chat.postMessage').filter((call) => call.args.channel === 'UREQUESTER1' && String(call.args.text).includes(`${id}\` finished its dry run`))).toHaveLength(1);
    } finally {
      await e2e.close();
    }
  });

  test('/adduser audit shows an approver only the providers they may approve', async () => {
    const e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: 'UAPPROVER01', ADDUSER_APPROVERS_DIGICERT: 'UDCONLY01' });
    try {
      const shared = 'both.providers@example.com';
      const cc = await submit(e2e, 'checkcentral', { email: shared, accessLevel: 'user', reason: 'Monitoring on-call' });
      const digicert = await submit(e2e, 'digicert', { ...digicertForm(60), email: shared });
      await waitFor(async () => (await e2e.auditFor(digicert.id)).length > 0, { what: 'the audit records' });
      const answer = async (user: string) => {
        const before = e2e.slack.calls.length;
        await e2e.command(user, `audit ${shared}`);
        return String((await waitFor(() => e2e.slack.calls.slice(before).find((call) => call.method.startsWith('/respond/')), { what: 'the audit answer' })).args.text);
      };
      const digicertOnly = await answer('UDCONLY01');
      expect(digicertOnly).toContain(digicert.id);
      expect(digicertOnly).not.toContain(cc.id);
      const checkcentralOnly = await answer('UAPPROVER01');
      expect(checkcentralOnly).toContain(cc.id);
      expect(checkcentralOnly).not.toContain(digicert.id);
    } finally {
      await e2e.close();
    }
  });

  test('selects load from the provider, roles follow the container, and a typed id is the fallback', async () => {
    const e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url });
    try {
      const view = await e2e.openModal(REQUESTER, 'digicert');
      const containers = await e2e.send(suggestion(REQUESTER, view, 'container', 'head'));
      expect(containers.json()).toEqual({ options: [{ text: { type: 'plain_text', text: 'Headquarters (93288)', emoji: true }, value: '93288' }] });
      const roles = await e2e.send(
        suggestion(REQUESTER, view, 'access_roles', '', { container: { 'field:container': { type: 'external_select', selected_option: { value: '93300', text: { type: 'plain_text', text: 'EU' } } } } }),
      );
      expect(roles.json()).toEqual({ options: [{ text: { type: 'plain_text', text: 'Standard User', emoji: true }, value: '5' }] });
      const lookupsBefore = dc.count(/^\/container/);
      await e2e.send(suggestion(REQUESTER, view, 'container', ''));
      expect(dc.count(/^\/container/)).toBe(lookupsBefore);
    } finally {
      await e2e.close();
    }
    const port = await closedPort();
    const down = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: `http://127.0.0.1:${port}` });
    try {
      const view = await down.openModal(REQUESTER, 'digicert');
      const typed = await down.send(suggestion(REQUESTER, view, 'container', '93288'));
      expect(typed.json()).toEqual({ options: [{ text: { type: 'plain_text', text: '93288 (list unavailable, typed id)' }, value: '93288' }] });
    } finally {
      await down.close();
    }
  });
});

describe('ack latency on loopback, with slow dependencies behind it', () => {
  test('200 signed /adduser commands are acked well inside 3 s (p99 < 1.5 s) while lookups wait on a slow provider and clicks on a slow directory', async () => {
    const SLOW_MS = 2_500;
    const slowDc = await startDigiCertSimulator({ apiKey: DC_KEY });
    slowDc.inject({ kind: 'delay', ms: SLOW_MS }, { path: /^\/container/, times: 1_000 });
    // 200 modals at once are past views.open's tier: this measures the acks, so Slack here has no limits.
    const e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: slowDc.url, ADDUSER_APPROVERS: 'SAPPROVERS1' }, { limits: 'none' });
    const slowly = <T,>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), SLOW_MS));
    e2e.slack.on('users.info', (args) => slowly({ ok: true, user: { id: args.user, team_id: 'TTEAM0001', is_admin: false } }));
    e2e.slack.on('usergroups.users.list', () => slowly({ ok: true, users: ['UAPPROVER01'] }));
    try {
      const view = await e2e.openModal(REQUESTER, 'digicert');
      const { id } = await submit(e2e, 'digicert', digicertForm(90));
      const background: Promise<unknown>[] = [];
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        // Every tenth command, a lookup on the slow provider and a click that needs the slow directory start alongside.
        if (i % 10 === 0) {
          background.push(e2e.send(suggestion(`ULOOKUP${i}`, view, 'container', String(i))));
          background.push(e2e.click(`USTRANGER${i}`, 'request_approve', id));
        }
        const res = await e2e.command(`UREQUESTER${i}`, i % 2 ? 'digicert' : '');
        expect(res.status).toBe(200);
        times.push(res.ms);
      }
      await waitFor(() => e2e.slack.delivered('views.open').length === 201, { what: '200 more modals, each opened by Slack' });
      await Promise.all(background);
      times.sort((a, b) => a - b);
      const median = times[100]!;
      const p99 = times[197]!;
      console.info(`/adduser ack over 200 requests with ${SLOW_MS}-ms lookups and directory calls behind: median ${median.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${times[199]!.toFixed(2)} ms`);
      expect(p99).toBeLessThan(1_500);
      // The slow calls really were in flight: the provider saw lookups, Slack saw directory calls.
      expect(slowDc.count(/^\/container/)).toBeGreaterThan(0);
      expect(e2e.slack.callsTo('users.info').length + e2e.slack.callsTo('usergroups.users.list').length).toBeGreaterThan(0);
    } finally {
      await e2e.close();
      await slowDc.close();
    }
  });
});

describe('expiry', () => {
  test('a pending request expires after ADDUSER_REQUEST_TTL: parent updated, thread reply, audit record', async () => {
    const e2e = await startE2E({ ADDUSER_APPROVERS: 'UAPPROVER01', ADDUSER_REQUEST_TTL: '2s' });
    try {
      const { id } = await submit(e2e, 'checkcentral', { email: 'late@example.com', accessLevel: 'user', reason: 'Nobody will look at this' });
      const expired = await e2e.waitForState(id, 'expired', 10_000);
      expect(Date.parse(expired.updatedAt)).toBeGreaterThanOrEqual(Date.parse(expired.expiresAt));
      await waitFor(() => e2e.slack.callsTo('chat.postMessage').some((call) => String(call.args.text).includes('expired without enough approvals')), { what: 'the expiry reply' });
      await waitFor(async () => (await e2e.auditFor(id)).at(-1)?.action === 'expired', { what: 'the expiry record' });
      expect((await e2e.auditFor(id)).at(-1)).toMatchObject({ actor: 'UBOTUSER1' });
      await e2e.click('UAPPROVER01', 'request_approve', id);
      await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => String(call.args.text).includes('already expired')), { what: 'the refusal' });
    } finally {
      await e2e.close();
    }
  });
});

describe('when the request cannot be posted', () => {
  test('the requester hears why, and the request is kept', async () => {
    const e2e = await startE2E({ ADDUSER_APPROVERS: 'UAPPROVER01' });
    e2e.slack.on('chat.postMessage', (args) => (args.channel === 'CREQUESTS1' ? { ok: false, error: 'not_in_channel' } : { ok: true, channel: args.channel, ts: '1700000999.000001' }));
    try {
      const view = await e2e.openModal(REQUESTER, 'checkcentral');
      const res = await e2e.submit(REQUESTER, view, { email: 'lonely@example.com', accessLevel: 'user', reason: 'Bot not invited yet' });
      expect(res.body).toBe('');
      const told = await waitFor(() => e2e.slack.callsTo('chat.postMessage').find((call) => call.args.channel === REQUESTER), { what: 'the requester to be told' });
      expect(String(told.args.text)).toMatch(/could not post it in <#CREQUESTS1>.*not_in_channel.*\/invite @adduser/s);
      const id = /AR-[0-9A-Z]+/.exec(String(told.args.text))![0];
      expect((await e2e.request(id))?.state).toBe('pending');
    } finally {
      await e2e.close();
    }
  });
});
