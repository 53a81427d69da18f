import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CheckCentralSimulator, startCheckCentralSimulator } from '../simulators/checkcentral.js';
import type { SlackDriver } from '../support/driver.js';
import { BOT_TOKEN, CHANNEL, type E2E, markPosts, startE2E } from '../support/e2e.js';
import { type FakeSlack, type FunctionExecution, startFakeSlack } from '../support/fake-slack.js';
import { functionExecutedPayload } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const CC_TOKEN = 'cc-step-token-5e1a';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';

let cc: CheckCentralSimulator;
let e2e: E2E;

const providerEnv = () => ({ CHECKCENTRAL_API_TOKEN: CC_TOKEN, CHECKCENTRAL_BASE_URL: cc.url, ADDUSER_APPROVERS: APPROVER });

let counter = 0;
/** What a workflow author wires into the step: the person's details, the provider and its own fields as JSON text. */
const inputs = (extra: Record<string, unknown> = {}) => ({
  provider: 'checkcentral',
  // Slack fills a user context from whoever ran the workflow; `secret` is Slack's own.
  user_context: { id: REQUESTER, secret: 'c2VjcmV0LWZyb20tc2xhY2s=' },
  reason: 'Joins the support team on Monday',
  email: `stella.step${++counter}@myorg.example`,
  first_name: 'Stella',
  last_name: 'Step',
  username: '',
  preset: null,
  fields: '{"accessLevel":"user"}',
  ...extra,
});

/** A workflow reaching the step: Slack starts an execution and sends function_executed, signed, as JSON. */
async function runStep(driver: SlackDriver, stepInputs: Record<string, unknown>, callbackId?: string) {
  const execution = driver.slack.startExecution();
  const asker = (stepInputs.user_context as { id?: unknown } | undefined)?.id;
  if (typeof asker === 'string') driver.slack.addUser(asker);
  const res = await driver.send(JSON.stringify(functionExecutedPayload(execution, stepInputs, callbackId)), { headers: { 'content-type': 'application/json' } });
  return { execution, res };
}

const completions = (slack: FakeSlack, execution: FunctionExecution) =>
  slack.calls.filter((call) => call.method.startsWith('functions.complete') && call.args.function_execution_id === execution.id);
const settled = (execution: FunctionExecution) => waitFor(() => execution.state !== 'running', { what: `execution ${execution.id} to complete` });

/** A step that filed its request: the request message is posted and its thread known. */
async function filed(driver: SlackDriver, stepInputs: Record<string, unknown>) {
  const before = driver.slack.calls.length;
  const { execution, res } = await runStep(driver, stepInputs);
  expect(res.status).toBe(200);
  const id = await driver.postedRequestId(before);
  await waitFor(async () => driver.store.get(`slack:thread:${id}`), { what: 'the request thread' });
  return { execution, id };
}

beforeAll(async () => {
  cc = await startCheckCentralSimulator({ token: CC_TOKEN });
  e2e = await startE2E(providerEnv());
});
afterAll(async () => {
  await e2e.close();
  await cc.close();
});

