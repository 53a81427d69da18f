import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { boltLevel, boltLogger } from '../../logging/bolt-logger.js';

/**
 * WebClient options shared by Bolt's per-request clients and the bot's own client. The
 * defaults retry for about 30 minutes, which a person waiting in Slack will not; 429s are
 * still waited out as Slack asks, within these bounds.
 */
export function webClientOptions(config: Config, log: Logger): webApi.WebClientOptions {
  return {
    slackApiUrl: config.slack.apiUrl,
    logger: boltLogger(log, 'slack-web-api'),
    logLevel: boltLevel(config.logLevel),
    timeout: 10_000,
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000, randomize: true },
  };
}

/** The bot's own client for work outside a Slack request (start-up checks, background posts). */
export function createSlackClient(config: Config, log: Logger): webApi.WebClient {
  return new webApi.WebClient(config.slack.botToken.reveal(), webClientOptions(config, log));
}
