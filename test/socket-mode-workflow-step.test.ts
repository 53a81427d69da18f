import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { openStore } from '../src/adapters/store/open.js';
import { type CheckCentralSimulator, startCheckCentralSimulator } from './simulators/checkcentral.js';
import { killBots, spawnBot } from './support/bot-process.js';
import { CHANNEL, createDriver } from './support/driver.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { type FakeSocketMode, socketTransport, startFakeSocketMode } from './support/fake-socket-mode.js';
import { functionExecutedPayload } from './support/slack-requests.js';
import { lockSqliteFile } from './support/sqlite-lock.js';
import { waitFor } from './support/wait.js';

const CC_TOKEN = 'cc-socket-step-token-9d2e';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';

let slack: FakeSlack;
let socket: FakeSocketMode;
let cc: CheckCentralSimulator;
let dir: string;
beforeAll(async () => {
  slack = await startFakeSlack();
  socket = await startFakeSocketMode(slack);
  cc = await startCheckCentralSimulator({ token: CC_TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'adduser-socket-step-'));
});
afterAll(async () => {
  await socket.close();
  await Promise.all([slack.close(), cc.close()]);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(killBots);

test('in Socket Mode the step arrives as an events_api envelope, is acked, files its request and completes once approved', { timeout: 60_000 }, async () => {
  const storeUrl = `sqlite://${join(dir, 'socket-step.sqlite')}`;
  const bot = spawnBot(
    {
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-socket-step-test',
      SLACK_APP_TOKEN: 'xapp-1-socket-step-test',
      SLACK_API_URL: slack.url,
      STORE_URL: storeUrl,
      ADDUSER_REQUESTS_CHANNEL: CHANNEL,
      ADDUSER_APPROVERS: APPROVER,
      CHECKCENTRAL_API_TOKEN: CC_TOKEN,
      CHECKCENTRAL_BASE_URL: cc.url,
    },
    dir,
  );
  const store = await openStore(storeUrl, { log: pino({ level: 'silent' }) });
  try {
    await bot.healthy();
    await waitFor(() => socket.connected(), { timeoutMs: 15_000, what: 'the WebSocket' });
    const driver = createDriver({ url: 'http://unused.invalid', slack, store, transport: socketTransport(socket) });

    const execution = slack.startExecution();
    slack.addUser(REQUESTER);
    const before = slack.calls.length;
    const inputs = { provider: 'checkcentral', user_context: { id: REQUESTER, secret: 'x' }, reason: 'Joins the night shift', email: 'sam.socket@myorg.example', first_name: 'Sam', last_name: 'Socket', fields: '{"accessLevel":"readonly"}' };
    const acked = await driver.send(JSON.stringify(functionExecutedPayload(execution, inputs)));
    expect(acked.status).toBe(200);
    const id = await driver.postedRequestId(before);
    expect(await driver.request(id)).toMatchObject({ state: 'pending', requester: REQUESTER, workflow: { functionExecutionId: execution.id } });
    expect(execution.state).toBe('running');

    await waitFor(async () => store.get(`slack:thread:${id}`), { what: 'the request thread' });
    await driver.click(APPROVER, 'request_approve', id);
    const done = await driver.waitForState(id, 'succeeded');
    await waitFor(() => execution.state !== 'running', { what: 'the completion' });
    expect(execution).toMatchObject({
      state: 'completed',
      outputs: { request_id: id, status: 'succeeded', provider_user_id: (done.outcome as { providerUserId: string }).providerUserId },
    });
    const completions = slack.calls.filter((call) => call.method.startsWith('functions.complete'));
    expect(completions.map((call) => [call.method, call.token])).toEqual([['functions.completeSuccess', execution.token]]);

    // A bad input fails at once in this transport too.
    const bad = slack.startExecution();
    await driver.send(JSON.stringify(functionExecutedPayload(bad, { ...inputs, provider: 'nope' })));
    await waitFor(() => bad.state !== 'running', { what: 'the failure' });
    expect(bad.error).toContain('provider: "nope" is not a provider this bot knows');
  } finally {
    await store.close();
    expect(await bot.kill('SIGTERM')).toBe(0);
  }
});

test('in Socket Mode a step the store could not take is left unacknowledged, so Slack delivers it again, and that delivery files it', { timeout: 60_000 }, async () => {
  const path = join(dir, 'socket-step-locked.sqlite');
  const bot = spawnBot(
    {
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-socket-step-test',
      SLACK_APP_TOKEN: 'xapp-1-socket-step-test',
      SLACK_API_URL: slack.url,
      STORE_URL: `sqlite://${path}`,
      ADDUSER_REQUESTS_CHANNEL: CHANNEL,
      ADDUSER_APPROVERS: APPROVER,
      CHECKCENTRAL_API_TOKEN: CC_TOKEN,
      CHECKCENTRAL_BASE_URL: cc.url,
    },
    dir,
  );
  await bot.healthy();
  await waitFor(() => socket.connected(), { timeoutMs: 15_000, what: 'the WebSocket' });
  const execution = slack.startExecution();
  slack.addUser(REQUESTER);
  const inputs = { provider: 'checkcentral', user_context: { id: REQUESTER, secret: 'x' }, reason: 'Joins while the file is locked', email: 'lou.locked@myorg.example', first_name: 'Lou', last_name: 'Locked', fields: '{"accessLevel":"readonly"}' };
  const payload = functionExecutedPayload(execution, inputs);

  const lock = await lockSqliteFile(path);
  let refused: string;
  try {
    refused = socket.send('events_api', payload);
    await waitFor(() => bot.stdout().includes('a Slack request could not be served: the store is unavailable'), { timeoutMs: 3_000, what: 'the refusal' });
  } finally {
    await lock.release();
  }
  expect(socket.acks.has(refused)).toBe(false);

  const before = slack.calls.length;
  const again = socket.send('events_api', payload);
  await waitFor(() => socket.acks.has(again), { what: 'the ack of the second delivery' });
  const store = await openStore(`sqlite://${path}`, { log: pino({ level: 'silent' }) });
  try {
    const id = await createDriver({ url: 'http://unused.invalid', slack, store }).postedRequestId(before);
    expect(await store.get(`request:${id}`)).toMatchObject({ workflow: { functionExecutionId: execution.id } });
  } finally {
    await store.close();
    expect(await bot.kill('SIGTERM')).toBe(0);
  }
});
