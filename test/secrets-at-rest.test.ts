import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import type { Store } from '../src/adapters/store/types.js';
import { NOT_SEALED } from '../src/adapters/store/sealed.js';
import type { AuditRecord } from '../src/domain/audit.js';
import type { AccessRequest } from '../src/domain/requests/request.js';
import { type SmsCentralSimulator, startSmsCentralSimulator } from './simulators/smscentral.js';
import { type BotProcess, killBots, spawnBot } from './support/bot-process.js';
import { CHANNEL, createDriver, SIGNING_SECRET, type SlackDriver } from './support/driver.js';
import { runAudit } from './support/cli.js';
import { legacySeal } from './support/legacy-seal.js';
import { type FakeSlack, type FunctionExecution, startFakeSlack } from './support/fake-slack.js';
import { functionExecutedPayload } from './support/slack-requests.js';
import { waitFor } from './support/wait.js';

const SMS_OWNER_PASSWORD = 'sms-at-rest-owner-pass-2d6b';
const TYPED_PASSWORD = 'Typed-AtRest-Pass-5v9k';
const PLANTED_PASSWORD = 'Planted-Clear-Pass-6t2m';
const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const CANNOT_DECRYPT = 'cannot decrypt — was ADDUSER_SECRET_KEY changed?';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const CLEAR_WARNING = 'ADDUSER_SECRET_KEY is not set';

let slack: FakeSlack;
let sms: SmsCentralSimulator;
let dir: string;
let store: Store;
let bot: BotProcess | undefined;

