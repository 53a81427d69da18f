import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAuditLog } from '../../src/domain/audit.js';
import { type CheckCentralSimulator, startCheckCentralSimulator } from '../simulators/checkcentral.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type SmsCentralSimulator, startSmsCentralSimulator } from '../simulators/smscentral.js';
import { AUDIT_CHANNEL, BOT_TOKEN, CHANNEL, type E2E, markPosts, SIGNING_SECRET, startE2E } from '../support/e2e.js';
import type { SlackCall } from '../support/fake-slack.js';
import { clickPayload } from '../support/driver.js';
import { commandBody, payloadBody } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const CC_TOKEN = 'cc-e2e-token-31d7';
const SMS_OWNER_PASSWORD = 'sms-e2e-owner-pass-8b2e';
const DC_KEY = 'dc-e2e-key-5c0f';
const TYPED_PASSWORD = 'Typed-NewUser-Pass-61x';
const SECRETS = [BOT_TOKEN, SIGNING_SECRET, CC_TOKEN, SMS_OWNER_PASSWORD, DC_KEY, TYPED_PASSWORD];

const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const APPROVER_2 = 'UAPPROVER02';
const GROUP_MEMBER = 'UGROUPMEMB1';
const STRANGER = 'USTRANGER01';

let e2e: E2E;
let cc: CheckCentralSimulator;
let sms: SmsCentralSimulator;
let dc: DigiCertSimulator;

const providerEnv = () => ({
  CHECKCENTRAL_API_TOKEN: CC_TOKEN,
  CHECKCENTRAL_BASE_URL: cc.url,
  SMSCENTRAL_USERNAME: 'owner-account',
  SMSCENTRAL_PASSWORD: SMS_OWNER_PASSWORD,
  SMSCENTRAL_BASE_URL: sms.url,
  SMSCENTRAL_ACCOUNTS: '12345:Main account,67890:Marketing',
  DIGICERT_API_KEY: DC_KEY,
  DIGICERT_BASE_URL: dc.url,
  ADDUSER_APPROVERS: `${APPROVER},${APPROVER_2},SAPPROVERS1`,
});

let counter = 0;
const values = {
  checkcentral: () => ({ email: `person${++counter}@myorg.example`, name: 'Person Somename', accessLevel: 'user', userGroups: ['grp-ops'], notify_failures: ['sms'], reason: 'New support engineer' }),
  smscentral: () => ({ USERNAME: `jsmith${++counter}`, PASSWORD: TYPED_PASSWORD, FIRSTNAME: 'John', LASTNAME: 'Smith', MOBILENUMBER: '+61412345678', ACCOUNTS: ['12345'], USERLEVEL: '3', reason: 'Marketing campaign sender' }),
  digicert: () => ({ username: `jill.valentine${++counter}`, first_name: 'Jill', last_name: 'Valentine', email: `jill${counter}@example.com`, container: '93288', access_roles: ['5'], reason: 'Certificate approver for EU' }),
};
type ProviderId = keyof typeof values;

async function submitRequest(provider: ProviderId, user = REQUESTER, form: Record<string, string | string[]> = values[provider]()) {
  const view = await e2e.openModal(user, provider);
  const before = e2e.slack.calls.length;
  const res = await e2e.submit(user, view, form);
  expect(res.status).toBe(200);
  expect(res.body).toBe('');
  const id = await e2e.postedRequestId(before);
  await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
  return { id, form };
}

const callsIn = (channel: string, id?: string) =>
  e2e.slack.calls.filter((call) => call.args.channel === channel && (!id || JSON.stringify(call.args).includes(id)));
const threadReplies = async (id: string) => {
  const thread = await e2e.store.get<{ ts: string }>(`slack:thread:${id}`);
  return e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts).map((call) => String(call.args.text));
};
const ephemeralsTo = (user: string) => e2e.slack.callsTo('chat.postEphemeral').filter((call) => call.args.user === user);
const lastUpdate = async (id: string): Promise<SlackCall | undefined> => {
  const thread = await e2e.store.get<{ ts: string }>(`slack:thread:${id}`);
  return e2e.slack.callsTo('chat.update').filter((call) => call.args.ts === thread?.ts).at(-1);
};
const buttonsOf = (call: SlackCall | undefined) =>
  ((call?.args.blocks as { type: string; elements?: { action_id: string }[] }[] | undefined) ?? [])
    .filter((block) => block.type === 'actions')
    .flatMap((block) => block.elements!.map((element) => element.action_id));

