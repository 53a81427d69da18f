import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAuditLog } from '../../src/domain/audit.js';
import { type ScimSimulator, startScimSimulator } from '../simulators/scim.js';
import { AUDIT_CHANNEL, BOT_TOKEN, type E2E, SIGNING_SECRET, startE2E } from '../support/e2e.js';
import { type ScimmyServer, startScimmyServer } from '../support/scimmy-server.js';
import { suggestion } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const ATLASSIAN_TOKEN = 'atl-scim-e2e-token-Qm27vN';
const ZENDESK_TOKEN = 'zd-scim-e2e-token-Lp04xC';
const SECRETS = [BOT_TOKEN, SIGNING_SECRET, ATLASSIAN_TOKEN, ZENDESK_TOKEN];
const REQUESTER = 'UREQUESTER1';
const ATLASSIAN_APPROVER = 'UATLAPPROVE';
const ZENDESK_APPROVER = 'UZDAPPROVE1';

let e2e: E2E;
let atlassian: ScimSimulator;
let zendesk: ScimmyServer;

async function threadReplies(id: string) {
  const thread = await e2e.store.get<{ ts: string }>(`slack:thread:${id}`);
  return e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts).map((call) => String(call.args.text));
}

/** The form of `provider` filled with `values`, submitted: the request id it was filed under. */
async function requestFor(provider: string, values: Record<string, string | string[]>) {
  const view = await e2e.openModal(REQUESTER, provider);
  const before = e2e.slack.calls.length;
  const res = await e2e.submit(REQUESTER, view, { ...values, reason: 'New support engineer' });
  expect(res.body).toBe('');
  const id = await e2e.postedRequestId(before);
  await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
  return id;
}

beforeAll(async () => {
  // Atlassian: the simulator, which wants an email and offers job titles; Zendesk: SCIMMY.
  atlassian = await startScimSimulator({ token: ATLASSIAN_TOKEN, schema: { required: ['emails'], canonical: { title: ['Engineer', 'Support engineer'] } } });
  zendesk = await startScimmyServer({ token: ZENDESK_TOKEN, groups: ['Agents', 'Admins'] });
  e2e = await startE2E({
    SCIM_ATLASSIAN_URL: atlassian.url,
    SCIM_ATLASSIAN_TOKEN: ATLASSIAN_TOKEN,
    SCIM_ZENDESK_URL: zendesk.url,
    SCIM_ZENDESK_TOKEN: ZENDESK_TOKEN,
    SCIM_ZENDESK_LABEL: 'Zendesk Support',
    ADDUSER_APPROVERS_ATLASSIAN: ATLASSIAN_APPROVER,
    ADDUSER_APPROVERS_ZENDESK: ZENDESK_APPROVER,
  });
  await waitFor(async () => (await fetch(`${e2e.url}/readyz`)).status === 200, { what: '/readyz once both services described their forms' });
});

afterAll(async () => {
  await e2e.close();
  await atlassian.close();
  await zendesk.close();
});

