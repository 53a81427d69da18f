import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { submissionPayload } from '../support/driver.js';
import { type E2E, startE2E } from '../support/e2e.js';
import { BOT } from '../support/fake-slack.js';
import { commandBody, homeOpenedPayload, payloadBody } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-edge-key-90ab';
const REQUESTER = 'UREQUESTER1';
const MARKER = 'payload-marker-never-logged';
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

const digicertForm = { username: 'edge.user', first_name: 'Eve', last_name: 'Edge', email: 'eve@example.com', container: '93288', access_roles: ['5'], reason: 'Edge test' };
const json = (payload: unknown) => e2e.send(JSON.stringify(payload), { headers: { 'content-type': 'application/json' } });
const warnings = () => e2e.logs.lines.map((line) => JSON.parse(line) as { level: number; msg: string; payloadType?: string; problem?: string }).filter((line) => line.level === 40);
const viewers = () => e2e.store.range<unknown>('slack:home:viewers', 0, -1);

describe('every payload is validated before a listener reads it', () => {
  test('a signed view_submission of the request form without view.state: 400, one warning naming the type and the problem, nothing stored', async () => {
    const view = await e2e.openModal(REQUESTER, 'digicert');
    const payload = submissionPayload(REQUESTER, { ...view, private_metadata: JSON.stringify({ channel: MARKER, provider: 'digicert' }) }, digicertForm);
    const { state: _dropped, ...withoutState } = payload.view;
    const warnedBefore = warnings().length;
    const res = await e2e.send(payloadBody({ ...payload, view: withoutState }));
    expect(res.status).toBe(400);
    const warned = warnings().slice(warnedBefore);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ payloadType: 'view_submission adduser_request', problem: expect.stringContaining('view.state') });
    expect(e2e.logs.text()).not.toContain(MARKER);
    expect(await e2e.store.length('requests:all')).toBe(0);
  });

  test('an app_home_opened whose event.user is an object (or deeply nested) is refused, not stored', async () => {
    const home = homeOpenedPayload('UPLACEHOLD1');
    expect((await json({ ...home, event: { ...home.event, user: { id: 'UOBJECT001' } } })).status).toBe(400);
    // Built as text: a user nested 3,000 deep is more than JSON.stringify can walk.
    const nested = `${'{"id":'.repeat(3_000)}"UNESTED001"${'}'.repeat(3_000)}`;
    const deep = JSON.stringify(home).replace('"UPLACEHOLD1"', nested);
    expect((await e2e.send(deep, { headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect(await viewers()).toEqual([]);
    expect(e2e.slack.callsTo('views.publish')).toEqual([]);
    expect((await fetch(`${e2e.url}/healthz`)).status).toBe(200);
  });

  test('/adduser whose trigger_id Slack finds expired tells the person to type it again, instead of nothing', async () => {
    e2e.slack.fail('views.open', { kind: 'slack_error', error: 'expired_trigger_id' }, 1);
    const res = await e2e.command(REQUESTER, 'digicert');
    expect(res.status).toBe(200);
    await waitFor(
      () => e2e.slack.calls.some((call) => call.method.startsWith('/respond/') && String(call.args.text).includes('Slack took too long to open the form') && String(call.args.text).includes('/adduser digicert')),
      { what: 'the ephemeral asking to type it again' },
    );
    expect(e2e.logs.lines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });

  test('payloads nothing here handles are acknowledged at once with 200, not left to Bolt’s no-ack timeout', async () => {
    const view = await e2e.openModal(REQUESTER, 'digicert');
    const closed = { ...submissionPayload(REQUESTER, view, {}), type: 'view_closed', is_cleared: false };
    const otherEvent = { ...homeOpenedPayload(REQUESTER), event: { type: 'member_joined_channel', user: REQUESTER, channel: 'C1' } };
    const calls = e2e.slack.calls.length;
    expect((await e2e.send(payloadBody(closed))).status).toBe(200);
    expect((await json(otherEvent)).status).toBe(200);
    expect((await e2e.send(commandBody({ user: REQUESTER, channel: 'C1', text: '', responseUrl: `${e2e.slack.url}x` }).replace('%2Fadduser', '%2Fother'))).status).toBe(200);
    expect(e2e.logs.text()).not.toContain('not acknowledged');
    expect(e2e.slack.calls.length).toBe(calls);
  });
});

describe('one workspace', () => {
  test('signed payloads from another team are refused with 403: no modal, no Home, nothing stored', async () => {
    const calls = e2e.slack.calls.length;
    const command = commandBody({ user: REQUESTER, channel: 'C1', text: 'digicert', responseUrl: `${e2e.slack.url}x` }).replace('team_id=TTEAM0001', 'team_id=TOTHERTEAM');
    expect((await e2e.send(command)).status).toBe(403);
    const home = homeOpenedPayload('UOTHER0001');
    expect((await json({ ...home, team_id: 'TOTHERTEAM', authorizations: [{ ...home.authorizations[0], team_id: 'TOTHERTEAM' }] })).status).toBe(403);
    expect(e2e.slack.calls.length).toBe(calls);
    expect(await viewers()).toEqual([]);
    expect(warnings().some((line) => line.msg.includes('another workspace'))).toBe(true);
  });

  test('an org-wide install compares the enterprise: any team of it is served, another enterprise is refused', async () => {
    const grid = await startE2E({}, { beforeStart: (slack) => slack.on('auth.test', () => ({ ok: true, user_id: BOT.userId, bot_id: BOT.botId, team_id: null, enterprise_id: 'EGRID0001', is_enterprise_install: true })) });
    try {
      const body = (enterprise: string) =>
        `${commandBody({ user: REQUESTER, channel: 'C1', text: 'help', responseUrl: `${grid.slack.url}x` }).replace('team_id=TTEAM0001', 'team_id=TANYTEAM01')}&enterprise_id=${enterprise}`;
      expect((await grid.send(body('EGRID0001'))).status).toBe(200);
      expect((await grid.send(body('EOTHER001'))).status).toBe(403);
    } finally {
      await grid.close();
    }
  });

  test('before Slack has said which workspace the token belongs to, payloads are refused with 503', async () => {
    const unknown = await startE2E({}, { beforeStart: (slack) => slack.on('auth.test', () => ({ ok: false, error: 'invalid_auth' })) });
    try {
      const res = await unknown.send(commandBody({ user: REQUESTER, channel: 'C1', text: 'digicert', responseUrl: `${unknown.slack.url}x` }));
      expect(res.status).toBe(503);
      expect(res.body).toContain('workspace');
      expect(unknown.slack.callsTo('views.open')).toEqual([]);
    } finally {
      await unknown.close();
    }
  });

  test('an approver group Slack no longer knows (no_such_subteam) counts as empty: the other group’s members still approve, nobody else does', async () => {
    const groups = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: 'SDELETED01,SAPPROVERS1' }, { beforeStart: (slack) => slack.addUserGroup('SAPPROVERS1', ['UGROUPMEMB1']) });
    try {
      const view = await groups.openModal(REQUESTER, 'digicert');
      const before = groups.slack.calls.length;
      expect((await groups.submit(REQUESTER, view, { ...digicertForm, username: 'group.approved', email: 'group.approved@example.com' })).status).toBe(200);
      const id = await groups.postedRequestId(before);
      await waitFor(async () => groups.store.get(`slack:thread:${id}`), { what: 'the thread' });
      await groups.click('USTRANGER01', 'request_approve', id);
      await waitFor(() => groups.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === 'USTRANGER01' && String(call.args.text).includes('Only approvers')), { what: 'the refusal' });
      await groups.click('UGROUPMEMB1', 'request_approve', id);
      await groups.waitForState(id, 'succeeded');
      expect(groups.slack.callsTo('usergroups.users.list').some((call) => call.args.usergroup === 'SDELETED01' && call.response?.error === 'no_such_subteam')).toBe(true);
    } finally {
      await groups.close();
    }
  });

  test('a click from a user Slack does not know (user_not_found) under the default admin approvers is refused, acked, and changes nothing', async () => {
    const admins = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: '' });
    try {
      const view = await admins.openModal(REQUESTER, 'digicert');
      const before = admins.slack.calls.length;
      await admins.submit(REQUESTER, view, { ...digicertForm, username: 'ghost.clicked', email: 'ghost.clicked@example.com' });
      const id = await admins.postedRequestId(before);
      await waitFor(async () => admins.store.get(`slack:thread:${id}`), { what: 'the thread' });
      // Deactivated since it clicked: Slack no longer answers users.info for it.
      admins.slack.fail('users.info', { kind: 'slack_error', error: 'user_not_found' }, 5, (args) => args.user === 'UDELETED001');
      const res = await admins.click('UDELETED001', 'request_approve', id);
      expect(res.status).toBe(200);
      await waitFor(() => admins.slack.callsTo('users.info').some((call) => call.args.user === 'UDELETED001' && call.response?.error === 'user_not_found'), { what: 'Slack not knowing the user' });
      await waitFor(() => admins.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === 'UDELETED001' && String(call.args.text).includes('Only approvers')), { what: 'the refusal' });
      expect((await admins.request(id))?.state).toBe('pending');
      expect(admins.logs.lines.filter((line) => line.includes('"level":50'))).toEqual([]);
    } finally {
      await admins.close();
    }
  });

  test('workspace admins approve by default only as full members of the bot’s team: not restricted, not a guest, not a stranger, not from another team', async () => {
    const people: Record<string, Record<string, unknown>> = {
      UADMINFULL1: { team_id: 'TTEAM0001', is_admin: true },
      UADMINGUEST: { team_id: 'TTEAM0001', is_admin: true, is_restricted: true },
      UADMINULTRA: { team_id: 'TTEAM0001', is_owner: true, is_ultra_restricted: true },
      UADMINSTRNG: { team_id: 'TTEAM0001', is_admin: true, is_stranger: true },
      UADMINOTHER: { team_id: 'TOTHERTEAM', is_admin: true },
    };
    const admins = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url }, { beforeStart: (slack) => slack.on('users.info', (args) => ({ ok: true, user: { id: args.user, ...people[String(args.user)] } })) });
    try {
      const view = await admins.openModal(REQUESTER, 'digicert');
      const before = admins.slack.calls.length;
      expect((await admins.submit(REQUESTER, view, digicertForm)).status).toBe(200);
      const id = await admins.postedRequestId(before);
      await waitFor(async () => admins.store.get(`slack:thread:${id}`), { what: 'the thread' });
      for (const user of ['UADMINGUEST', 'UADMINULTRA', 'UADMINSTRNG', 'UADMINOTHER']) {
        await admins.click(user, 'request_approve', id);
        await waitFor(() => admins.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === user && String(call.args.text).includes('Only approvers')), { what: `the refusal to ${user}` });
      }
      expect((await admins.request(id))?.state).toBe('pending');
      await admins.click('UADMINFULL1', 'request_approve', id);
      await admins.waitForState(id, 'succeeded');
    } finally {
      await admins.close();
    }
  });
});
