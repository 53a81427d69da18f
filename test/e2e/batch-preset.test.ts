import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Batch } from '../../src/domain/batch/batch.js';
import { type CheckCentralSimulator, startCheckCentralSimulator } from '../simulators/checkcentral.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type SmsCentralSimulator, startSmsCentralSimulator } from '../simulators/smscentral.js';
import { CHANNEL, type E2E, startE2E } from '../support/e2e.js';
import { tempFiles } from '../support/temp-files.js';
import { waitFor } from '../support/wait.js';

const CC_TOKEN = 'cc-batch-preset-token-51c2';
const SMS_PASSWORD = 'sms-batch-preset-pass-8d0e';
const DC_KEY = 'dc-batch-preset-key-2b7f';
const REQUESTER = 'UREQUESTER1';
const [FIRST, SECOND] = ['UAPPROVER01', 'UAPPROVER02'];
const POLICY = `version: 1
defaults:
  requests_channel: ${CHANNEL}
  approvers: [${FIRST}, ${SECOND}]
providers:
  digicert:
    required_approvals: 2
presets:
  engineer:
    label: New engineer
    accounts:
      checkcentral: { accessLevel: user }
      smscentral: { ACCOUNTS: ["12345"], USERLEVEL: "3" }
      digicert: { container: "93288", access_roles: ["5"] }
`;

const temp = tempFiles('adduser-batch-preset-');
let e2e: E2E;
let cc: CheckCentralSimulator;
let sms: SmsCentralSimulator;
let dc: DigiCertSimulator;

beforeAll(async () => {
  cc = await startCheckCentralSimulator({ token: CC_TOKEN });
  sms = await startSmsCentralSimulator({ username: 'owner-account', password: SMS_PASSWORD });
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
  const policy = temp.write('policy.yml', POLICY);
  e2e = await startE2E({
    CHECKCENTRAL_API_TOKEN: CC_TOKEN,
    CHECKCENTRAL_BASE_URL: cc.url,
    SMSCENTRAL_USERNAME: 'owner-account',
    SMSCENTRAL_PASSWORD: SMS_PASSWORD,
    SMSCENTRAL_BASE_URL: sms.url,
    SMSCENTRAL_ACCOUNTS: '12345:Main account',
    DIGICERT_API_KEY: DC_KEY,
    DIGICERT_BASE_URL: dc.url,
    ADDUSER_POLICY_FILE: policy,
    ADDUSER_REQUESTS_CHANNEL: '',
  });
});

afterAll(async () => {
  await e2e.close();
  await Promise.all([cc.close(), sms.close(), dc.close()]);
});

describe('a preset: three accounts for one person, one request, one decision', () => {
  test('approved once: CheckCentral and SMS Central go, DigiCert waits for its second approver; CheckCentral fails at the provider, the others are created; each is said on its own line', { timeout: 30_000 }, async () => {
    // Jill already has a CheckCentral user: that account fails at the provider, the others must not.
    cc.users.push({ email: 'jill@example.com', name: 'Jill Valentine', accessLevel: 'user' });
    const view = await e2e.openModal(REQUESTER, 'engineer');
    const before = e2e.slack.calls.length;
    const submitted = await e2e.submit(REQUESTER, view, { 'person:email': 'jill@example.com', 'person:first_name': 'Jill', 'person:last_name': 'Valentine', 'person:username': 'jill.valentine', reason: 'Starts Monday in platform' });
    expect(submitted.body).toBe('');
    const posted = await waitFor(() => e2e.slack.calls.slice(before).find((call) => call.method === 'chat.postMessage' && call.args.channel === CHANNEL && !call.args.thread_ts), { what: 'the request message' });
    const batchId = /AB-[0-9A-Z]+/.exec(String(posted.args.text))![0];
    expect(String(posted.args.text)).toBe(`Account request ${batchId}: 3 accounts for Jill Valentine: Pending approval`);
    const status = JSON.stringify(posted.args.blocks);
    expect(status).toContain('DigiCert CertCentral needs 2 approvals');
    expect(status).toContain('CheckCentral needs 1 approval');
    const batch = (await e2e.store.get<Batch>(`batch:${batchId}`))!;
    const [ccId, smsId, dcId] = batch.members as [string, string, string];
    expect((await Promise.all(batch.members.map((id) => e2e.request(id)))).map((member) => [member!.provider, member!.target])).toEqual([
      ['checkcentral', 'jill@example.com'],
      ['smscentral', 'jill.valentine'],
      ['digicert', 'jill@example.com'],
    ]);
    await waitFor(async () => e2e.store.get(`slack:thread:${batchId}`), { what: 'the batch thread' });

    await e2e.click(FIRST, 'request_approve', batchId);
    expect((await e2e.waitForState(ccId, 'failed')).outcome?.kind).toBe('already_exists');
    const smsDone = await e2e.waitForState(smsId, 'succeeded');
    expect(smsDone.outcome).toMatchObject({ kind: 'created' });
    expect((await e2e.request(dcId))!.state).toBe('pending');
    expect(dc.users).toHaveLength(0);

    // The same approver again counts for nothing more; the second one completes DigiCert only.
    await e2e.click(FIRST, 'request_approve', batchId);
    await e2e.click(SECOND, 'request_approve', batchId);
    const dcDone = await e2e.waitForState(dcId, 'succeeded');
    expect(dc.users.map((user) => user.username)).toEqual(['jill.valentine']);
    expect(sms.users).toHaveLength(1);
    expect(cc.requests.filter((request) => request.method === 'POST')).toHaveLength(1);

    const thread = (await e2e.store.get<{ ts: string }>(`slack:thread:${batchId}`))!;
    const replies = () => e2e.slack.threadLines(thread.ts);
    await waitFor(() => replies().some((text) => text.startsWith(':tada: DigiCert CertCentral · *jill@example.com*')), { what: 'the DigiCert line' });
    expect(replies().filter((text) => text.startsWith(':x: CheckCentral · *jill@example.com*: not created.'))).toHaveLength(1);
    expect(replies().filter((text) => text.startsWith(':tada: SMS Central · *jill.valentine*: created'))).toHaveLength(1);
    expect(replies().filter((text) => text.startsWith(`:white_check_mark: <@${FIRST}> approved. Creating 2 accounts…`))).toHaveLength(1);
    expect(replies().filter((text) => text.startsWith(`:white_check_mark: <@${SECOND}> approved. Creating 1 account…`))).toHaveLength(1);
    expect(String(dcDone.outcome?.kind)).toBe('created');
    await waitFor(() => e2e.slack.calls.some((call) => call.args.channel === REQUESTER && String(call.args.text).includes(`${batchId}\` for 3 accounts for Jill Valentine is done: 2 created · 1 failed`)), { what: 'the requester told it is done' });
    // A preset's accounts are few and each has its line: no results file.
    expect(e2e.slack.uploads.filter((upload) => upload.threadTs === thread.ts)).toHaveLength(0);
    await waitFor(() => String(e2e.slack.callsTo('chat.update').filter((call) => call.args.ts === thread.ts).at(-1)?.args.text).endsWith('2 created · 1 failed'), { what: 'the parent showing the outcome' });
    await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === FIRST && String(call.args.text) === 'You have already approved this request; it needs 1 more approval from someone else.'), { what: 'the second click refused privately' });
  });
});
