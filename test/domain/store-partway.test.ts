import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Store } from '../../src/adapters/store/types.js';
import { StoreUnavailable } from '../../src/adapters/store/unavailable.js';
import { APPROVERS, type LifecycleHarness, startLifecycle } from '../support/lifecycle.js';

const form = { email: 'partway@myorg.example', name: 'Part Way', accessLevel: 'user', userGroups: ['grp-ops'], notify_failures: ['sms'], reason: 'store fails part-way' };

/**
 * The lifecycle over a real SQLite store that refuses one chosen call, as a store going away
 * between two calls of one click would: what the click left must not turn its retry away.
 */
describe('a click the store failed part-way', () => {
  let h: LifecycleHarness;
  let refuse: keyof Store | undefined;

  beforeEach(async () => {
    h = await startLifecycle({
      wrapStore: (real) => {
        const once = <K extends keyof Store>(name: K) =>
          (async (...args: unknown[]) => {
            if (refuse === name) {
              refuse = undefined;
              throw new StoreUnavailable('refused for the test');
            }
            return (real[name] as (...a: unknown[]) => Promise<unknown>)(...args);
          }) as Store[K];
        return { ...real, append: once('append'), transition: once('transition') };
      },
    });
  });
  afterEach(async () => h.stop());

  async function pending(): Promise<string> {
    const submitted = await h.lifecycle.submit({ requester: 'UREQUESTER', provider: 'checkcentral', form, channel: 'CREQUESTS' });
    if (!submitted.ok || !('request' in submitted)) throw new Error('not submitted');
    return submitted.request.id;
  }

  for (const call of ['append', 'transition'] as const) {
    test(`refused at its ${call === 'append' ? 'approval count' : 'move to approved'}, the same approver's next click approves, counted once`, async () => {
      const id = await pending();
      refuse = call;
      await expect(h.lifecycle.approve(id, APPROVERS[0]!)).rejects.toThrow(StoreUnavailable);
      await h.lifecycle.settled();
      const again = await h.lifecycle.approve(id, APPROVERS[0]!);
      expect(again).toMatchObject({ ok: true, remaining: 0 });
      expect((await h.requests.get(id))?.state).toBe('approved');
      expect(await h.requests.approvers(id)).toEqual([APPROVERS[0]]);
    });
  }
});