beforeAll(async () => {
  slack = await startFakeSlack();
  sms = await startSmsCentralSimulator({ username: 'owner-account', password: SMS_OWNER_PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'adduser-at-rest-'));
  store = await openSqliteStore(join(dir, 'at-rest.sqlite'), pino({ level: 'silent' }));
});
afterAll(async () => {
  await store.close();
  await Promise.all([slack.close(), sms.close()]);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(killBots);

/** (Re)starts a real bot process on the same SQLite file (or `on` another) with `key` as ADDUSER_SECRET_KEY. */
async function start(key: string | undefined, options: { crashAt?: string; on?: { file: string; store: Store } } = {}): Promise<SlackDriver> {
  const { crashAt, on = { file: join(dir, 'at-rest.sqlite'), store } } = options;
  bot = spawnBot(
    {
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-at-rest-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      STORE_URL: `sqlite://${on.file}`,
      ADDUSER_REQUESTS_CHANNEL: CHANNEL,
      ADDUSER_APPROVERS: APPROVER,
      SMSCENTRAL_USERNAME: 'owner-account',
      SMSCENTRAL_PASSWORD: SMS_OWNER_PASSWORD,
      SMSCENTRAL_BASE_URL: sms.url,
      SMSCENTRAL_ACCOUNTS: '12345:Main account',
      ...(key && { ADDUSER_SECRET_KEY: key }),
      ...(crashAt && { ADDUSER_CRASH_AT: crashAt }),
    },
    dir,
  );
  const port = await bot.healthy();
  return createDriver({ url: `http://127.0.0.1:${port}`, slack, store: on.store });
}

let counter = 0;
async function submit(driver: SlackDriver, password: string): Promise<string> {
  const view = await driver.openModal(REQUESTER, 'smscentral');
  const before = slack.calls.length;
  const res = await driver.submit(REQUESTER, view, {
    USERNAME: `rest.user${++counter}`,
    PASSWORD: password,
    FIRSTNAME: 'Resta',
    LASTNAME: 'Sealed',
    MOBILENUMBER: '+61412345678',
    ACCOUNTS: ['12345'],
    USERLEVEL: '3',
    reason: 'Secrets at rest',
  });
  expect(res.body).toBe('');
  const id = await driver.postedRequestId(before);
  await waitFor(async () => driver.store.get(`slack:thread:${id}`), { what: 'the request thread' });
  return id;
}

/**
 * Every byte SQLite holds for the store: the database, its write-ahead log and shared memory.
 * Read by another process: closing a file this process also has open through SQLite would
 * drop SQLite's POSIX locks on it.
 */
const storeBytes = () =>
  execFileSync('cat', readdirSync(dir).filter((name) => name.startsWith('at-rest.sqlite')).map((name) => join(dir, name)), { maxBuffer: 1 << 28 });

const threadReplies = async (id: string) => {
  const thread = await store.get<{ ts: string }>(`slack:thread:${id}`);
  return slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts).map((call) => String(call.args.text));
};
const auditOf = async (id: string) => {
  const seqs = await store.range<number>(`audit:by-request:${id}`, 0, -1);
  return (await Promise.all(seqs.map((seq) => store.get<AuditRecord>(`audit:record:${seq}`)))).filter(Boolean) as AuditRecord[];
};
const creates = () => sms.count(/^\/user\/create$/);

/** What a store writer does: puts `value` as the password of request `id`. */
async function plantPassword(on: Store, id: string, value: string): Promise<void> {
  const request = (await on.get<AccessRequest>(`request:${id}`))!;
  await on.set(`request:${id}`, { ...request, form: { ...request.form, PASSWORD: value } });
}


/** A workflow's step files an SMS Central request (its password left to the bot); the request's id. */
async function stepRequest(driver: SlackDriver, execution: FunctionExecution): Promise<string> {
  slack.addUser(REQUESTER);
  const before = slack.calls.length;
  const inputs = { provider: 'smscentral', user_context: { id: REQUESTER, secret: 'x' }, reason: 'Filed by a workflow', username: `rest.step${++counter}`, first_name: 'Wendy', fields: '{"ACCOUNTS":["12345"],"USERLEVEL":"3"}' };
  const res = await driver.send(JSON.stringify(functionExecutedPayload(execution, inputs)), { headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
  const id = await driver.postedRequestId(before);
  await waitFor(async () => driver.store.get(`slack:thread:${id}`), { what: 'the step’s request thread' });
  return id;
}

describe('ADDUSER_SECRET_KEY: passwords the store keeps are encrypted', { timeout: 90_000 }, () => {
  test('with a key the store never holds the typed password; a bot restarted with another key fails that request clearly, without a crash', async () => {
    let driver = await start(KEY_A);
    const id = await submit(driver, TYPED_PASSWORD);
    const pending = await driver.request(id);
    expect(pending?.state).toBe('pending');
    expect(pending?.form.PASSWORD).toMatch(/^sealed:v2:/);
    expect(storeBytes().includes(TYPED_PASSWORD)).toBe(false);
    expect(bot!.stdout()).not.toContain(CLEAR_WARNING);
    expect(await bot!.kill('SIGTERM')).toBe(0);

    driver = await start(KEY_B);
    const before = creates();
    await driver.click(APPROVER, 'request_approve', id);
    const failed = await driver.waitForState(id, 'failed');
    expect(failed.outcome).toEqual({ kind: 'rejected', message: CANNOT_DECRYPT });
    expect(creates()).toBe(before);
    const reply = await waitFor(async () => (await threadReplies(id)).find((text) => text.includes(CANNOT_DECRYPT)), { what: 'the failure in the thread' });
    console.info(`secrets-at-rest: an approver sees in the thread: ${reply}`);
    await waitFor(async () => (await auditOf(id)).some((record) => record.action === 'failed' && record.error === CANNOT_DECRYPT), { what: 'the failed audit record' });
    expect((await fetch(`http://127.0.0.1:${await bot!.port()}/healthz`)).status).toBe(200);
    expect(slack.calls.some((call) => call.raw.includes(TYPED_PASSWORD))).toBe(false);
    expect(bot!.stdout() + bot!.stderr()).not.toContain(TYPED_PASSWORD);
    expect(await bot!.kill('SIGTERM')).toBe(0);
  });

  test('a generated password waiting to be shown is sealed too; under another key the requester is told it cannot be shown', async () => {
    let driver = await start(KEY_A, { crashAt: 'after-provider-answer' });
    const id = await submit(driver, '');
    await driver.click(APPROVER, 'request_approve', id);
    expect(await bot!.exited).toBe('SIGKILL');
    expect((await driver.request(id))?.state).toBe('succeeded');
    const generated = (JSON.parse(new URLSearchParams(sms.requests.at(-1)!.body).get('USER')!) as { PASSWORD: string }).PASSWORD;
    const waiting = await store.get<{ value: string }[]>(`request:${id}:reveal`);
    expect(waiting?.[0]?.value).toMatch(/^sealed:v2:/);
    expect(storeBytes().includes(generated)).toBe(false);

    driver = await start(KEY_B);
    await waitFor(() => slack.callsTo('chat.postEphemeral').some((call) => call.args.user === REQUESTER && call.raw.includes('request_reveal')), { timeoutMs: 15_000, what: 'the Show the password button' });
    await driver.click(REQUESTER, 'request_reveal', id);
    const told = await waitFor(
      () => slack.callsTo('views.open').find((call) => JSON.stringify(call.args).includes(`cannot be shown: ${CANNOT_DECRYPT}`)),
      { timeoutMs: 15_000, what: 'the reveal failure, in the modal only the requester opened' },
    );
    expect(JSON.stringify(told.args)).toContain('The generated password for');
    console.info(`secrets-at-rest: the requester is told privately, in a modal: cannot be shown: ${CANNOT_DECRYPT}`);
    expect(slack.calls.some((call) => call.raw.includes(generated))).toBe(false);
    // Forgotten once Slack has answered views.open, a moment after the fake recorded the call.
    await waitFor(async () => (await store.get(`request:${id}:reveal`)) === undefined, { what: 'the password that cannot be shown forgotten' });
    expect(await bot!.kill('SIGTERM')).toBe(0);
  });

  test('with a key, a sealed password copied into another request, or a clear one written there, is never sent: that request fails saying why', async () => {
    const driver = await start(KEY_A);
    const source = await submit(driver, TYPED_PASSWORD);
    const moved = await submit(driver, 'Other-Typed-Pass-3c1x');
    const planted = await submit(driver, 'Third-Typed-Pass-8d4y');
    // Someone who may write the store but has no key: moving values and writing clear ones is all they can do.
    await plantPassword(store, moved, (await driver.request(source))!.form.PASSWORD as string);
    await plantPassword(store, planted, PLANTED_PASSWORD);
    const before = creates();
    for (const [id, why] of [[moved, CANNOT_DECRYPT], [planted, NOT_SEALED]] as const) {
      await driver.click(APPROVER, 'request_approve', id);
      const failed = await driver.waitForState(id, 'failed');
      expect(failed.outcome).toEqual({ kind: 'rejected', message: why });
      await waitFor(async () => (await threadReplies(id)).some((text) => text.includes(why)), { what: 'why, in the thread' });
    }
    expect(creates()).toBe(before);
    expect(bot!.stdout()).toContain('a stored password is not used');
    expect(bot!.stdout() + bot!.stderr()).not.toContain(PLANTED_PASSWORD);
    expect(await bot!.kill('SIGTERM')).toBe(0);
  });

  test('npm run audit -- seal: what an older version kept in clear or sealed unbound is sealed and bound under the key, then used; a second run changes nothing', async () => {
    const file = join(dir, 'older.sqlite');
    const older = await openSqliteStore(file, pino({ level: 'silent' }));
    try {
      // An older installation, without a key: typed and generated passwords and a step's token kept in clear.
      let driver = await start(undefined, { on: { file, store: older } });
      const typed = await submit(driver, TYPED_PASSWORD);
      const generated = await submit(driver, '');
      await driver.click(APPROVER, 'request_approve', generated);
      await driver.waitForState(generated, 'succeeded', 20_000);
      const shown = (JSON.parse(new URLSearchParams(sms.requests.at(-1)!.body).get('USER')!) as { PASSWORD: string }).PASSWORD;
      const execution = slack.startExecution();
      const step = await stepRequest(driver, execution);
      expect(await older.get(`slack:function-token:${execution.id}`)).toBe(execution.token);
      expect(await bot!.kill('SIGTERM')).toBe(0);
      // …and one value sealed by a version that had the key but did not bind values yet.
      await plantPassword(older, typed, legacySeal(KEY_A, TYPED_PASSWORD));

      const env = { STORE_URL: `sqlite://${file}`, ADDUSER_SECRET_KEY: KEY_A };
      const first = runAudit(['seal'], env, dir);
      expect(first).toMatchObject({ status: 0, stderr: '' });
      expect(first.stdout).toBe('secrets kept in the store: 3 sealed (were in clear), 1 bound to their place (were sealed without it), 0 already sealed and bound\n');
      expect(runAudit(['seal'], env, dir).stdout).toBe('secrets kept in the store: 0 sealed (were in clear), 0 bound to their place (were sealed without it), 4 already sealed and bound\n');
      for (const value of [
        (await older.get<AccessRequest>(`request:${typed}`))!.form.PASSWORD,
        (await older.get<AccessRequest>(`request:${step}`))!.form.PASSWORD,
        (await older.get<{ value: string }[]>(`request:${generated}:reveal`))![0]!.value,
        await older.get<string>(`slack:function-token:${execution.id}`),
      ]) {
        expect(value).toMatch(/^sealed:v2:/);
      }
      const noKey = runAudit(['seal'], { STORE_URL: env.STORE_URL }, dir);
      expect(noKey.status).toBe(2);
      expect(noKey.stderr).toContain('ADDUSER_SECRET_KEY is not set');

      // The bot, now with the key, uses every one of them.
      driver = await start(KEY_A, { on: { file, store: older } });
      await driver.click(APPROVER, 'request_approve', typed);
      await driver.waitForState(typed, 'succeeded', 20_000);
      expect(JSON.parse(new URLSearchParams(sms.requests.at(-1)!.body).get('USER')!)).toMatchObject({ PASSWORD: TYPED_PASSWORD });
      await driver.click(REQUESTER, 'request_reveal', generated);
      await waitFor(() => slack.callsTo('views.open').some((call) => JSON.stringify(call.args).includes(shown)), { what: 'the generated password, shown' });
      await driver.click(APPROVER, 'request_approve', step);
      await waitFor(() => execution.state === 'completed', { timeoutMs: 20_000, what: 'the step completed' });
      expect(slack.callsTo('functions.completeSuccess').filter((call) => call.args.function_execution_id === execution.id).map((call) => call.token)).toEqual([execution.token]);
      expect(await bot!.kill('SIGTERM')).toBe(0);
    } finally {
      await older.close();
    }
  });

  test('without a key the start-up log says once that passwords are kept in clear', async () => {
    await start(undefined);
    await waitFor(() => bot!.stdout().includes('is running'), { what: 'the start-up line' });
    const warnings = bot!.stdout().split('\n').filter((line) => line.includes(CLEAR_WARNING));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40 });
    expect(await bot!.kill('SIGTERM')).toBe(0);
  });
});
