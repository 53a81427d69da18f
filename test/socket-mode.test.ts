import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { killBots, spawnBot } from './support/bot-process.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { type FakeSocketMode, startFakeSocketMode } from './support/fake-socket-mode.js';
import { waitFor } from './support/wait.js';

let slack: FakeSlack;
let socket: FakeSocketMode;
let dir: string;
beforeAll(async () => {
  slack = await startFakeSlack();
  socket = await startFakeSocketMode(slack);
  dir = mkdtempSync(join(tmpdir(), 'adduser-socket-'));
});
afterAll(async () => {
  await socket.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(killBots);

test('with SLACK_APP_TOKEN the bot runs in Socket Mode: no signing secret, /healthz, /readyz and /metrics served, commands acked over the socket', async () => {
  const bot = spawnBot(
    {
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-socket-mode-test',
      SLACK_APP_TOKEN: 'xapp-1-socket-mode-test',
      SLACK_API_URL: slack.url,
      STORE_URL: `sqlite://${join(dir, 'socket.sqlite')}`,
    },
    dir,
  );
  try {
    const port = await bot.healthy();
    await waitFor(() => socket.connected(), { timeoutMs: 15_000, what: 'the WebSocket' });
    expect(slack.callsTo('apps.connections.open')[0]?.token).toBe('xapp-1-socket-mode-test');
    expect(bot.stdout()).toContain('Socket Mode');

    const envelope = socket.send('slash_commands', {
      token: 'x',
      team_id: 'TTEAM0001',
      channel_id: 'CSOCKET01',
      user_id: 'USOCKET01',
      command: '/adduser',
      text: 'help',
      api_app_id: 'AAPP00001',
      response_url: `${slack.url}respond/1`,
      trigger_id: 'trigger-socket',
    });
    const ack = await waitFor(() => socket.acks.get(envelope), { what: 'the ack' });
    expect(ack).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/adduser status') });

    const modal = socket.send('slash_commands', {
      team_id: 'TTEAM0001', channel_id: 'CSOCKET01', user_id: 'USOCKET01', command: '/adduser', text: 'digicert', api_app_id: 'AAPP00001', response_url: `${slack.url}respond/2`, trigger_id: 'trigger-socket-2',
    });
    await waitFor(() => socket.acks.has(modal), { what: 'the second ack' });
    await waitFor(() => slack.callsTo('views.open').some((call) => call.args.trigger_id === 'trigger-socket-2'), { what: 'the modal' });
    expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST' })).status).toBe(404);

    // The README promises the operational routes in Socket Mode too, not only /healthz.
    const ready = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      return res.status === 200 ? res.text() : undefined;
    }, { what: '/readyz 200' });
    expect(ready).toBe('store: ok\nslack: ok\npolicy: ok\n');
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^adduser_slack_requests_total\{type="command"\} 2$/m);
  } finally {
    expect(await bot.kill('SIGTERM')).toBe(0);
  }
});
