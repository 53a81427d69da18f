import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/adapters/store/open.js';
import { type RunningBot, startBot } from '../../src/bot.js';
import { loadConfig, secretValues } from '../../src/config/load.js';
import { registerSecretValues } from '../../src/logging/logger.js';
import { type CapturedLogs, captureLogs } from './logs.js';
import { CHANNEL, createDriver, SIGNING_SECRET, type SlackDriver } from './driver.js';
import { type FakeSlack, type SlackLimitsMode, startFakeSlack } from './fake-slack.js';

export { CHANNEL, type OpenedView, SIGNING_SECRET, stateValues } from './driver.js';
export const BOT_TOKEN = 'xoxb-e2e-bot-token-7a1b';
export const AUDIT_CHANNEL = 'CAUDITLOG1';

/**
 * Where a test stands before a submission that must store and post nothing: the requests stored
 * and the Slack calls made so far. Earlier tests' thread replies may still be going out, so
 * `postsSince` keeps only the posts that name a request this mark did not know.
 */
export async function markPosts(e2e: SlackDriver) {
  const known = new Set(await e2e.store.range<string>('requests:all', 0, -1));
  const from = e2e.slack.calls.length;
  return {
    stored: known.size,
    postsSince: () =>
      e2e.slack.calls
        .slice(from)
        .filter((call) => call.method === 'chat.postMessage')
        .filter((call) => (JSON.stringify(call.args).match(/AR-[2-9A-HJKMNP-Z]{8}/g) ?? []).some((id) => !known.has(id))),
  };
}

export interface E2E extends SlackDriver {
  bot: RunningBot;
  logs: CapturedLogs;
  dir: string;
  close: () => Promise<void>;
}

/**
 * The bot as Slack sees it: started in-process on a random port with a real store, a fake
 * Slack Web API recording every call, and requests signed like Slack's.
 */
export async function startE2E(
  env: Record<string, string> = {},
  options: {
    beforeStart?: (slack: FakeSlack) => void | Promise<void>;
    /** Slack of an earlier start, for a restart: the same messages, users and channels. */
    slack?: FakeSlack;
    /** Slack's rate limits, on unless a test that needs a free Slack (it measures something else, at volume) says 'none'. */
    limits?: SlackLimitsMode;
  } = {},
): Promise<E2E> {
  const slack = options.slack ?? (await startFakeSlack({ token: env.SLACK_BOT_TOKEN ?? BOT_TOKEN, limits: options.limits }));
  await options.beforeStart?.(slack);
  const dir = mkdtempSync(join(tmpdir(), 'adduser-e2e-'));
  const storeUrl = env.STORE_URL ?? `sqlite://${join(dir, 'e2e.sqlite')}`;
  const free = (options.limits ?? 'slack') === 'none';
  const loaded = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    PORT: '0',
    ADDUSER_REQUESTS_CHANNEL: CHANNEL,
    ADDUSER_AUDIT_CHANNEL: AUDIT_CHANNEL,
    STORE_URL: storeUrl,
    LOG_LEVEL: 'debug',
    // A free Slack is free for the bot's own pace too: only Retry-Afters are kept.
    ...(free && { ADDUSER_SLACK_PACE: 'off' }),
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.message);
  registerSecretValues(secretValues(loaded.config));
  const logs = captureLogs('debug');
  const bot = await startBot(loaded.config, logs.log);
  const store = await openStore(storeUrl, { log: logs.log });
  const url = `http://127.0.0.1:${bot.port}`;
  const driver = createDriver({ url, slack, store });
  return {
    ...driver,
    bot,
    logs,
    dir,
    async close() {
      await bot.stop();
      await store.close();
      if (!options.slack) await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
