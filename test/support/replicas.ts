import { spawnBot, type BotProcess } from './bot-process.js';
import { CHANNEL, createDriver, SIGNING_SECRET, type SlackDriver } from './driver.js';
import type { FakeSlack } from './fake-slack.js';
import type { Store } from '../../src/adapters/store/types.js';

/** Starts `count` bot processes on one store, each driven through its own /slack/events. */
export async function startReplicas(options: {
  count: number;
  storeUrl: string;
  store: Store;
  slack: FakeSlack;
  cwd: string;
  env: Record<string, string>;
}): Promise<{ bots: BotProcess[]; drivers: SlackDriver[]; stop: () => Promise<void> }> {
  const bots: BotProcess[] = [];
  const drivers: SlackDriver[] = [];
  try {
    for (let i = 0; i < options.count; i++) {
      const bot = spawnBot(
        {
          PORT: '0',
          SLACK_BOT_TOKEN: 'xoxb-replica-test',
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: options.slack.url,
          STORE_URL: options.storeUrl,
          ADDUSER_REQUESTS_CHANNEL: CHANNEL,
          ADDUSER_APPROVERS: 'UAPPROVER01,UAPPROVER02',
          ...options.env,
        },
        options.cwd,
      );
      bots.push(bot);
      drivers.push(createDriver({ url: `http://127.0.0.1:${await bot.healthy()}`, slack: options.slack, store: options.store }));
    }
  } catch (error) {
    // The caller never gets `stop` when a start fails: the bots already running must not outlive the suite.
    await Promise.all(bots.map((bot) => bot.kill('SIGKILL')));
    throw error;
  }
  return { bots, drivers, stop: async () => void (await Promise.all(bots.map((bot) => bot.kill('SIGTERM')))) };
}