beforeAll(async () => {
  cc = await startCheckCentralSimulator({ token: CC_TOKEN });
  sms = await startSmsCentralSimulator({ username: 'owner-account', password: SMS_OWNER_PASSWORD });
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
  // Twenty-one flows in one workspace say more in its one audit channel than Slack's pace lets through in the time
  // each waits: these test what is said and done; slack-faults, the batches and approval-integrity test the pace.
  e2e = await startE2E(providerEnv(), { limits: 'none' });
  e2e.slack.addUserGroup('SAPPROVERS1', [GROUP_MEMBER]);
});

afterAll(async () => {
  await e2e.close();
  await Promise.all([cc.close(), sms.close(), dc.close()]);
});

describe('/adduser end to end, through signed requests into the Bolt receiver', () => {
  test.each([
    ['checkcentral', () => cc.count(/^\/createUser\/$/), () => JSON.parse(cc.requests.at(-1)!.body) as Record<string, unknown>],
    ['smscentral', () => sms.count(/^\/user\/create$/), () => JSON.parse(new URLSearchParams(sms.requests.at(-1)!.body).get('USER')!) as Record<string, unknown>],
    ['digicert', () => dc.count(/^\/user$/), () => JSON.parse(dc.requests.at(-1)!.body) as Record<string, unknown>],
  ] as const)('%s: request → approve → provider → thread, parent, audit', async (provider, creates, lastBody) => {
    const before = creates();
    const { id, form } = await submitRequest(provider);
    const pending = await e2e.request(id);
    expect(pending).toMatchObject({ state: 'pending', provider, requester: REQUESTER, reason: form.reason });

    const posted = e2e.slack.callsTo('chat.postMessage').find((call) => call.args.channel === CHANNEL && String(call.args.text).includes(id))!;
    expect(buttonsOf(posted)).toEqual(['request_approve', 'request_reject', 'request_cancel']);
    expect(JSON.stringify(posted.args.blocks)).toContain(`<@${REQUESTER}>`);
    const confirmation = await waitFor(() => e2e.slack.callsTo('chat.postMessage').find((call) => call.args.channel === REQUESTER && String(call.args.text).includes(id)), { what: 'the requester’s confirmation DM' });
    expect(String(confirmation.args.text)).toContain('https://fake.slack.com/archives/');

    const click = await e2e.click(APPROVER, 'request_approve', id);
    expect(click.status).toBe(200);
    const done = await e2e.waitForState(id, 'succeeded');
    expect(creates() - before).toBe(1);
    const body = lastBody();
    if (provider === 'checkcentral') expect(body).toMatchObject({ email: form.email, accessLevel: 'user', userGroups: ['grp-ops'], notifications: [{ type: 'failures', services: ['sms'] }] });
    if (provider === 'smscentral') expect(body).toMatchObject({ USERNAME: form.USERNAME, PASSWORD: TYPED_PASSWORD, ACCOUNTS: [{ ID: 12345, Userlevel: 3 }], MOBILENUMBER: '+61412345678' });
    if (provider === 'digicert') expect(body).toMatchObject({ username: form.username, container: { id: 93288 }, access_roles: [{ id: 5 }] });

    expect(done.outcome?.kind).toBe('created');
    const providerUserId = (done.outcome as { providerUserId: string }).providerUserId;
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes(providerUserId)), { what: 'the success reply' });
    await waitFor(async () => buttonsOf(await lastUpdate(id)).length === 0 && JSON.stringify((await lastUpdate(id))?.args.blocks).includes('Account created'), { what: 'the parent update' });

    const audit = await e2e.auditFor(id);
    expect(audit.map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
    expect(audit[0]).toMatchObject({ actor: REQUESTER, reason: form.reason, provider, dryRun: false });
    expect(audit[1]).toMatchObject({ actor: APPROVER });
    expect(audit[3]).toMatchObject({ providerUserId });
    await waitFor(() => callsIn(AUDIT_CHANNEL, id).length === 4, { what: 'four audit-channel messages' });
    expect(String(callsIn(AUDIT_CHANNEL, id).at(-1)?.args.text)).toMatch(/succeeded.*https:\/\/fake\.slack\.com\/archives\//s);
    await waitFor(() => e2e.slack.callsTo('chat.postMessage').some((call) => call.args.channel === REQUESTER && String(call.args.text).includes(`${id}\` is done`)), { what: 'the requester to be told' });
  });

  test.each([
    ['checkcentral', { ...values.checkcentral(), accessLevel: undefined as unknown as string, email: 'not-an-email' }, ['email', 'accessLevel']],
    ['smscentral', { ...values.smscentral(), MOBILENUMBER: '12ab', ACCOUNTS: [], reason: '' }, ['MOBILENUMBER', 'ACCOUNTS', 'reason']],
    ['digicert', { ...values.digicert(), username: 'jill valentine!', first_name: 'J'.repeat(129) }, ['username', 'first_name']],
  ] as const)('%s: invalid input → inline errors on the fields, nothing stored or posted', async (provider, form, fields) => {
    const view = await e2e.openModal(REQUESTER, provider);
    const mark = await markPosts(e2e);
    const res = await e2e.submit(REQUESTER, view, Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<string, string | string[]>);
    expect(res.status).toBe(200);
    const answer = res.json() as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors).sort()).toEqual([...fields].sort());
    for (const message of Object.values(answer.errors)) expect(message.length).toBeGreaterThan(5);
    expect(await e2e.store.length('requests:all')).toBe(mark.stored);
    expect(mark.postsSince()).toEqual([]);
  });

  test('choosing a provider updates the modal in place with its fields', async () => {
    const view = await e2e.openModal(REQUESTER);
    expect(view.blocks.filter((block) => block.type === 'input').map((block) => block.block_id)).toEqual(['provider']);
    const updated = await e2e.chooseProvider(REQUESTER, view, 'digicert');
    const update = e2e.slack.callsTo('views.update').at(-1)!;
    expect(update.args).toMatchObject({ view_id: view.id, hash: view.hash });
    expect(updated.blocks.map((block) => block.block_id)).toEqual(expect.arrayContaining(['provider', 'username', 'email', 'container', 'access_roles', 'reason']));
  });

  test('a non-approver’s click is refused privately and changes nothing', async () => {
    const { id } = await submitRequest('checkcentral');
    await e2e.click(STRANGER, 'request_approve', id);
    await waitFor(() => ephemeralsTo(STRANGER).some((call) => String(call.args.text).includes('Only approvers')), { what: 'the refusal' });
    expect((await e2e.request(id))?.state).toBe('pending');
    expect(await e2e.auditFor(id)).toHaveLength(1);
  });

  test('when Slack refuses the private reply (user_not_in_channel), it arrives as a DM instead', async () => {
    const { id } = await submitRequest('checkcentral');
    e2e.slack.fail('chat.postEphemeral', { kind: 'slack_error', error: 'user_not_in_channel' }, 1);
    await e2e.click(STRANGER, 'request_approve', id);
    await waitFor(() => e2e.slack.delivered('chat.postMessage').some((call) => call.args.channel === STRANGER && String(call.args.text).includes('Only approvers')), { what: 'the refusal as a DM' });
    expect(ephemeralsTo(STRANGER).at(-1)?.response).toEqual({ ok: false, error: 'user_not_in_channel' });
    expect((await e2e.request(id))?.state).toBe('pending');
  });

  test('an approver cannot approve their own request', async () => {
    const { id } = await submitRequest('checkcentral', APPROVER);
    await e2e.click(APPROVER, 'request_approve', id);
    await waitFor(() => ephemeralsTo(APPROVER).some((call) => String(call.args.text).includes('your own request')), { what: 'the refusal' });
    expect((await e2e.request(id))?.state).toBe('pending');
  });

  test('a member of an approver user group can approve', async () => {
    const { id } = await submitRequest('digicert');
    await e2e.click(GROUP_MEMBER, 'request_approve', id);
    await e2e.waitForState(id, 'succeeded');
    expect((await e2e.auditFor(id))[1]).toMatchObject({ action: 'approved', actor: GROUP_MEMBER });
  });

  test('two concurrent Approve clicks provision once', async () => {
    const { id } = await submitRequest('digicert');
    const before = dc.count(/^\/user$/);
    const clicks = await Promise.all([e2e.click(APPROVER, 'request_approve', id), e2e.click(APPROVER_2, 'request_approve', id)]);
    expect(clicks.map((click) => click.status)).toEqual([200, 200]);
    await e2e.waitForState(id, 'succeeded');
    await waitFor(() => ephemeralsTo(APPROVER).concat(ephemeralsTo(APPROVER_2)).some((call) => String(call.args.text).includes('already')), { what: 'the loser to be told' });
    expect(dc.count(/^\/user$/) - before).toBe(1);
    expect((await e2e.auditFor(id)).filter((record) => record.action === 'provisioning')).toHaveLength(1);
  });

  test('reject asks for a reason, posts it in the thread and audits it', async () => {
    const { id } = await submitRequest('smscentral');
    const before = e2e.slack.calls.length;
    await e2e.click(APPROVER, 'request_reject', id);
    const open = await waitFor(() => e2e.slack.calls.slice(before).find((call) => call.method === 'views.open'), { what: 'the reject dialog' });
    const view = { ...(open.args.view as object), id: 'VREJECT1', hash: 'h' } as Parameters<E2E['submit']>[1];
    const empty = await e2e.submit(APPROVER, view, { reject_reason: '' });
    expect(empty.json()).toMatchObject({ response_action: 'errors', errors: { reject_reason: expect.any(String) } });
    const res = await e2e.submit(APPROVER, view, { reject_reason: 'Use the shared marketing login instead' });
    expect(res.body).toBe('');
    const rejected = await e2e.waitForState(id, 'rejected');
    expect(rejected.decision).toMatchObject({ by: APPROVER, reason: 'Use the shared marketing login instead' });
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes('Use the shared marketing login instead')), { what: 'the reason in the thread' });
    expect((await e2e.auditFor(id)).at(-1)).toMatchObject({ action: 'rejected', actor: APPROVER, reason: 'Use the shared marketing login instead' });
    expect(sms.users.some((user) => user.USERNAME === rejected.target)).toBe(false);
  });

  test('only the requester can cancel, while pending', async () => {
    const { id } = await submitRequest('checkcentral');
    await e2e.click(APPROVER, 'request_cancel', id);
    await waitFor(() => ephemeralsTo(APPROVER).some((call) => String(call.args.text).includes('Only the person who asked')), { what: 'the refusal' });
    await e2e.click(REQUESTER, 'request_cancel', id);
    await e2e.waitForState(id, 'cancelled');
    await waitFor(async () => buttonsOf(await lastUpdate(id)).length === 0 && (await lastUpdate(id)) !== undefined, { what: 'buttons removed' });
    await e2e.click(APPROVER, 'request_approve', id);
    await waitFor(() => ephemeralsTo(APPROVER).some((call) => String(call.args.text).includes('already cancelled')), { what: 'the refusal' });
  });

  test('a provider failure is reported with the provider’s own message', async () => {
    const { id } = await submitRequest('digicert', REQUESTER, { ...values.digicert(), container: '93300', access_roles: ['1'] });
    await e2e.click(APPROVER, 'request_approve', id);
    const failed = await e2e.waitForState(id, 'failed');
    expect(failed.outcome).toMatchObject({ kind: 'rejected', message: expect.stringContaining('Access role 1 is not valid for this container') });
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes('Access role 1 is not valid for this container')), { what: 'the failure reply' });
    await waitFor(async () => (await e2e.auditFor(id)).at(-1)?.action === 'failed', { what: 'the failed record' });
    expect((await e2e.auditFor(id)).at(-1)).toMatchObject({ action: 'failed', error: expect.stringContaining('Access role 1') });
  });

  test('outcome unknown offers Retry and Mark as done to approvers, and never repeats by itself', async () => {
    const { id } = await submitRequest('checkcentral');
    const before = cc.count(/^\/createUser\/$/);
    cc.inject({ kind: 'status', status: 500, body: '' }, { path: /^\/createUser\/$/ });
    await e2e.click(APPROVER, 'request_approve', id);
    await e2e.waitForState(id, 'unknown');
    expect(cc.count(/^\/createUser\/$/) - before).toBe(1);
    await waitFor(async () => buttonsOf(await lastUpdate(id)).join() === 'request_retry,request_mark_done', { what: 'Retry / Mark as done' });
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes('Outcome unknown')), { what: 'the unknown reply' });

    await e2e.click(REQUESTER, 'request_retry', id);
    await waitFor(() => ephemeralsTo(REQUESTER).some((call) => String(call.args.text).includes('Only approvers can retry')), { what: 'the refusal' });
    await e2e.click(APPROVER_2, 'request_retry', id);
    await e2e.waitForState(id, 'succeeded');
    expect(cc.count(/^\/createUser\/$/) - before).toBe(2);
    // The audit record follows the state change: wait for it rather than race it.
    await waitFor(async () => (await e2e.auditFor(id)).length === 7, { what: 'seven audit records' });
    expect((await e2e.auditFor(id)).map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'unknown', 'retried', 'provisioning', 'succeeded']);

    const other = await submitRequest('checkcentral');
    cc.inject({ kind: 'reset' }, { path: /^\/createUser\/$/ });
    await e2e.click(APPROVER, 'request_approve', other.id);
    await e2e.waitForState(other.id, 'unknown');
    await e2e.click(APPROVER, 'request_mark_done', other.id);
    const marked = await e2e.waitForState(other.id, 'succeeded');
    expect(marked.decision).toMatchObject({ by: APPROVER, reason: 'marked as done' });
  });

  test('a blank SMS Central password is generated and opened once, by the requester only, in a modal: never in a message', async () => {
    const form = { ...values.smscentral(), PASSWORD: '' };
    const { id } = await submitRequest('smscentral', REQUESTER, form);
    await e2e.click(APPROVER, 'request_approve', id);
    await e2e.waitForState(id, 'succeeded');
    const sent = JSON.parse(new URLSearchParams(sms.requests.at(-1)!.body).get('USER')!) as { PASSWORD: string };
    expect(sent.PASSWORD).toMatch(/^\S{20}$/);
    const offer = await waitFor(() => ephemeralsTo(REQUESTER).find((call) => call.raw.includes('request_reveal')), { what: 'the Show the password button' });
    expect(offer.raw).not.toContain(sent.PASSWORD);

    const opened = () => e2e.slack.callsTo('views.open').filter((call) => JSON.stringify(call.args).includes(sent.PASSWORD));
    await e2e.click(STRANGER, 'request_reveal', id);
    await waitFor(() => ephemeralsTo(STRANGER).some((call) => String(call.args.text).includes('Only the person who asked')), { what: 'the stranger refused' });
    expect(opened()).toEqual([]);
    await e2e.click(REQUESTER, 'request_reveal', id);
    const [shown] = await waitFor(() => (opened().length > 0 ? opened() : undefined), { what: 'the password in a modal' });
    await waitFor(async () => (await e2e.store.get(`request:${id}:reveal`)) === undefined, { what: 'the password forgotten once shown' });
    await e2e.click(REQUESTER, 'request_reveal', id);
    await waitFor(() => ephemeralsTo(REQUESTER).some((call) => String(call.args.text).includes('already shown once')), { what: 'a second click told it is gone' });
    expect(opened()).toHaveLength(1);
    // Decoded arguments too: a form-encoded body hides a password's +, = and %.
    const elsewhere = e2e.slack.calls.filter((call) => call !== shown && (call.raw.includes(sent.PASSWORD) || JSON.stringify(call.args).includes(sent.PASSWORD)));
    expect(elsewhere).toEqual([]);
    expect(e2e.logs.lines.filter((l) => l.includes(sent.PASSWORD)).map((l) => l.slice(0, 400))).toEqual([]);
    expect(JSON.stringify(await e2e.auditFor(id))).not.toContain(sent.PASSWORD);
    expect(JSON.stringify(await e2e.request(id))).not.toContain(sent.PASSWORD);
  });

  test('Mark as done on an unknown create with a generated password still offers the requester the password', async () => {
    const { id } = await submitRequest('smscentral', REQUESTER, { ...values.smscentral(), PASSWORD: '' });
    sms.inject({ kind: 'reset' }, { path: /^\/user\/create$/ });
    await e2e.click(APPROVER, 'request_approve', id);
    await e2e.waitForState(id, 'unknown');
    expect(ephemeralsTo(REQUESTER).filter((call) => call.raw.includes('request_reveal') && call.raw.includes(id))).toEqual([]);
    await e2e.click(APPROVER, 'request_mark_done', id);
    await e2e.waitForState(id, 'succeeded');
    await waitFor(() => ephemeralsTo(REQUESTER).some((call) => call.raw.includes('request_reveal') && call.raw.includes(id)), { what: 'the Show the password button' });
    const sent = JSON.parse(new URLSearchParams(sms.requests.at(-1)!.body).get('USER')!) as { PASSWORD: string };
    await e2e.click(REQUESTER, 'request_reveal', id);
    await waitFor(() => e2e.slack.callsTo('views.open').some((call) => JSON.stringify(call.args).includes(sent.PASSWORD)), { what: 'the password the provider may have used' });
  });

  test('help, status and audit answer privately', async () => {
    const help = await e2e.command(REQUESTER, 'help');
    expect(help.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/adduser status') });
    const unknown = await e2e.command(REQUESTER, 'nosuchtool');
    expect(unknown.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('I don’t know'.replace('’', "'")) });

    const { id, form } = await submitRequest('checkcentral');
    const status = await e2e.command(REQUESTER, 'status');
    expect(status.status).toBe(200);
    const statusReply = await waitFor(() => e2e.slack.calls.filter((call) => call.method.startsWith('/respond/')).find((call) => String(call.args.text).includes(id)), { what: 'the status reply' });
    expect(statusReply.args).toMatchObject({ response_type: 'ephemeral' });

    await e2e.command(STRANGER, `audit ${form.email}`);
    await waitFor(() => e2e.slack.calls.some((call) => call.method.startsWith('/respond/') && String(call.args.text).includes('Only approvers')), { what: 'the audit refusal' });
    await e2e.command(APPROVER, `audit ${form.email}`);
    await waitFor(() => e2e.slack.calls.some((call) => call.method.startsWith('/respond/') && String(call.args.text).includes(`\`${id}\` *requested*`)), { what: 'the audit answer' });
    await e2e.command(APPROVER, `audit ${id.toLowerCase()}`);
    await waitFor(() => e2e.slack.calls.filter((call) => call.method.startsWith('/respond/') && String(call.args.text).includes(`record for \`${id}\``)).length > 0, { what: 'the audit by id' });
  });

  test('forged signatures and stale timestamps get 401 and change nothing', async () => {
    const { id } = await submitRequest('digicert');
    const thread = await e2e.store.get<{ channel: string; ts: string }>(`slack:thread:${id}`);
    // Let the request's own messages land first, so any later call is the forged requests' doing.
    await waitFor(() => callsIn(AUDIT_CHANNEL, id).length === 1 && callsIn(REQUESTER, id).length === 1, { what: 'the request’s own messages' });
    const creates = dc.count(/^\/user$/);
    const slackCalls = e2e.slack.calls.length;
    const approve = payloadBody(clickPayload(APPROVER, 'request_approve', id, thread, `${e2e.slack.url.replace(/\/api\/$/, '')}/respond/forged`));
    const forged = await e2e.send(approve, { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' });
    expect(forged.status).toBe(401);
    const stale = await e2e.send(approve, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    const modal = await e2e.send(commandBody({ user: REQUESTER, channel: 'C1', text: 'digicert', responseUrl: 'http://127.0.0.1:1/', triggerId: 'trigger-forged' }), { signature: 'v0=1111111111111111111111111111111111111111111111111111111111111111' });
    expect(modal.status).toBe(401);
    // Nothing happened: no state change, no audit record, no provider call, no Slack call.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await e2e.request(id))?.state).toBe('pending');
    expect((await e2e.auditFor(id)).map((record) => record.action)).toEqual(['requested']);
    expect(dc.count(/^\/user$/)).toBe(creates);
    expect(e2e.slack.calls.slice(slackCalls).filter((call) => call.method === 'views.open' || call.raw.includes(id) || call.args.user === APPROVER)).toEqual([]);

    const signed = await e2e.send(approve);
    expect(signed.status).toBe(200);
    await e2e.waitForState(id, 'succeeded');
  });

  test('no secret reaches a Slack call, an audit record or a log line', async () => {
    // Its own traffic: one approved request per provider, every secret in use.
    const ids = [(await submitRequest('checkcentral')).id, (await submitRequest('smscentral')).id, (await submitRequest('digicert')).id];
    for (const id of ids) await e2e.click(APPROVER, 'request_approve', id);
    for (const id of ids) await e2e.waitForState(id, 'succeeded');
    await waitFor(async () => (await Promise.all(ids.map((id) => e2e.auditFor(id)))).every((records) => records.at(-1)?.action === 'succeeded'), { what: 'the audit records' });
    const records = await createAuditLog(e2e.store).read(1, 10_000);
    for (const id of ids) expect(records.filter((record) => record.requestId === id)).toHaveLength(4);
    const places = { slack: e2e.slackText(), audit: JSON.stringify(records), logs: e2e.logs.text() };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
    expect(places.logs).toContain('provider create finished');
  });
});
