import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Batch } from '../../src/domain/batch/batch.js';
import { type ScimSimulator, startScimSimulator } from '../simulators/scim.js';
import { CHANNEL, type E2E, startE2E } from '../support/e2e.js';
import { type ScimmyServer, startScimmyServer } from '../support/scimmy-server.js';
import { functionExecutedPayload } from '../support/slack-requests.js';
import { tempFiles } from '../support/temp-files.js';
import { waitFor } from '../support/wait.js';

const ATLASSIAN_TOKEN = 'atl-batch-token-7Pc2d';
const ZENDESK_TOKEN = 'zd-batch-token-3Kf9s';
const REQUESTER = 'UREQUESTER1';
const ATLASSIAN_APPROVER = 'UATLAPPROVE';
const ZENDESK_APPROVER = 'UZDAPPROVE1';
const temp = tempFiles('adduser-scim-batches-');

const POLICY = `version: 1
defaults:
  requests_channel: ${CHANNEL}
providers:
  atlassian:
    approvers: [${ATLASSIAN_APPROVER}]
  zendesk:
    approvers: [${ZENDESK_APPROVER}]
presets:
  support:
    label: Support engineer
    accounts:
      atlassian: { title: Support engineer }
      zendesk: { department: Support }
`;

let e2e: E2E;
let atlassian: ScimSimulator;
let zendesk: ScimmyServer;

beforeAll(async () => {
  atlassian = await startScimSimulator({ token: ATLASSIAN_TOKEN, schema: { required: ['emails'] } });
  zendesk = await startScimmyServer({ token: ZENDESK_TOKEN });
  e2e = await startE2E({
    SCIM_ATLASSIAN_URL: atlassian.url,
    SCIM_ATLASSIAN_TOKEN: ATLASSIAN_TOKEN,
    SCIM_ZENDESK_URL: zendesk.url,
    SCIM_ZENDESK_TOKEN: ZENDESK_TOKEN,
    ADDUSER_POLICY_FILE: temp.write('policy.yml', POLICY),
    ADDUSER_REQUESTS_CHANNEL: '',
  });
  await waitFor(async () => (await fetch(`${e2e.url}/readyz`)).status === 200, { what: 'both forms discovered' });
});

afterAll(async () => {
  await e2e.close();
  await atlassian.close();
  await zendesk.close();
});

const batchOf = async (since: number) => {
  const posted = await waitFor(() => e2e.slack.calls.slice(since).find((call) => call.method === 'chat.postMessage' && call.args.channel === CHANNEL && String(call.args.text).includes('AB-')), { what: 'the batch message' });
  const batchId = /AB-[0-9A-Z]+/.exec(String(posted.args.text))![0];
  await waitFor(async () => e2e.store.get(`slack:thread:${batchId}`), { what: 'the batch thread' });
  return { batchId, batch: (await e2e.store.get<Batch>(`batch:${batchId}`))! };
};

describe('SCIM instances in CSV uploads, presets and the workflow step', () => {
  test('a CSV whose columns are the attribute paths: one request, one approval, every account created and in its groups', async () => {
    const [engineering, support] = atlassian.groups;
    const csv = ['emails[primary],name.givenName,name.familyName,groups', `ada@example.com,Ada,Lovelace,${engineering!.id};${support!.id}`, `alan@example.com,Alan,Turing,${support!.id}`].join('\n');
    const view = await e2e.openModal(REQUESTER, 'csv atlassian');
    const before = e2e.slack.calls.length;
    expect((await e2e.submitCsv(REQUESTER, view, e2e.slack.addFile({ user: REQUESTER, name: 'people.csv', content: csv }), 'Two new support engineers')).body).toBe('');
    const { batchId, batch } = await batchOf(before);
    expect(batch.members).toHaveLength(2);
    await e2e.waitForAccountsListed(batchId);
    await e2e.click(ATLASSIAN_APPROVER, 'request_approve', batchId);
    for (const id of batch.members) await e2e.waitForState(id, 'succeeded');
    const ada = atlassian.users.find((user) => user.userName === 'ada@example.com')!;
    const alan = atlassian.users.find((user) => user.userName === 'alan@example.com')!;
    expect(ada).toMatchObject({ name: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(engineering!.members).toEqual([{ value: ada.id }]);
    expect(support!.members.map((member) => member.value).sort()).toEqual([ada.id, alan.id].sort());
  });

  test('a preset: one form for the person, one account per instance, each approved by its own approvers', async () => {
    const view = await e2e.openModal(REQUESTER, 'support');
    const before = e2e.slack.calls.length;
    const person = { 'person:email': 'grace@example.com', 'person:first_name': 'Grace', 'person:last_name': 'Hopper', 'person:username': 'ghopper', reason: 'Joins support on Monday' };
    expect((await e2e.submit(REQUESTER, view, person)).body).toBe('');
    const { batchId, batch } = await batchOf(before);
    await e2e.click(ATLASSIAN_APPROVER, 'request_approve', batchId);
    await e2e.waitForState(batch.members[0]!, 'succeeded');
    // Atlassian's approver cannot decide the Zendesk account.
    expect((await e2e.request(batch.members[1]!))?.state).toBe('pending');
    await e2e.click(ZENDESK_APPROVER, 'request_approve', batchId);
    await e2e.waitForState(batch.members[1]!, 'succeeded');
    expect(atlassian.users.at(-1)).toMatchObject({ userName: 'ghopper', title: 'Support engineer', emails: [{ value: 'grace@example.com', type: 'work', primary: true }] });
    expect(zendesk.users.at(-1)).toMatchObject({ userName: 'ghopper', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Support' } });
  });

  test('the workflow step files a request for an instance, its own fields by attribute path, and completes with the service’s id', async () => {
    const execution = e2e.slack.startExecution();
    e2e.slack.addUser(REQUESTER);
    const before = e2e.slack.calls.length;
    const inputs = { provider: 'zendesk', user_context: { id: REQUESTER, secret: 'x' }, reason: 'Hired through the onboarding workflow', email: 'linus@example.com', first_name: 'Linus', last_name: 'T', username: '', preset: null, fields: '{"department":"Kernel","title":"Maintainer"}' };
    const res = await e2e.send(JSON.stringify(functionExecutedPayload(execution, inputs)), { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const id = await e2e.postedRequestId(before);
    await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
    await e2e.click(ZENDESK_APPROVER, 'request_approve', id);
    const done = await e2e.waitForState(id, 'succeeded');
    await waitFor(() => execution.state !== 'running', { what: 'the step to complete' });
    expect(execution).toMatchObject({ state: 'completed', outputs: { request_id: id, status: 'succeeded', provider_user_id: (done.outcome as { providerUserId: string }).providerUserId } });
    expect(zendesk.users.at(-1)).toMatchObject({ userName: 'linus@example.com', title: 'Maintainer', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Kernel' } });
  });
});
