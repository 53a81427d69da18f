import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closedPort } from './simulators/harness.js';
import { spawnBot } from './support/bot-process.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
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

  test('with .env.example values it serves /healthz in HTTP mode, rejects unsigned events and stops on SIGTERM', async () => {
    const work = mkdtempSync(join(dir, 'http-'));
    copyFileSync(exampleEnv, join(work, '.env'));
    const bot = spawnBot({ PORT: '0', SLACK_API_URL: slack.url }, work);
    const port = await bot.healthy();

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    await waitFor(() => slack.callsTo('auth.test').length > 0, { what: 'auth.test' });
    expect(slack.callsTo('auth.test')[0]?.token).toBe('xoxb-replace-with-your-bot-token');

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

  test('when Slack cannot be reached it keeps serving /healthz and says why it is not ready', async () => {
    const port = await closedPort();
    const bot = spawnBot(
      {
        PORT: '0',
        SLACK_BOT_TOKEN: 'xoxb-unreachable-test',
        SLACK_SIGNING_SECRET: 'unreachable-signing-secret',
        SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
        STORE_URL: `sqlite://${join(dir, 'unreachable.sqlite')}`,
      },
      dir,
    );
    await bot.healthy();
    await waitFor(() => bot.stdout().includes('Slack did not accept SLACK_BOT_TOKEN'), {
      timeoutMs: 30_000,
      what: 'the auth failure to be logged',
    });
    expect(bot.child.exitCode).toBeNull();
    expect(await bot.kill('SIGTERM')).toBe(0);
  });
});
