import { webApi } from '@slack/bolt';
import { NotYet } from './outbox.js';
import type { SlackPace } from './pace.js';

/** Slack's pace says not yet: the step is tried again at `retryAt`, without counting as a failure. */
export class SlackPaced extends NotYet {
  constructor(
    readonly method: string,
    retryAt: number,
  ) {
    super(`${method} waits for Slack's pace until ${new Date(retryAt).toISOString()}`, retryAt);
  }
}

const channelOf = (options: Record<string, unknown> | undefined) => {
  const channel = options?.channel ?? options?.channel_id;
  return typeof channel === 'string' ? channel : undefined;
};

const isRateLimited = (error: unknown): error is { retryAfter: number } =>
  (error as { code?: unknown } | null)?.code === webApi.ErrorCode.RateLimitedError && typeof (error as { retryAfter?: unknown }).retryAfter === 'number';

/**
 * The client the outbox sends with. Every call first asks the shared pace; a call Slack would
 * refuse is not made but rescheduled (SlackPaced), and a 429 holds its method (and channel) for
 * every replica until Slack's Retry-After runs out. The client itself never waits or retries
 * (`rejectRateLimitedCalls`, no retries): one pace decides, not a client queue paused on top of it.
 */
export class PacedWebClient extends webApi.WebClient {
  constructor(
    token: string,
    options: webApi.WebClientOptions,
    private readonly pace: SlackPace,
    private readonly onRateLimited: (method: string) => void,
  ) {
    super(token, { ...options, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<webApi.WebAPICallResult> {
    const channel = channelOf(options);
    const wait = await this.pace.wait(method, channel);
    if (wait > 0) throw new SlackPaced(method, Date.now() + wait);
    try {
      return await super.apiCall(method, options);
    } catch (error) {
      if (!isRateLimited(error)) throw error;
      this.onRateLimited(method);
      const ms = Math.max(1, error.retryAfter) * 1_000;
      await this.pace.hold(method, channel, ms);
      throw new SlackPaced(method, Date.now() + ms);
    }
  }
}
