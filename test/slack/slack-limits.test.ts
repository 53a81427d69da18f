import { describe, expect, test } from 'vitest';
import { SLACK_LIMITS, SlackLimits } from '../support/slack-limits.js';

/** Slack's limits on a clock the test moves. */
function limitsAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, limits: new SlackLimits(SLACK_LIMITS, () => clock.now) };
}

const post = (channel: string) => ({ channel, text: 'hi' });

describe("Slack's rate limits, as the fake applies them", () => {
  test('chat.postMessage: a short burst per channel, then one a second; each channel has its own', () => {
    const { clock, limits } = limitsAt();
    expect([1, 2, 3].map(() => limits.admit('chat.postMessage', post('CA')))).toEqual([undefined, undefined, undefined]);
    expect(limits.admit('chat.postMessage', post('CA'))).toBe(1);
    expect(limits.admit('chat.postMessage', post('CB'))).toBeUndefined();
    clock.now += 1_000;
    expect(limits.admit('chat.postMessage', post('CA'))).toBeUndefined();
    expect(limits.admit('chat.postMessage', post('CA'))).toBe(1);
  });

  test('chat.postMessage: several hundred a minute across channels, whatever each channel has left', () => {
    const { limits } = limitsAt();
    const answers = Array.from({ length: 301 }, (_, n) => limits.admit('chat.postMessage', post(`C${n}`)));
    expect(answers.slice(0, 300).every((answer) => answer === undefined)).toBe(true);
    expect(answers[300]).toBe(1);
    // The workspace's Retry-After holds every channel, a fresh one included.
    expect(limits.waiting('chat.postMessage', post('CNEW'))).toBe(true);
  });

  test('a tier is per method, not per channel: chat.update (Tier 3) allows 50 at once, then one every 1.2 s', () => {
    const { clock, limits } = limitsAt();
    const update = (n: number) => limits.admit('chat.update', { channel: `C${n % 7}`, ts: `1.${n}` });
    expect(Array.from({ length: 50 }, (_, n) => update(n)).every((answer) => answer === undefined)).toBe(true);
    expect(update(50)).toBe(2);
    clock.now += 2_000;
    expect(update(51)).toBeUndefined();
    expect(update(52)).toBe(1);
    // Other methods keep their own buckets.
    expect(limits.admit('views.publish', { user_id: 'U1' })).toBeUndefined();
  });

  test('Tier 2 and Tier 4 bursts, and a method the table does not know is Tier 2', () => {
    const { limits } = limitsAt();
    const burst = (method: string) => {
      let n = 0;
      while (limits.admit(method, {}) === undefined) n++;
      return n;
    };
    expect([burst('usergroups.users.list'), burst('users.info'), burst('reactions.add')]).toEqual([20, 100, 20]);
  });

  test('a call while a Retry-After runs is refused whatever its bucket holds, and is seen; the end does not move', () => {
    const { clock, limits } = limitsAt();
    for (let n = 0; n < 3; n++) limits.admit('chat.postMessage', post('CA'));
    clock.now += 1_000;
    expect(limits.admit('chat.postMessage', post('CA'))).toBeUndefined();
    clock.now += 500;
    // Half a token: Slack says 1 s, in whole seconds, though the token is back in 0.5 s.
    expect(limits.admit('chat.postMessage', post('CA'))).toBe(1);
    clock.now += 700;
    expect(limits.waiting('chat.postMessage', post('CA'))).toBe(true);
    expect(limits.admit('chat.postMessage', post('CA'))).toBe(1);
    clock.now += 299;
    expect(limits.admit('chat.postMessage', post('CA'))).toBe(1);
    clock.now += 1;
    expect(limits.waiting('chat.postMessage', post('CA'))).toBe(false);
    expect(limits.admit('chat.postMessage', post('CA'))).toBeUndefined();
  });

  test('without limits nothing is refused, but an injected Retry-After is remembered (so early calls are seen)', () => {
    const clock = { now: 0 };
    const free = new SlackLimits(undefined, () => clock.now);
    expect(Array.from({ length: 500 }, () => free.admit('chat.postMessage', post('CA'))).every((answer) => answer === undefined)).toBe(true);
    free.announce('chat.postMessage', post('CA'), 2);
    expect([free.waiting('chat.postMessage', post('CA')), free.waiting('chat.postMessage', post('CB'))]).toEqual([true, false]);
    expect(free.admit('chat.postMessage', post('CA'))).toBeUndefined();
    clock.now += 2_000;
    expect(free.waiting('chat.postMessage', post('CA'))).toBe(false);
  });
});
