import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type E2E, startE2E } from '../support/e2e.js';
import { payloadBody } from '../support/slack-requests.js';
import { stateValues } from '../support/driver.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-faults-key-6d2a';
let dc: DigiCertSimulator;
let e2e: E2E;
beforeAll(async () => {
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
  e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: 'UAPPROVER01' });
});
afterAll(async () => {
  await e2e.close();
  await dc.close();
});

const form = (n: number) => ({ username: `fault.user${n}`, first_name: 'Fay', last_name: 'Fault', email: `fay${n}@example.com`, container: '93288', access_roles: ['5'], reason: 'Slack is having a bad day' });

describe('Slack faults', { timeout: 60_000 }, () => {
  test('429s, 500s and dropped connections for a while lose nothing: every message arrives once Slack recovers', { timeout: 60_000 }, async () => {
    const view = await e2e.openModal('UREQUESTER1', 'digicert');
    e2e.slack.fail('chat.postMessage', { kind: 'rate_limited', retryAfter: 1 }, 2);
    e2e.slack.fail('*', { kind: 'error', status: 500 }, 6);
    e2e.slack.fail('chat.update', { kind: 'reset' }, 2);
    const res = await e2e.submit('UREQUESTER1', view, form(1));
    expect(res.body).toBe('');
    const id = (await e2e.store.range<string>('requests:all', -1, -1))[0]!;
    await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { timeoutMs: 30_000, what: 'the request message, despite the faults' });

    e2e.slack.fail('*', { kind: 'error', status: 503 }, 4);
    await e2e.click('UAPPROVER01', 'request_approve', id);
    await e2e.waitForState(id, 'succeeded');
    expect(dc.count(/^\/user$/)).toBe(1);

    const thread = (await e2e.store.get<{ ts: string }>(`slack:thread:${id}`))!;
    await waitFor(() => e2e.slack.delivered('chat.postMessage').some((call) => call.args.thread_ts === thread.ts && String(call.args.text).includes('Account created')), { timeoutMs: 30_000, what: 'the success reply' });
    await waitFor(() => e2e.slack.delivered('chat.postMessage').filter((call) => call.args.channel === 'CAUDITLOG1' && String(call.args.text).includes(id)).length === 4, { timeoutMs: 30_000, what: 'four audit-channel lines' });
    const parents = e2e.slack.delivered('chat.postMessage').filter((call) => call.args.channel === 'CREQUESTS1' && !call.args.thread_ts && String(call.args.text).includes(id));
    expect(parents).toHaveLength(1);
    expect(e2e.slack.calls.filter((call) => call.status !== 200).length).toBeGreaterThanOrEqual(14);
    const update = e2e.slack.delivered('chat.update').filter((call) => call.args.ts === thread.ts).at(-1);
    expect(JSON.stringify(update?.args.blocks)).toContain('Account created');
    await waitFor(async () => (await e2e.store.indexCount('slack:outbox:due')) === 0, { timeoutMs: 30_000, what: 'the outbox to drain' });
  });

  test('a 429 holds its channel for everyone until Retry-After runs out: nothing goes there meanwhile, the message goes once after, and /metrics counts it', async () => {
    const view = await e2e.openModal('UREQUESTER1', 'digicert');
    const counted = async () => Number(/adduser_slack_rate_limited_total\{method="chat.postMessage"\} (\d+)/.exec(await (await fetch(`${e2e.url}/metrics`)).text())?.[1] ?? 0);
    const before = await counted();
    const from = e2e.slack.calls.length;
    e2e.slack.fail('chat.postMessage', { kind: 'rate_limited', retryAfter: 3 }, 1, (args) => args.channel === 'CREQUESTS1' && !args.thread_ts);
    expect((await e2e.submit('UREQUESTER1', view, form(7))).body).toBe('');
    const posted = await waitFor(() => e2e.slack.delivered('chat.postMessage').find((call) => call.args.channel === 'CREQUESTS1' && !call.args.thread_ts && e2e.slack.calls.indexOf(call) >= from), { timeoutMs: 15_000, what: 'the request message after the wait' });
    const refused = e2e.slack.calls.slice(from).find((call) => call.status === 429)!;
    expect(posted.at - refused.at).toBeGreaterThanOrEqual(2_900);
    // Not one call to that channel while Slack said wait, and the message once.
    expect(e2e.slack.calls.slice(from).filter((call) => call.method === 'chat.postMessage' && call.args.channel === 'CREQUESTS1' && call.at > refused.at && call.at < refused.at + 3_000)).toEqual([]);
    expect(e2e.slack.ignoredRetryAfterCount()).toBe(0);
    expect(e2e.slack.delivered('chat.postMessage').filter((call) => call.args.channel === 'CREQUESTS1' && String(call.args.text).includes('fay7@example.com'))).toHaveLength(1);
    expect(await counted()).toBe(before + 1);
  });

  test('a submission Slack delivers twice (X-Slack-Retry-Num) creates one request', async () => {
    const view = await e2e.openModal('UREQUESTER1', 'digicert');
    const before = await e2e.store.length('requests:all');
    const body = payloadBody({
      type: 'view_submission',
      team: { id: 'TTEAM0001' },
      user: { id: 'UREQUESTER1', team_id: 'TTEAM0001' },
      api_app_id: 'AAPP00001',
      view: { ...view, type: 'modal', team_id: 'TTEAM0001', state: stateValues(view, form(2)) },
    });
    const answers = await Promise.all([
      e2e.send(body),
      e2e.send(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await waitFor(async () => (await e2e.store.length('requests:all')) > before, { what: 'the request' });
    expect(await e2e.store.length('requests:all')).toBe(before + 1);
  });
});
