import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import type { Store } from '../src/adapters/store/types.js';
import { createAuditLog } from '../src/domain/audit.js';
import { type SmsCentralSimulator, startSmsCentralSimulator } from './simulators/smscentral.js';
import { killBots, spawnBot } from './support/bot-process.js';
import { CHANNEL, createDriver, SIGNING_SECRET, type SlackDriver } from './support/driver.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { socketTransport, startFakeSocketMode } from './support/fake-socket-mode.js';
import { waitFor } from './support/wait.js';

const BOT_TOKEN = 'xoxb-debug-scan-bot-token-5e2a';
const APP_TOKEN = 'xapp-1-debug-scan-app-token-77c1';
const SMS_OWNER_PASSWORD = 'sms-debug-owner-pass-3f9a';
const CC_TOKEN = 'cc-debug-token-0b7e';
const DC_KEY = 'dc-debug-key-c4d2';
const SECRET_KEY = randomBytes(32).toString('base64');
const AUDIT_KEY = randomBytes(32).toString('base64');
const TYPED_PASSWORD = 'Typed-Debug-Pass-8q2w';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';

let sms: SmsCentralSimulator;
let dir: string;
beforeAll(async () => {
  sms = await startSmsCentralSimulator({ username: 'owner-account', password: SMS_OWNER_PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'adduser-debug-scan-'));
});
afterAll(async () => {
  await sms.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(killBots);

/** Every spelling a value can take in a log line: as is, JSON-escaped, form- and URL-encoded. */
const spellings = (value: string) => [
  ...new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]),
];

let run = 0;
async function smsWorkflow(driver: SlackDriver, slack: FakeSlack, password: string): Promise<string> {
  const view = await driver.openModal(REQUESTER, 'smscentral');
  const before = slack.calls.length;
  const submitted = await driver.submit(REQUESTER, view, {
    USERNAME: `debug.user${++run}`,
    PASSWORD: password,
    FIRSTNAME: 'Dee',
    LASTNAME: 'Bug',
    MOBILENUMBER: '+61412345678',
    ACCOUNTS: ['12345'],
    USERLEVEL: '3',
    reason: 'Debug log scan',
  });
  expect(submitted.body).toBe('');
  const id = await driver.postedRequestId(before);
  await waitFor(async () => driver.store.get(`slack:thread:${id}`), { what: 'the request thread' });
  await driver.click(APPROVER, 'request_approve', id);
  await driver.waitForState(id, 'succeeded', 20_000);
  const sent = JSON.parse(new URLSearchParams(sms.requests.at(-1)!.body).get('USER')!) as { PASSWORD: string };
  return sent.PASSWORD;
}

describe.each(['http', 'socket'] as const)('LOG_LEVEL=debug in %s mode', (mode) => {
  test('full SMS Central workflows (typed and generated password, approve, reveal) leave no secret in any byte of output', { timeout: 90_000 }, async () => {
    const slack = await startFakeSlack();
    const socket = mode === 'socket' ? await startFakeSocketMode(slack) : undefined;
    // The reveal's button falls back to a DM, whose Web API result echoes the message text.
    slack.on('chat.postEphemeral', () => ({ ok: false, error: 'user_not_in_channel' }));
    const storeFile = join(dir, `${mode}.sqlite`);
    const bot = spawnBot(
      {
        PORT: '0',
        LOG_LEVEL: 'debug',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        ...(mode === 'socket' ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
        SLACK_API_URL: slack.url,
        STORE_URL: `sqlite://${storeFile}`,
        ADDUSER_REQUESTS_CHANNEL: CHANNEL,
        ADDUSER_APPROVERS: APPROVER,
        ADDUSER_SECRET_KEY: SECRET_KEY,
        ADDUSER_AUDIT_KEY: AUDIT_KEY,
        SMSCENTRAL_USERNAME: 'owner-account',
        SMSCENTRAL_PASSWORD: SMS_OWNER_PASSWORD,
        SMSCENTRAL_BASE_URL: sms.url,
        SMSCENTRAL_ACCOUNTS: '12345:Main account',
        CHECKCENTRAL_API_TOKEN: CC_TOKEN,
        CHECKCENTRAL_BASE_URL: 'http://127.0.0.1:9/',
        DIGICERT_API_KEY: DC_KEY,
        DIGICERT_BASE_URL: 'http://127.0.0.1:9/',
      },
      dir,
    );
    const store: Store = await openSqliteStore(storeFile, pino({ level: 'silent' }));
    try {
      const port = await bot.healthy();
      if (socket) await waitFor(() => socket.connected(), { timeoutMs: 15_000, what: 'the WebSocket' });
      const driver = createDriver({ url: `http://127.0.0.1:${port}`, slack, store, transport: socket && socketTransport(socket) });

      expect(await smsWorkflow(driver, slack, TYPED_PASSWORD)).toBe(TYPED_PASSWORD);
      const generated = await smsWorkflow(driver, slack, '');
      expect(generated).toMatch(/^\S{20}$/);
      const offer = await waitFor(
        () => slack.callsTo('chat.postMessage').find((call) => call.args.channel === REQUESTER && call.raw.includes('request_reveal')),
        { what: 'the Show the password button, by DM' },
      );
      await driver.click(REQUESTER, 'request_reveal', /AR-[0-9A-Z]+/.exec(offer.raw)![0], 'home');
      await waitFor(() => slack.callsTo('views.open').some((call) => JSON.stringify(call.args).includes(generated)), { what: 'the generated password, in a modal' });
      expect(await bot.kill('SIGTERM')).toBe(0);

      const output = bot.stdout() + bot.stderr();
      // The scan means something only if debug output of every library was there to scan.
      const components = new Set(output.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { component?: string }).component));
      expect(components).toContain('slack-web-api');
      expect(output).toContain('"level":20');
      if (socket) expect(output).toContain('Received a message on the WebSocket');
      const secrets = { TYPED_PASSWORD, generated, BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, SMS_OWNER_PASSWORD, CC_TOKEN, DC_KEY, SECRET_KEY, AUDIT_KEY };
      const leaks = Object.entries(secrets).flatMap(([name, value]) =>
        spellings(value).flatMap((spelling) => output.split('\n').filter((line) => line.includes(spelling)).map((line) => `${name}: ${line.slice(0, 300)}`)),
      );
      expect(leaks).toEqual([]);
      // Nor in what went to Slack or into the audit records: the keys never leave the process.
      const records = JSON.stringify(await createAuditLog(store).read());
      for (const key of [SECRET_KEY, AUDIT_KEY]) expect(slack.calls.some((call) => spellings(key).some((spelling) => call.raw.includes(spelling))) || records.includes(key)).toBe(false);
      console.info(`secrets-in-logs: ${mode} mode, LOG_LEVEL=debug: ${Buffer.byteLength(output)} bytes of output scanned`);
    } finally {
      await bot.kill('SIGKILL');
      await store.close();
      await socket?.close();
      await slack.close();
    }
  });
});