describe('the "Create an account" workflow step, through signed function_executed events (SPEC §10)', () => {
  test('approve → the step completes once, with the execution’s own token, the request id and the provider’s user id', async () => {
    const step = inputs();
    const { execution, id } = await filed(e2e, step);
    expect(await e2e.request(id)).toMatchObject({
      state: 'pending',
      provider: 'checkcentral',
      requester: REQUESTER,
      reason: step.reason,
      target: step.email,
      workflow: { functionExecutionId: execution.id },
    });
    // Waiting for a person: the step stays in progress.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(execution.state).toBe('running');
    expect(completions(e2e.slack, execution)).toEqual([]);

    await e2e.click(APPROVER, 'request_approve', id);
    const done = await e2e.waitForState(id, 'succeeded');
    const providerUserId = (done.outcome as { providerUserId: string }).providerUserId;
    await settled(execution);
    expect(execution).toMatchObject({ state: 'completed', outputs: { request_id: id, status: 'succeeded', provider_user_id: providerUserId } });
    const calls = completions(e2e.slack, execution);
    expect(calls.map((call) => [call.method, call.token])).toEqual([['functions.completeSuccess', execution.token]]);
    // The person fields land in CheckCentral's own: one name field, the email; `fields` gives the access level.
    expect(JSON.parse(cc.requests.at(-1)!.body)).toMatchObject({ email: step.email, name: 'Stella Step', accessLevel: 'user' });

    const audit = await e2e.auditFor(id);
    expect(audit.map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
    expect(audit[0]).toMatchObject({ actor: REQUESTER, reason: step.reason });
    for (const record of audit) expect(record).toMatchObject({ via: 'workflow', functionExecutionId: execution.id, workflowExecutionId: `Wx${execution.id.slice(2)}` });
    expect(await e2e.store.get(`slack:function-token:${execution.id}`)).toBeUndefined();
    // The execution's token is a credential: never in a log line, at debug level either.
    expect(e2e.logs.text()).not.toContain(execution.token);
    // The request is an ordinary one: message, thread, requester DM.
    await waitFor(() => e2e.slack.callsTo('chat.postMessage').some((call) => call.args.channel === REQUESTER && String(call.args.text).includes(id)), { what: 'the requester’s DM' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(completions(e2e.slack, execution)).toHaveLength(1);
  });

  test('reject → the step fails with the approver’s reason', async () => {
    const { execution, id } = await filed(e2e, inputs());
    const before = e2e.slack.calls.length;
    await e2e.click(APPROVER, 'request_reject', id);
    const open = await waitFor(() => e2e.slack.calls.slice(before).find((call) => call.method === 'views.open'), { what: 'the reject dialog' });
    const res = await e2e.submit(APPROVER, open.response!.view as never, { reject_reason: 'Support is fully staffed' });
    expect(res.status).toBe(200);
    await e2e.waitForState(id, 'rejected');
    await settled(execution);
    expect(execution.state).toBe('failed');
    expect(execution.error).toContain(`Request ${id}`);
    expect(execution.error).toContain('was rejected: Support is fully staffed');
    expect(completions(e2e.slack, execution).map((call) => [call.method, call.token])).toEqual([['functions.completeError', execution.token]]);
  });

  test('an execution token Slack no longer takes (a request that waited long): the completion is sent again with the bot token', async () => {
    const { execution, id } = await filed(e2e, inputs());
    e2e.slack.fail('functions.completeSuccess', { kind: 'slack_error', error: 'token_expired' }, 1, (args) => args.function_execution_id === execution.id);
    await e2e.click(APPROVER, 'request_approve', id);
    await e2e.waitForState(id, 'succeeded');
    await waitFor(() => execution.state === 'completed', { timeoutMs: 15_000, what: 'the completion with the bot token' });
    expect(completions(e2e.slack, execution).map((call) => [call.token, call.response?.ok])).toEqual([
      [execution.token, false],
      [BOT_TOKEN, true],
    ]);
  });

  test('a completion Slack refuses for good (the workflow run was stopped meanwhile): the execution’s token is deleted all the same', async () => {
    const { execution, id } = await filed(e2e, inputs());
    expect(await e2e.store.get(`slack:function-token:${execution.id}`)).toBeDefined();
    // Stopped in Workflow Builder while the request waited: Slack takes no completion any more.
    execution.state = 'failed';
    await e2e.click(REQUESTER, 'request_cancel', id);
    await e2e.waitForState(id, 'cancelled');
    await waitFor(() => completions(e2e.slack, execution).some((call) => call.response?.error === 'execution_not_in_running_state'), { what: 'Slack refusing the completion' });
    await waitFor(async () => (await e2e.store.get(`slack:function-token:${execution.id}`)) === undefined, { timeoutMs: 5_000, what: 'the token deleted after the refusal' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(completions(e2e.slack, execution)).toHaveLength(1);
  });

  test('cancelled by the requester, or failed at the provider → the step fails and says which', async () => {
    const cancelled = await filed(e2e, inputs());
    await e2e.click(REQUESTER, 'request_cancel', cancelled.id);
    await settled(cancelled.execution);
    expect(cancelled.execution.error).toMatch(/was cancelled by its requester/);

    const failing = await filed(e2e, inputs({ fields: { accessLevel: 'user', userGroups: ['grp-nope'] } }));
    await e2e.click(APPROVER, 'request_approve', failing.id);
    await e2e.waitForState(failing.id, 'failed');
    await settled(failing.execution);
    expect(failing.execution.state).toBe('failed');
    expect(failing.execution.error).toMatch(/failed at CheckCentral: .*User group grp-nope does not exist/);
  });

  test.each([
    ['no person asking (the user context Slack sets)', { user_context: undefined }, 'user_context: is required'],
    ['a user context without a user id', { user_context: { secret: 'x' } }, 'user_context.id:'],
    ['a requester that is not a user id', { requester: 'jill' }, 'requester: expected a Slack user id'],
    ['a requester other than the person who ran the workflow', { requester: 'UHRLEAD01' }, `requester: names UHRLEAD01, but ${REQUESTER} ran the workflow`],
    ['a password in fields: the builder would know it', { provider: 'smscentral', fields: '{"PASSWORD":"Builder-Kn0ws-It","ACCOUNTS":["12345"],"USERLEVEL":"3"}' }, 'fields: "PASSWORD" cannot be set by a workflow'],
    ['no reason', { reason: undefined }, 'reason: is required'],
    ['a reason too short to judge', { reason: 'x' }, 'reason: Give a reason approvers can judge'],
    ['neither provider nor preset', { provider: '' }, 'provider: is required unless a preset is given'],
    ['a provider the bot does not know', { provider: 'okta-classic' }, 'provider: "okta-classic" is not a provider this bot knows'],
    ['a preset the policy does not have', { preset: 'engineer' }, 'preset: "engineer" is not a preset of the policy file'],
    ['an invalid email', { email: 'stella at example' }, 'Email (email):'],
    ['fields that are not JSON', { fields: '{accessLevel: user' }, 'fields: must be a JSON object'],
    ['a field the provider does not have', { fields: '{"accesLevel":"user"}' }, 'fields: "accesLevel" is not a field of CheckCentral'],
    ['a value outside the provider’s choices', { fields: '{"accessLevel":"superuser"}' }, 'Access level (accessLevel):'],
    ['a required field missing', { fields: '{}' }, 'Access level (accessLevel):'],
  ])('%s → the step fails at once naming the input, nothing is stored', async (_title, change, message) => {
    const mark = await markPosts(e2e);
    const { execution, res } = await runStep(e2e, inputs(change));
    expect(res.status).toBe(200);
    await settled(execution);
    expect(execution.state).toBe('failed');
    expect(execution.error).toContain(message);
    expect(completions(e2e.slack, execution).map((call) => [call.method, call.token])).toEqual([['functions.completeError', execution.token]]);
    expect(await e2e.store.length('requests:all')).toBe(mark.stored);
    expect(await e2e.store.get(`slack:function-token:${execution.id}`)).toBeUndefined();
    expect(mark.postsSince()).toEqual([]);
  });

  test('every missing input is named at once', async () => {
    const { execution } = await runStep(e2e, { provider: 'checkcentral' });
    await settled(execution);
    expect(execution.error).toMatch(/^user_context: is required.*; reason: is required/);
  });

  test('a step this app does not have fails at once instead of hanging', async () => {
    const { execution, res } = await runStep(e2e, inputs(), 'delete_account');
    expect(res.status).toBe(200);
    await settled(execution);
    expect(execution.error).toContain('This app has no step "delete_account"');
  });

  test('Slack delivering the event again (a late ack) files one request', async () => {
    const execution = e2e.slack.startExecution();
    const body = JSON.stringify(functionExecutedPayload(execution, inputs()));
    const all = (await e2e.store.range<string>('requests:all', 0, -1)).length;
    await e2e.send(body, { headers: { 'content-type': 'application/json' } });
    await e2e.send(body, { headers: { 'content-type': 'application/json', 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'timeout' } });
    await waitFor(async () => (await e2e.store.range<string>('requests:all', 0, -1)).length > all, { what: 'the request' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await e2e.store.range<string>('requests:all', 0, -1)).length).toBe(all + 1);
    expect(execution.state).toBe('running');
  });
});

describe('the step under a policy file', () => {
  const POLICY = `version: 1
defaults:
  requests_channel: ${CHANNEL}
  approvers: [${APPROVER}]
providers:
  checkcentral:
    requesters: [${REQUESTER}, UHRLEAD01]
    auto_approve:
      - name: HR lead's read-only accounts
        requester_in: [UHRLEAD01]
        fields: { accessLevel: [readonly] }
presets:
  support:
    label: Support engineer
    accounts:
      checkcentral: { accessLevel: readonly }
  engineer:
    label: New engineer
    accounts:
      checkcentral: { accessLevel: user }
      github: { role: direct_member }
`;
  let dir: string;
  let policed: E2E;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'adduser-step-policy-'));
    writeFileSync(join(dir, 'policy.yml'), POLICY);
    policed = await startE2E({ ...providerEnv(), ADDUSER_APPROVERS: '', ADDUSER_POLICY_FILE: join(dir, 'policy.yml'), ADDUSER_REQUESTS_CHANNEL: '' });
  });
  afterAll(async () => {
    await policed.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a requester the policy does not let ask → the step fails at once, nothing stored', async () => {
    const all = (await policed.store.range<string>('requests:all', 0, -1)).length;
    const { execution } = await runStep(policed, inputs({ user_context: { id: 'USTRANGER01', secret: 'x' } }));
    await settled(execution);
    expect(execution.error).toContain('You are not among the people who may ask for CheckCentral accounts');
    expect((await policed.store.range<string>('requests:all', 0, -1)).length).toBe(all);
  });

  test('who asks is the person Slack says ran the workflow: a builder naming the HR lead is refused; the HR lead running it is auto-approved and audited as themself', async () => {
    const all = (await policed.store.range<string>('requests:all', 0, -1)).length;
    const named = await runStep(policed, inputs({ requester: 'UHRLEAD01', fields: '{"accessLevel":"readonly"}' }));
    await settled(named.execution);
    expect(named.execution.error).toContain(`requester: names UHRLEAD01, but ${REQUESTER} ran the workflow`);
    expect((await policed.store.range<string>('requests:all', 0, -1)).length).toBe(all);

    const { execution, id } = await filed(policed, inputs({ user_context: { id: 'UHRLEAD01', secret: 'x' }, fields: '{"accessLevel":"readonly"}' }));
    await policed.waitForState(id, 'succeeded');
    const audit = await policed.auditFor(id);
    expect(audit[0]).toMatchObject({ action: 'requested', actor: 'UHRLEAD01', via: 'workflow', functionExecutionId: execution.id, workflowExecutionId: `Wx${execution.id.slice(2)}` });
    expect(audit[1]).toMatchObject({ action: 'approved', reason: 'Approved by the policy rule "HR lead\'s read-only accounts"' });
  });

  test('a preset with one account supplies its fields and its provider; `fields` and the person fields add the rest', async () => {
    const { id } = await filed(policed, inputs({ provider: '', preset: 'support', fields: '' }));
    expect((await policed.request(id))?.form).toMatchObject({ accessLevel: 'readonly', name: 'Stella Step' });
    const named = await filed(policed, inputs({ preset: 'engineer', fields: '' }));
    expect((await policed.request(named.id))?.form).toMatchObject({ accessLevel: 'user' });
  });

  test('a preset of several accounts without a provider fails clearly: one step files one account', async () => {
    const { execution } = await runStep(policed, inputs({ provider: '', preset: 'engineer' }));
    await settled(execution);
    expect(execution.error).toContain('preset: "engineer" has 2 accounts (checkcentral, github)');
  });
});

test('nobody decides before ADDUSER_REQUEST_TTL → the step fails: the request expired', async () => {
  const expiring = await startE2E({ ...providerEnv(), ADDUSER_REQUEST_TTL: '2s' });
  try {
    const { execution, id } = await filed(expiring, inputs());
    await expiring.waitForState(id, 'expired');
    await settled(execution);
    expect(execution).toMatchObject({ state: 'failed', error: expect.stringContaining(`Request ${id}`) });
    expect(execution.error).toMatch(/expired: nobody approved it in time/);
  } finally {
    await expiring.close();
  }
});

test('a restart between submission and approval: the step still completes, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'adduser-step-restart-'));
  const shared = { ...providerEnv(), STORE_URL: `sqlite://${join(dir, 'store.sqlite')}`, ADDUSER_SECRET_KEY: randomBytes(32).toString('base64') };
  const slack = await startFakeSlack({ token: BOT_TOKEN });
  try {
    const first = await startE2E(shared, { slack });
    const { execution, id } = await filed(first, inputs());
    // The execution's token waits in the store for the completion, sealed like a password.
    const kept = await first.store.get<string>(`slack:function-token:${execution.id}`);
    expect(kept).toMatch(/^sealed:v2:/);
    expect(kept).not.toContain(execution.token.slice(5));
    await first.close();
    const second = await startE2E(shared, { slack });
    try {
      await second.click(APPROVER, 'request_approve', id);
      await second.waitForState(id, 'succeeded');
      await settled(execution);
      expect(execution).toMatchObject({ state: 'completed', outputs: { request_id: id, status: 'succeeded' } });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(completions(slack, execution).map((call) => [call.method, call.token])).toEqual([['functions.completeSuccess', execution.token]]);
    } finally {
      await second.close();
    }
  } finally {
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
