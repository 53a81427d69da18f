// Slack's published Web API rate limits for every method the bot calls, so that the fake Slack
// answers 429 where Slack would. Slack applies them "per API method per workspace/team per app"
// in windows "per minute" (https://docs.slack.dev/apis/web-api/rate-limits); one fake is one
// workspace and one app, so a tier's bucket is keyed by the method alone. Only chat.postMessage
// is documented per channel ("one message per second per channel, while also maintaining a
// workspace-wide limit"), so only it has a bucket per channel.
//
// The tiers, as documented: Tier 2 "20+ per minute … occasional bursts", Tier 3 "50+ per minute
// … sporadic bursts are welcome", Tier 4 "100+ per minute … generous burst behavior". The fake
// takes the floor of each ("20+" is 20) and a minute's allowance as the burst, so an app that
// keeps to the documented numbers is never refused and one that goes beyond them is.
// Tiers per method: each method's reference page (https://docs.slack.dev/reference/methods/<method>,
// "Facts → Rate Limits"; the same labels as the method catalogue Slack's SDKs are generated from).

/** A token bucket: up to `burst` calls at once, refilled at `perMinute` calls a minute. */
export interface Rate {
  perMinute: number;
  burst: number;
}

export interface MethodLimit {
  /** One bucket for the method in the workspace. */
  workspace: Rate;
  /** One more bucket per channel (chat.postMessage only). */
  channel?: Rate;
}

const tier = (perMinute: number): MethodLimit => ({ workspace: { perMinute, burst: perMinute } });
const TIER_2 = tier(20);
const TIER_3 = tier(50);
const TIER_4 = tier(100);
/**
 * "This method allows hundreds of requests per minute" (auth.test, chat.getPermalink): two
 * hundred, the least that reading allows.
 */
const HUNDREDS = tier(200);

export const SLACK_LIMITS: Readonly<Record<string, MethodLimit>> = {
  // "Special rate limits apply": "generally allow an app to post 1 message per second to a specific
  // channel", "Short bursts >1 allowed" (rate-limits page, "Posting messages"). The burst is not
  // published: 3 assumed, the smallest that is more than one with room for a request message and
  // its first reply. The workspace-wide limit is described as "several hundred messages per minute"
  // (Slack's Java SDK, quoting the method page; the page itself now only says "special"): 300 assumed.
  'chat.postMessage': { channel: { perMinute: 60, burst: 3 }, workspace: { perMinute: 300, burst: 300 } },
  // Tier 3. Documented per method and workspace, not per channel, so every message shares it.
  'chat.update': TIER_3,
  'chat.postEphemeral': TIER_4,
  'chat.getPermalink': HUNDREDS,
  'views.open': TIER_4,
  'views.update': TIER_4,
  'views.publish': TIER_4,
  'users.info': TIER_4,
  'usergroups.users.list': TIER_2,
  // Only `npm run policy` calls it (the bot itself never does).
  'usergroups.list': TIER_2,
  'conversations.info': TIER_3,
  'files.info': TIER_4,
  // files.uploadV2 is these two calls around a POST of the bytes to the URL Slack hands out (not a
  // Web API method, so not limited here).
  'files.getUploadURLExternal': TIER_4,
  'files.completeUploadExternal': TIER_4,
  'functions.completeSuccess': TIER_3,
  'functions.completeError': TIER_3,
  'auth.test': HUNDREDS,
  // Tier 3 on docs.slack.dev; the older api.slack.com page said Tier 1. Socket Mode opens one
  // connection at start and one per reconnect, far under either.
  'apps.connections.open': TIER_3,
};

/** A method not in the table: "Most methods allow at least 20 requests per minute" (Tier 2). */
const UNLISTED = TIER_2;

const channelOf = (args: Record<string, unknown>) => String(args.channel ?? '');

/**
 * Buckets per method (and channel), and the Retry-After windows the fake announced. `table`
 * undefined is a Slack without limits: nothing is refused, but Retry-Afters announced for
 * injected 429s are still remembered, so calls made before they run out are still seen.
 */
export class SlackLimits {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Until when (ms) the fake told the app to wait, by method or by method and channel. */
  private readonly windows = new Map<string, number>();

  constructor(
    private readonly table: Readonly<Record<string, MethodLimit>> | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The keys a call's Retry-After may apply to: its method, and for chat.postMessage its channel too. */
  private keys(method: string, args: Record<string, unknown>): string[] {
    return method === 'chat.postMessage' ? [method, `${method} ${channelOf(args)}`] : [method];
  }

  /** Whether a Retry-After the fake announced for this method (or this channel) has not run out. */
  waiting(method: string, args: Record<string, unknown>): boolean {
    return this.keys(method, args).some((key) => (this.windows.get(key) ?? 0) > this.now());
  }

  /** Remembers that the app was told to wait `seconds` before calling again (on `key`; by default the call's narrowest). */
  announce(method: string, args: Record<string, unknown>, seconds: number, key = this.keys(method, args).at(-1)!): void {
    this.windows.set(key, Math.max(this.windows.get(key) ?? 0, this.now() + seconds * 1000));
  }

  /**
   * Slack's verdict on a call arriving now: undefined lets it through (and spends its tokens),
   * a number refuses it with that Retry-After in whole seconds, at least 1.
   */
  admit(method: string, args: Record<string, unknown>): number | undefined {
    if (!this.table) return undefined;
    const keys = this.keys(method, args);
    const pending = Math.max(0, ...keys.map((key) => (this.windows.get(key) ?? 0) - this.now()));
    // Slack said wait: a call before then is refused whatever its bucket holds, but does not move
    // the end, so an app that hammers is refused and counted, not starved for ever.
    if (pending > 0) return Math.ceil(pending / 1000);
    const limit = this.table[method] ?? UNLISTED;
    const rates: [string, Rate][] = [[method, limit.workspace], ...(limit.channel ? [[keys[1]!, limit.channel] as [string, Rate]] : [])];
    const buckets = rates.map(([key, rate]) => ({ key, rate, bucket: this.refilled(key, rate) }));
    const empty = buckets.filter(({ bucket }) => bucket.tokens < 1);
    if (empty.length === 0) {
      for (const { bucket } of buckets) bucket.tokens -= 1;
      return undefined;
    }
    let longest = 0;
    for (const { key, rate, bucket } of empty) {
      const seconds = Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / rate.perMinute));
      this.announce(method, args, seconds, key);
      longest = Math.max(longest, seconds);
    }
    return longest;
  }

  private refilled(key: string, rate: Rate) {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: rate.burst, at: now };
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) * rate.perMinute) / 60_000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }
}
