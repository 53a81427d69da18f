import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Store } from '../../src/adapters/store/types.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type BotProcess, killBots, spawnBot } from '../support/bot-process.js';
import { CHANNEL, createDriver, SIGNING_SECRET, type SlackDriver } from '../support/driver.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-crash-key-9e1f';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const CREATE = /^\/user$/;

let slack: FakeSlack;
let dc: DigiCertSimulator;
let dir: string;
let store: Store;
let bot: BotProcess | undefined;

beforeAll(async () => {
  slack = await startFakeSlack();
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
  dir = mkdtempSync(join(tmpdir(), 'adduser-crash-'));
  store = await openSqliteStore(join(dir, 'crash.sqlite'), pino({ level: 'silent' }));
});
afterAll(async () => {
  await store.close();
  await Promise.all([slack.close(), dc.close()]);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(killBots);

/** (Re)starts the bot on the same store, optionally set to kill itself at a crash point. */
async function start(crashAt?: string): Promise<SlackDriver> {
  bot = spawnBot(
    {
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-crash-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      STORE_URL: `sqlite://${join(dir, 'crash.sqlite')}`,
      ADDUSER_REQUESTS_CHANNEL: CHANNEL,
      ADDUSER_APPROVERS: APPROVER,
      DIGICERT_API_KEY: DC_KEY,
      DIGICERT_BASE_URL: dc.url,
      ...(crashAt && { ADDUSER_CRASH_AT: crashAt }),
    },
    dir,
  );
  const port = await bot.healthy();
  return createDriver({ url: `http://127.0.0.1:${port}`, slack, store });
}

let counter = 0;
async function submit(driver: SlackDriver): Promise<{ id: string; username: string }> {
  const username = `crash.user${++counter}`;
  const view = await driver.openModal(REQUESTER, 'digicert');
  const stored = await store.length('requests:all');
  await driver
    .submit(REQUESTER, view, { username, first_name: 'Cass', last_name: 'Crash', email: `${username}@example.com`, container: '93288', access_roles: ['5'], reason: 'crash test' })
    .catch(() => undefined);
  await waitFor(async () => (await store.length('requests:all')) > stored, { what: 'the stored request' });
  const [id] = await store.range<string>('requests:all', -1, -1);
  return { id: id!, username };
}

const creates = (username: string) => dc.requests.filter((request) => CREATE.test(request.path) && request.body.includes(`"${username}"`)).length;
const replied = async (text: string, id: string) => {
  const thread = await store.get<{ ts: string }>(`slack:thread:${id}`);
  return slack.callsTo('chat.postMessage').some((call) => call.args.thread_ts === thread?.ts && String(call.args.text).includes(text));
};

describe('SIGKILL at each step, then a restart on the same store', { timeout: 60_000 }, () => {
  test('after submission: the request is kept, posted after the restart, and can be approved', async () => {
    let driver = await start('after-submit');
    const { id, username } = await submit(driver);
    expect(await bot!.exited).toBe('SIGKILL');
    expect((await driver.request(id))?.state).toBe('pending');

    driver = await start();
    await waitFor(async () => store.get(`slack:thread:${id}`), { timeoutMs: 15_000, what: 'the request message, posted by the outbox' });
    await driver.click(APPROVER, 'request_approve', id);
    await driver.waitForState(id, 'succeeded');
    expect(creates(username)).toBe(1);
    await bot!.kill('SIGTERM');
  });

  test('after the request was stored, before its first audit record: announced once after the restart, and can be approved', async () => {
    let driver = await start('after-store');
    const { id, username } = await submit(driver);
    expect(await bot!.exited).toBe('SIGKILL');
    expect((await driver.request(id))?.state).toBe('pending');
    expect(await driver.auditFor(id)).toEqual([]);

    driver = await start();
    await waitFor(async () => store.get(`slack:thread:${id}`), { timeoutMs: 20_000, what: 'the request message, announced by recovery' });
    expect((await driver.auditFor(id)).map((record) => record.action)).toEqual(['requested']);
    await driver.click(APPROVER, 'request_approve', id);
    await driver.waitForState(id, 'succeeded');
    expect(creates(username)).toBe(1);
    expect((await driver.auditFor(id)).filter((record) => record.action === 'requested')).toHaveLength(1);
    await bot!.kill('SIGTERM');
  });

  test('after the approval, before the provider call: recovery provisions it, once', async () => {
    let driver = await start('after-approval');
    const { id, username } = await submit(driver);
    await waitFor(async () => store.get(`slack:thread:${id}`), { what: 'the request message' });
    await driver.click(APPROVER, 'request_approve', id);
    expect(await bot!.exited).toBe('SIGKILL');
    expect((await driver.request(id))?.state).toBe('approved');
    expect(creates(username)).toBe(0);

    driver = await start();
    await driver.waitForState(id, 'succeeded', 30_000);
    expect(creates(username)).toBe(1);
    await waitFor(() => replied('Account created', id), { timeoutMs: 15_000, what: 'the success reply' });
    await bot!.kill('SIGTERM');
  });

  test('while the provider call is in flight: unknown with Retry / Mark as done, never repeated by itself', async () => {
    let driver = await start();
    const { id, username } = await submit(driver);
    await waitFor(async () => store.get(`slack:thread:${id}`), { what: 'the request message' });
    dc.inject({ kind: 'delay', ms: 15_000 }, { path: CREATE });
    await driver.click(APPROVER, 'request_approve', id);
    await waitFor(() => creates(username) === 1, { what: 'the create call to arrive' });
    await bot!.kill('SIGKILL');
    expect((await driver.request(id))?.state).toBe('provisioning');

    driver = await start();
    const unknown = await driver.waitForState(id, 'unknown', 30_000);
    expect(unknown.outcome).toMatchObject({ kind: 'unknown', message: expect.stringContaining('may or may not exist') });
    await waitFor(() => replied('Outcome unknown', id), { timeoutMs: 15_000, what: 'the unknown reply' });
    const thread = await store.get<{ ts: string }>(`slack:thread:${id}`);
    // The parent is updated right after the reply: wait for it rather than race it.
    await waitFor(() => JSON.stringify(slack.callsTo('chat.update').filter((call) => call.args.ts === thread?.ts).at(-1)?.args.blocks).includes('request_mark_done'), { what: 'Retry / Mark as done on the parent' });
    expect(creates(username)).toBe(1);
    await driver.click(APPROVER, 'request_mark_done', id);
    await driver.waitForState(id, 'succeeded');
    expect(creates(username)).toBe(1);
    await bot!.kill('SIGTERM');
  });

  test('after the provider answered, before Slack was told: the outcome is posted after the restart', async () => {
    let driver = await start('after-provider-answer');
    const { id, username } = await submit(driver);
    await waitFor(async () => store.get(`slack:thread:${id}`), { what: 'the request message' });
    await driver.click(APPROVER, 'request_approve', id);
    expect(await bot!.exited).toBe('SIGKILL');
    expect((await driver.request(id))?.state).toBe('succeeded');

    driver = await start();
    await waitFor(() => replied('Account created', id), { timeoutMs: 15_000, what: 'the success reply, from the outbox' });
    expect(creates(username)).toBe(1);
    const actions = (await driver.auditFor(id)).map((record) => record.action);
    expect(actions).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
    await bot!.kill('SIGTERM');
  });
});
