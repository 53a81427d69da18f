import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import type { Store } from '../src/adapters/store/types.js';
import { type DigiCertSimulator, startDigiCertSimulator } from './simulators/digicert.js';
import { killBots, spawnBot } from './support/bot-process.js';
import { CHANNEL, createDriver, SIGNING_SECRET } from './support/driver.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { waitFor } from './support/wait.js';

const DC_KEY = 'dc-shutdown-key-13ab';
let slack: FakeSlack;
let dc: DigiCertSimulator;
let dir: string;
let store: Store;
beforeAll(async () => {
  slack = await startFakeSlack();
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
  dir = mkdtempSync(join(tmpdir(), 'adduser-shutdown-'));
  store = await openSqliteStore(join(dir, 'shutdown.sqlite'), pino({ level: 'silent' }));
});
afterAll(async () => {
  await store.close();
  await Promise.all([slack.close(), dc.close()]);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(killBots);

test('SIGTERM stops taking requests, lets the provider call in flight finish, tells Slack, then exits 0', { timeout: 60_000 }, async () => {
  const bot = spawnBot(
    {
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-shutdown-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      STORE_URL: `sqlite://${join(dir, 'shutdown.sqlite')}`,
      ADDUSER_REQUESTS_CHANNEL: CHANNEL,
      ADDUSER_APPROVERS: 'UAPPROVER01',
      DIGICERT_API_KEY: DC_KEY,
      DIGICERT_BASE_URL: dc.url,
    },
    dir,
  );
  const port = await bot.healthy();
  const driver = createDriver({ url: `http://127.0.0.1:${port}`, slack, store });
  const view = await driver.openModal('UREQUESTER1', 'digicert');
  const before = slack.calls.length;
  await driver.submit('UREQUESTER1', view, { username: 'calm.exit', first_name: 'Cal', last_name: 'Exit', email: 'cal@example.com', container: '93288', access_roles: ['5'], reason: 'shutdown test' });
  const id = await driver.postedRequestId(before);
  await waitFor(async () => store.get(`slack:thread:${id}`), { what: 'the request message' });

  dc.inject({ kind: 'delay', ms: 2_000 }, { path: /^\/user$/ });
  await driver.click('UAPPROVER01', 'request_approve', id);
  await waitFor(() => dc.count(/^\/user$/) === 1, { what: 'the create call to be in flight' });
  bot.child.kill('SIGTERM');

  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true)), { what: 'new connections to be refused' });
  expect(await bot.exited).toBe(0);
  expect((await driver.request(id))?.state).toBe('succeeded');
  const thread = (await store.get<{ ts: string }>(`slack:thread:${id}`))!;
  expect(slack.delivered('chat.postMessage').some((call) => call.args.thread_ts === thread.ts && String(call.args.text).includes('Account created'))).toBe(true);
  expect((await driver.auditFor(id)).map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
  expect(dc.count(/^\/user$/)).toBe(1);
});
