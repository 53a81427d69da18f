import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type E2E, startE2E } from '../support/e2e.js';
import type { SlackCall } from '../support/fake-slack.js';
import { homeOpenedPayload } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-home-key-4411';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
let dc: DigiCertSimulator;
let e2e: E2E;

beforeAll(async () => {
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
  e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: APPROVER });
});
afterAll(async () => {
  await e2e.close();
  await dc.close();
});

/** app_home_opened: the user opening the Home is a member of the workspace. */
const openHome = (user: string) => (e2e.slack.addUser(user), e2e.send(JSON.stringify(homeOpenedPayload(user)), { headers: { 'content-type': 'application/json' } }));

const homesOf = (user: string) => e2e.slack.callsTo('views.publish').filter((call) => call.args.user_id === user);
const text = (call: SlackCall | undefined) => JSON.stringify(call?.args.view ?? {});

async function submit(n: number) {
  const view = await e2e.openModal(REQUESTER, 'digicert');
  const before = e2e.slack.calls.length;
  await e2e.submit(REQUESTER, view, { username: `home.user${n}`, first_name: 'Hal', last_name: 'Home', email: `hal${n}@example.com`, container: '93288', access_roles: ['5'], reason: 'App Home test' });
  const id = await e2e.postedRequestId(before);
  await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the thread' });
  return id;
}

describe('App Home', () => {
  test('approvers see pending requests with the same buttons; everyone sees their own; both refresh on change', async () => {
    const id = await submit(1);
    expect((await openHome(APPROVER)).status).toBe(200);
    await waitFor(() => text(homesOf(APPROVER).at(-1)).includes(id), { what: 'the approver’s Home' });
    const approverHome = homesOf(APPROVER).at(-1)!;
    expect(text(approverHome)).toContain('Waiting for your approval');
    expect(text(approverHome)).toContain('"action_id":"request_approve"');

    await openHome(REQUESTER);
    await waitFor(() => text(homesOf(REQUESTER).at(-1)).includes(id), { what: 'the requester’s Home' });
    expect(text(homesOf(REQUESTER).at(-1))).not.toContain('Waiting for your approval');
    expect(text(homesOf(REQUESTER).at(-1))).toContain('"action_id":"request_cancel"');

    const publishedBefore = homesOf(APPROVER).length;
    await e2e.click(REQUESTER, 'request_approve', id, 'home');
    await waitFor(() => e2e.slack.callsTo('chat.postMessage').some((call) => call.args.channel === REQUESTER && String(call.args.text).includes('your own request')), { what: 'the refusal as a DM' });

    await e2e.click(APPROVER, 'request_approve', id, 'home');
    await e2e.waitForState(id, 'succeeded');
    await waitFor(() => homesOf(APPROVER).length > publishedBefore && !text(homesOf(APPROVER).at(-1)).includes(`|${id}>`), { what: 'the approver’s Home to drop the decided request' });
    await waitFor(() => text(homesOf(REQUESTER).at(-1)).includes('Account created'), { what: 'the requester’s Home to show the outcome' });
  });
});

describe('operations', () => {
  test('/metrics exposes Slack requests, ack latency, provider calls, pending requests and outbox depth', async () => {
    await submit(2);
    const res = await fetch(`${e2e.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toMatch(/^adduser_slack_requests_total\{type="command"\} [1-9]\d*$/m);
    expect(body).toMatch(/^adduser_slack_requests_total\{type="view_submission"\} [1-9]\d*$/m);
    expect(body).toMatch(/^adduser_slack_ack_seconds_count [1-9]\d*$/m);
    expect(body).toMatch(/^adduser_provider_calls_total\{provider="digicert",outcome="created"\} 1$/m);
    expect(body).toMatch(/^adduser_provider_call_seconds_count\{provider="digicert"\} 1$/m);
    expect(body).toMatch(/^adduser_pending_requests 1$/m);
    expect(body).toMatch(/^adduser_outbox_depth \d+$/m);
    expect(body).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  test('/readyz is 200 when the store answers and Slack accepts the token, 503 with the reason otherwise', async () => {
    const ready = await fetch(`${e2e.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('store: ok\nslack: ok\npolicy: ok\n');

    const rejected = await startE2E({}, { beforeStart: (slack) => slack.on('auth.test', () => ({ ok: false, error: 'invalid_auth' })) });
    try {
      await waitFor(() => rejected.logs.text().includes('Slack refused the token (invalid_auth): check SLACK_BOT_TOKEN'), { what: 'the auth failure' });
      const notReady = await fetch(`${rejected.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toContain('slack: Slack refused the token (invalid_auth)');
      expect((await fetch(`${rejected.url}/healthz`)).status).toBe(200);
    } finally {
      await rejected.close();
    }
  });

  test('every log line of a request carries its request id, from submission to the provider call', async () => {
    const id = await submit(3);
    await e2e.click(APPROVER, 'request_approve', id);
    await e2e.waitForState(id, 'succeeded');
    // The state moves before its log line is written: wait for the last line, not the state.
    await waitFor(() => e2e.logs.lines.some((line) => line.includes('request succeeded') && line.includes(id)), { what: 'the last line' });
    const lines = e2e.logs.lines.filter((line) => line.includes(`"requestId":"${id}"`)).map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(lines).toEqual(expect.arrayContaining(['request requested', 'request approved', 'request provisioning', 'provider create finished', 'request succeeded']));
  });
});
