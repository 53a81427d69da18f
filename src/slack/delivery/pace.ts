import { randomUUID } from 'node:crypto';
import type { SlotWindow, Store } from '../../adapters/store/types.js';

/**
 * SPEC §6, within Slack's limits: one pace per Slack method (and channel, where Slack counts per
 * channel), kept in the store so every message and every replica shares it. The windows are the
 * bot's reading of Slack's published tiers (https://docs.slack.dev/apis/web-api/rate-limits),
 * kept a little under them; when Slack answers 429 anyway, its Retry-After holds that method (and
 * channel) for everyone until it runs out.
 */

const perMinute = (limit: number): SlotWindow[] => [{ limit, spanMs: 60_000 }];
/** "Tier 3: 50+ per minute", "Tier 4: 100+ per minute", each kept at nine tenths. */
const TIER_3 = perMinute(45);
const TIER_4 = perMinute(90);

interface MethodPace {
  /** Slack counts this method per channel too (chat.postMessage: "1 per second per channel"). */
  perChannel?: SlotWindow[];
  perMethod: SlotWindow[];
}

const PACES: Readonly<Record<string, MethodPace>> = {
  // "Posting messages: 1 per second", per channel, "short bursts >1 allowed", "while also maintaining
  // a workspace-wide limit" ("several hundred a minute"): three in a row at most, a little under one
  // a second over time, and 250 a minute.
  'chat.postMessage': { perChannel: [{ limit: 3, spanMs: 3_300 }], perMethod: perMinute(250) },
  'chat.update': { perMethod: TIER_3 },
  'chat.postEphemeral': { perMethod: TIER_4 },
  // "Hundreds of requests per minute".
  'chat.getPermalink': { perMethod: perMinute(150) },
  'views.publish': { perMethod: TIER_4 },
  'files.getUploadURLExternal': { perMethod: TIER_4 },
  'files.completeUploadExternal': { perMethod: TIER_4 },
  'functions.completeSuccess': { perMethod: TIER_3 },
  'functions.completeError': { perMethod: TIER_3 },
};
/** "Most methods allow at least 20 requests per minute" (Tier 2). */
const UNLISTED: MethodPace = { perMethod: perMinute(18) };

const paceOf = (method: string) => PACES[method] ?? UNLISTED;
/** Where Slack counts a call: its channel for a method counted per channel, else the method alone. */
const scopeOf = (method: string, channel: string | undefined) => (paceOf(method).perChannel && channel ? `${method}:${channel}` : method);
const holdKey = (scope: string) => `slack:pace:hold:${scope}`;

export class SlackPace {
  /** `keepsWindows` false: only Slack's own Retry-Afters are kept (a Slack-compatible server without limits). */
  constructor(
    private readonly store: Store,
    private readonly keepsWindows = true,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Milliseconds until `method` may be called (to `channel`): 0 when it may now, and then a slot
   * of its windows is taken for the call. A hold (Slack's Retry-After) comes first.
   */
  async wait(method: string, channel: string | undefined): Promise<number> {
    const scope = scopeOf(method, channel);
    const held = (await this.store.get<number>(holdKey(scope))) ?? (scope === method ? undefined : await this.store.get<number>(holdKey(method)));
    if (held !== undefined && held > this.now()) return held - this.now();
    if (!this.keepsWindows) return 0;
    const pace = paceOf(method);
    const slot = randomUUID();
    if (pace.perChannel && channel) {
      const channelWait = await this.store.takeSlot(`slack:pace:${scope}`, pace.perChannel, slot);
      if (channelWait > 0) return channelWait;
    }
    return this.store.takeSlot(`slack:pace:${method}`, pace.perMethod, slot);
  }

  /** Slack said wait: nothing more goes to `method` (and `channel`) from any replica for `ms`. */
  async hold(method: string, channel: string | undefined, ms: number): Promise<void> {
    const scope = scopeOf(method, channel);
    const until = this.now() + ms;
    const held = (await this.store.get<number>(holdKey(scope))) ?? 0;
    // The later of two holds wins; racing replicas at worst both write nearly the same time.
    if (until > held) await this.store.set(holdKey(scope), until, ms);
  }
}
