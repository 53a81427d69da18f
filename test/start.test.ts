import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { closedPort } from './simulators/harness.js';
import { killBots, spawnBot } from './support/bot-process.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { startFakeSocketMode } from './support/fake-socket-mode.js';
import { waitFor } from './support/wait.js';

const exampleEnv = new URL('../.env.example', import.meta.url);
let slack: FakeSlack;
let dir: string;

beforeAll(async () => {
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), 'adduser-start-'));
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(killBots);

describe('npm start', () => {
  test('with no configuration it exits non-zero with one message listing what to set', async () => {
    const bot = spawnBot({}, dir);
    expect(await bot.exited).toBe(1);
    const message = bot.stderr();
    expect(message).toContain('SLACK_BOT_TOKEN');
    expect(message).toContain('SLACK_SIGNING_SECRET');
    expect(message).toContain('.env.example');
    expect(message).not.toMatch(/\n\s+at /);
  });

  test('with .env.example values it serves /healthz, turns ready once Slack accepts the token, rejects unsigned events and stops on SIGTERM', async () => {
    const work = mkdtempSync(join(dir, 'http-'));
    copyFileSync(exampleEnv, join(work, '.env'));
    const bot = spawnBot({ PORT: '0', SLACK_API_URL: slack.url }, work);
    const port = await bot.healthy();

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    await waitFor(() => slack.callsTo('auth.test').length > 0, { what: 'auth.test' });
    expect(slack.callsTo('auth.test')[0]?.token).toBe('xoxb-replace-with-your-bot-token');
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, { what: '/readyz to turn 200' });
    expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).text()).toBe('store: ok\nslack: ok\npolicy: ok\n');

    const unsigned = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=%2Fadduser&text=help',
    });
    expect(unsigned.status).toBe(401);

    expect(await bot.kill('SIGTERM')).toBe(0);
    const logs = bot.stdout() + bot.stderr();
    expect(logs).toContain('adduser-bot is running');
    expect(logs).not.toContain('replace-with-your-signing-secret');
    expect(logs).not.toContain('xoxb-replace-with-your-bot-token');
  });

  test.each([
    ['HTTP mode', { SLACK_SIGNING_SECRET: 'unreachable-signing-secret' }],
    ['Socket Mode', { SLACK_APP_TOKEN: 'xapp-1-unreachable-test' }],
  ] as const)('%s: when Slack cannot be reached it says so in one line, keeps /healthz, answers /readyz 503 naming Slack, and connects once Slack is back', async (mode, extra) => {
    const port = await closedPort();
    const bot = spawnBot(
      {
        PORT: '0',
        SLACK_BOT_TOKEN: 'xoxb-unreachable-test',
        SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
        STORE_URL: `sqlite://${join(dir, `unreachable-${mode.length}.sqlite`)}`,
        ...extra,
      },
      dir,
    );
    let later: FakeSlack | undefined;
    try {
      const listening = await bot.healthy();
      await waitFor(() => bot.stdout().includes('Slack cannot be reached (connection refused)'), { timeoutMs: 30_000, what: 'the unreachable line' });
      const ready = await fetch(`http://127.0.0.1:${listening}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/^slack: Slack cannot be reached \(connection refused\)/m);
      expect((await fetch(`http://127.0.0.1:${listening}/healthz`)).status).toBe(200);
      const output = bot.stdout() + bot.stderr();
      expect(output).not.toContain('did not accept');
      expect(output).not.toContain('refused the token');
      expect(output).not.toMatch(/\n\s+at /);
      expect(output.split('\n').filter((line) => line.includes('Slack cannot be reached (connection refused): will keep trying'))).toHaveLength(1);

      later = await startFakeSlack({ port });
      if (mode === 'Socket Mode') await startFakeSocketMode(later);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${listening}/readyz`)).status === 200, { timeoutMs: 30_000, what: '/readyz to turn 200 once Slack answers' });
      expect(bot.child.exitCode).toBeNull();
    } finally {
      expect(await bot.kill('SIGTERM')).toBe(0);
      await later?.close();
    }
  });

  test('a token Slack refuses is called bad, and only then', async () => {
    // Slack knows another token than the one the bot was given.
    const refusing = await startFakeSlack({ token: 'xoxb-the-token-slack-issued' });
    const bot = spawnBot(
      { PORT: '0', SLACK_BOT_TOKEN: 'xoxb-refused-test', SLACK_SIGNING_SECRET: 'refused-signing-secret', SLACK_API_URL: refusing.url, STORE_URL: `sqlite://${join(dir, 'refused.sqlite')}` },
      dir,
    );
    try {
      const listening = await bot.healthy();
      await waitFor(() => bot.stdout().includes('Slack refused the token (invalid_auth): check SLACK_BOT_TOKEN'), { timeoutMs: 20_000, what: 'the refusal' });
      expect(await (await fetch(`http://127.0.0.1:${listening}/readyz`)).text()).toContain('slack: Slack refused the token (invalid_auth)');
      expect(bot.stdout()).not.toContain('cannot be reached');
    } finally {
      expect(await bot.kill('SIGTERM')).toBe(0);
      await refusing.close();
    }
  });

  test('with ADDUSER_OPS_PORT, /readyz and /metrics are served there and not on PORT', async () => {
    const opsPort = await closedPort();
    const bot = spawnBot(
      { PORT: '0', ADDUSER_OPS_PORT: String(opsPort), SLACK_BOT_TOKEN: 'xoxb-ops-port-test', SLACK_SIGNING_SECRET: 'ops-signing-secret', SLACK_API_URL: slack.url, STORE_URL: `sqlite://${join(dir, 'ops.sqlite')}` },
      dir,
    );
    try {
      const port = await bot.healthy();
      for (const path of ['/readyz', '/metrics']) expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(404);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200, { what: '/readyz on the ops port' });
      const metrics = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('adduser_');
    } finally {
      expect(await bot.kill('SIGTERM')).toBe(0);
    }
  });
});
