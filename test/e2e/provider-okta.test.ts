import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAuditLog } from '../../src/domain/audit.js';
import { type OktaSimulator, startOktaSimulator } from '../simulators/okta.js';
import { AUDIT_CHANNEL, BOT_TOKEN, type E2E, markPosts, SIGNING_SECRET, startE2E } from '../support/e2e.js';
import { suggestion } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const TOKEN = '00okta-e2e-token-9Rk4wZ';
const PASSWORD = 'Okta-E2E-Typed-Pass-47q';
const SECRETS = [BOT_TOKEN, SIGNING_SECRET, TOKEN, PASSWORD];
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';

let e2e: E2E;
let sim: OktaSimulator;
let counter = 0;
const values = () => ({
  firstName: 'Isaac',
  lastName: 'Brock',
  email: `isaac.brock${++counter}@example.com`,
  mobilePhone: '555-415-1337',
  password: PASSWORD,
  groupIds: ['00g1emaKYZTWRYYRRTSK'],
  reason: 'New support engineer',
});
const creates = () => sim.count(/^\/api\/v1\/users$/);

async function submit(form: Record<string, string | string[]>) {
  const view = await e2e.openModal(REQUESTER, 'okta');
  const before = e2e.slack.calls.length;
  const res = await e2e.submit(REQUESTER, view, form);
  return { res, view, before };
}

async function threadReplies(id: string) {
  const thread = await e2e.store.get<{ ts: string }>(`slack:thread:${id}`);
  return e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts).map((call) => String(call.args.text));
}

beforeAll(async () => {
  sim = await startOktaSimulator({ token: TOKEN });
  e2e = await startE2E({ OKTA_ORG_URL: sim.url, OKTA_API_TOKEN: TOKEN, ADDUSER_APPROVERS: APPROVER });
});

afterAll(async () => {
  await e2e.close();
  await sim.close();
});

describe('/adduser okta end to end, through signed requests into the Bolt receiver', () => {
  test('the form opens at Okta with its fields, and the groups list comes from Okta', async () => {
    const view = await e2e.openModal(REQUESTER, 'okta');
    expect(view.blocks.map((block) => block.block_id)).toEqual(expect.arrayContaining(['firstName', 'lastName', 'email', 'login', 'mobilePhone', 'password', 'groupIds', 'reason']));
    const res = await e2e.send(suggestion(REQUESTER, view, 'groupIds', 'eng'));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ options: [{ text: expect.objectContaining({ type: 'plain_text', text: 'Engineering' }), value: '00g1emaKYZTWRYYRRTSK' }] });
  });

  test('request → approve → Okta → thread reply with the Okta user id, parent and audit; no secret anywhere', async () => {
    const before = creates();
    const form = values();
    const { res, before: calls } = await submit(form);
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    const id = await e2e.postedRequestId(calls);
    await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
    expect(await e2e.request(id)).toMatchObject({ state: 'pending', provider: 'okta', target: form.email, requester: REQUESTER });

    await e2e.click(APPROVER, 'request_approve', id);
    const done = await e2e.waitForState(id, 'succeeded');
    expect(creates() - before).toBe(1);
    const sent = sim.requests.filter((request) => request.path === '/api/v1/users').at(-1)!;
    expect(sent.query.get('activate')).toBe('true');
    expect(sent.headers.authorization).toBe(`SSWS ${TOKEN}`);
    expect(JSON.parse(sent.body)).toEqual({
      profile: { firstName: 'Isaac', lastName: 'Brock', email: form.email, login: form.email, mobilePhone: '555-415-1337' },
      credentials: { password: { value: PASSWORD } },
      groupIds: ['00g1emaKYZTWRYYRRTSK'],
    });

    const providerUserId = sim.users.at(-1)!.id;
    expect(done.outcome).toEqual({ kind: 'created', providerUserId });
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes(providerUserId)), { what: 'the success reply with the Okta id' });
    await waitFor(async () => (await e2e.auditFor(id)).at(-1)?.action === 'succeeded', { what: 'the succeeded record' });
    const audit = await e2e.auditFor(id);
    expect(audit.map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
    expect(audit[3]).toMatchObject({ provider: 'okta', providerUserId, dryRun: false });
    await waitFor(() => e2e.slack.calls.filter((call) => call.args.channel === AUDIT_CHANNEL && JSON.stringify(call.args).includes(id)).length === 4, { what: 'four audit-channel messages' });

    const records = await createAuditLog(e2e.store).read(1, 10_000);
    const places = { slack: e2e.slackText(), audit: JSON.stringify(records), logs: e2e.logs.text(), request: JSON.stringify(await e2e.request(id)) };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
    expect(places.logs).toContain('provider create finished');
  });

  test('a login Okta already has → the request fails as "already exists" with Okta’s words in the thread', async () => {
    const taken = (sim.users.at(-1)!.body.profile as { login: string }).login;
    const form = { ...values(), email: taken };
    const { before } = await submit(form);
    const id = await e2e.postedRequestId(before);
    await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
    await e2e.click(APPROVER, 'request_approve', id);
    const failed = await e2e.waitForState(id, 'failed');
    expect(failed.outcome).toMatchObject({ kind: 'already_exists', message: expect.stringContaining('An object with this field already exists') });
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes('already exists')), { what: 'the failure reply' });
  });

  test('invalid input → inline errors on the fields, nothing stored or posted', async () => {
    const view = await e2e.openModal(REQUESTER, 'okta');
    const mark = await markPosts(e2e);
    const tooLong = 'I'.repeat(51);
    const res = await e2e.submit(REQUESTER, view, { ...values(), firstName: tooLong, email: 'isaac@', groupIds: ['00g"bad'] });
    const answer = res.json() as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors).sort()).toEqual(['email', 'firstName', 'groupIds']);
    expect(await e2e.store.length('requests:all')).toBe(mark.stored);
    expect(mark.postsSince()).toEqual([]);
    expect(JSON.stringify(answer)).not.toContain(PASSWORD);
  });
});

describe('/adduser okta: the bot keeps under the budget Okta reports', () => {
  let paced: E2E;
  let small: OktaSimulator;
  beforeAll(async () => {
    small = await startOktaSimulator({ token: TOKEN, rateLimit: { limit: 2, windowSeconds: 2 } });
    paced = await startE2E({ OKTA_ORG_URL: small.url, OKTA_API_TOKEN: TOKEN, ADDUSER_APPROVERS: APPROVER });
  });
  afterAll(async () => {
    await paced.close();
    await small.close();
  });

  test('four approvals one after another against 2 creates per window: the spent budget holds the next create until the reset, 0 × 429', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const view = await paced.openModal(REQUESTER, 'okta');
      const before = paced.slack.calls.length;
      await paced.submit(REQUESTER, view, { ...values(), password: '' });
      ids.push(await paced.postedRequestId(before));
    }
    for (const id of ids) {
      await waitFor(async () => paced.store.get(`slack:thread:${id}`), { what: 'the request thread' });
      await paced.click(APPROVER, 'request_approve', id);
      await paced.waitForState(id, 'succeeded');
    }
    expect(small.users).toHaveLength(4);
    expect(small.requests.filter((request) => request.status === 429)).toEqual([]);
    expect(paced.logs.text()).toContain('provider says its rate limit is spent');
  });
});
