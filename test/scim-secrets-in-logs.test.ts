import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import { type ScimSimulator, startScimSimulator } from './simulators/scim.js';
import { killBots, spawnBot } from './support/bot-process.js';
import { CHANNEL, createDriver, SIGNING_SECRET } from './support/driver.js';
import { startFakeSlack } from './support/fake-slack.js';
import { suggestion } from './support/slack-requests.js';
import { waitFor } from './support/wait.js';

const BOT_TOKEN = 'xoxb-scim-debug-scan-bot-token-91d0';
const SCIM_TOKEN = 'scim-debug-bearer-token-6Hs1pQ';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';

let sim: ScimSimulator;
let dir: string;
beforeAll(async () => {
  sim = await startScimSimulator({ token: SCIM_TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'adduser-scim-debug-scan-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(killBots);

/** Every spelling a value can take in a log line: as is, JSON-escaped, URL-encoded, and after "Bearer ". */
const spellings = (value: string) => [...new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])];

test('LOG_LEVEL=debug: discovery, a group search, a create whose answer quotes the token, and group joins leave the SCIM bearer token in no byte of output', { timeout: 90_000 }, async () => {
  const slack = await startFakeSlack();
  const storeFile = join(dir, 'scan.sqlite');
  const bot = spawnBot(
    {
      PORT: '0',
      LOG_LEVEL: 'debug',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      STORE_URL: `sqlite://${storeFile}`,
      ADDUSER_REQUESTS_CHANNEL: CHANNEL,
      ADDUSER_APPROVERS_ACME: APPROVER,
      SCIM_ACME_URL: sim.url,
      SCIM_ACME_TOKEN: SCIM_TOKEN,
    },
    dir,
  );
  const store = await openSqliteStore(storeFile, pino({ level: 'silent' }));
  try {
    const port = await bot.healthy();
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, { what: 'the form discovered' });
    const driver = createDriver({ url: `http://127.0.0.1:${port}`, slack, store });
    const view = await driver.openModal(REQUESTER, 'acme');
    expect((await driver.send(suggestion(REQUESTER, view, 'groups', 'Eng'))).status).toBe(200);

    const fileAndApprove = async (email: string) => {
      const form = await driver.openModal(REQUESTER, 'acme');
      const before = slack.calls.length;
      const answer = await driver.submit(REQUESTER, form, { 'emails[primary]': email, groups: [sim.groups[0]!.id, 'gone'], reason: 'Debug log scan' });
      expect(answer.body).toBe('');
      const id = await driver.postedRequestId(before);
      await waitFor(async () => driver.store.get(`slack:thread:${id}`), { what: 'the request thread' });
      await driver.click(APPROVER, 'request_approve', id);
      return id;
    };
    // A service that quotes the request's Authorization header back in its error.
    sim.inject({ kind: 'status', status: 400, headers: { 'content-type': 'application/scim+json' }, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue', detail: `bad request with Authorization: Bearer ${SCIM_TOKEN}` }) }, { path: /\/Users$/ });
    const refused = await fileAndApprove('refused@example.com');
    expect((await driver.waitForState(refused, 'failed')).outcome).toMatchObject({ kind: 'rejected', message: 'bad request with Authorization: Bearer [redacted] (scimType invalidValue)' });
    const created = await fileAndApprove('created@example.com');
    expect((await driver.waitForState(created, 'succeeded')).outcome).toMatchObject({ kind: 'created', warnings: [expect.stringContaining('Could not join group gone')] });
    expect(await bot.kill('SIGTERM')).toBe(0);

    const output = bot.stdout() + bot.stderr();
    expect(output).toContain('"level":20');
    expect(output).toContain('provider form discovered');
    expect(output).toContain('provider follow-up finished');
    const leaks = spellings(SCIM_TOKEN).flatMap((spelling) => output.split('\n').filter((line) => line.includes(spelling)));
    expect(leaks).toEqual([]);
    expect(slack.calls.map((call) => call.raw).join('\n')).not.toContain(SCIM_TOKEN);
  } finally {
    await bot.kill('SIGKILL');
    await store.close();
    await slack.close();
  }
});