describe('two SCIM services side by side, each through form → approval → create → thread', () => {
  test('/readyz names each instance’s form, discovered from its own service', async () => {
    const body = await (await fetch(`${e2e.url}/readyz`)).text();
    expect(body).toContain('form atlassian: discovered: the service’s form, 12 fields (1 required)\n');
    // userName is required by both, but a form fills it from the email when left empty.
    expect(body).toContain('form zendesk: discovered: the service’s form, 12 fields (0 required)\n');
  });

  test('atlassian: its own form and groups from its service; its approver approves; the user is created and joins the group; the thread says so', async () => {
    const view = await e2e.openModal(REQUESTER, 'atlassian');
    const title = view.blocks.find((block) => block.block_id === 'title')!;
    expect(title.element).toMatchObject({ type: 'static_select', options: [{ value: 'Engineer' }, { value: 'Support engineer' }] });
    const groups = await e2e.send(suggestion(REQUESTER, view, 'groups', 'eng'));
    expect((groups.json() as { options: { value: string }[] }).options.map((option) => option.value).sort()).toEqual(
      atlassian.groups.filter((group) => group.displayName.startsWith('Engineering')).map((group) => group.id).sort(),
    );

    const engineering = atlassian.groups[0]!;
    const id = await requestFor('atlassian', { 'emails[primary]': 'jill.valentine@example.com', 'name.givenName': 'Jill', 'name.familyName': 'Valentine', title: 'Support engineer', groups: [engineering.id] });
    expect(await e2e.request(id)).toMatchObject({ state: 'pending', provider: 'atlassian', target: 'jill.valentine@example.com' });

    // Zendesk's approver is not Atlassian's.
    await e2e.click(ZENDESK_APPROVER, 'request_approve', id);
    await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === ZENDESK_APPROVER && String(call.args.text).includes(`<@${ATLASSIAN_APPROVER}>`)), { what: 'the refusal' });
    expect((await e2e.request(id))?.state).toBe('pending');

    await e2e.click(ATLASSIAN_APPROVER, 'request_approve', id);
    const done = await e2e.waitForState(id, 'succeeded');
    const user = atlassian.users.at(-1)!;
    expect(done.outcome).toEqual({ kind: 'created', providerUserId: user.id });
    expect(user).toMatchObject({ userName: 'jill.valentine@example.com', title: 'Support engineer', emails: [{ value: 'jill.valentine@example.com', type: 'work', primary: true }] });
    expect(engineering.members).toEqual([{ value: user.id }]);
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes(user.id)), { what: 'the success reply with the id' });
    await waitFor(async () => (await e2e.auditFor(id)).at(-1)?.action === 'succeeded', { what: 'the succeeded record' });
    expect((await e2e.auditFor(id)).map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
  });

  test('zendesk: its approver approves; a group the service does not have leaves the user created, and the thread, the audit record and channel name it', async () => {
    const view = await e2e.openModal(REQUESTER, 'zendesk');
    expect(view.blocks.map((block) => block.block_id)).toEqual(expect.arrayContaining(['userName', 'emails[primary]', 'department', 'manager', 'groups', 'reason']));
    const agents = zendesk.groups.find((group) => group.displayName === 'Agents')!;
    const id = await requestFor('zendesk', { userName: 'carlos.oliveira', 'emails[primary]': 'carlos@example.com', department: 'Support', groups: [agents.id, 'retired-group'] });
    await e2e.click(ZENDESK_APPROVER, 'request_approve', id);
    const done = await e2e.waitForState(id, 'succeeded');
    const user = zendesk.users.at(-1)!;
    expect(user).toMatchObject({ userName: 'carlos.oliveira', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Support' } });
    expect(done.outcome).toMatchObject({ kind: 'created', providerUserId: user.id, warnings: [expect.stringMatching(/^Could not join group retired-group: /)] });
    const joined = zendesk.groups.find((group) => group.id === agents.id)!;
    expect((joined.members as { value: string }[]).map((member) => member.value)).toEqual([user.id]);
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes('Account created in Zendesk Support') && text.includes('Could not join group retired-group')), { what: 'the reply with its warning' });
    await waitFor(async () => (await e2e.auditFor(id)).at(-1)?.action === 'succeeded', { what: 'the succeeded record' });
    expect((await e2e.auditFor(id)).at(-1)).toMatchObject({ provider: 'zendesk', providerUserId: user.id, warnings: [expect.stringContaining('retired-group')] });
    await waitFor(() => e2e.slack.calls.some((call) => call.args.channel === AUDIT_CHANNEL && String(call.args.text).includes('warning: Could not join group retired-group')), { what: 'the audit line with the warning' });
  });

  test('no token, log line, message, audit record or stored request carries either service’s bearer token', async () => {
    const records = await createAuditLog(e2e.store).read(1, 10_000);
    const places = { slack: e2e.slackText(), audit: JSON.stringify(records), logs: e2e.logs.text() };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
    expect(places.logs).toContain('provider form discovered');
  });
});
