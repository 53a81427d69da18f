import type { Store } from '../adapters/store/types.js';
import { isStoreUnavailable } from '../adapters/store/unavailable.js';

/** How often a claim whose attempt failed is offered back while the store is away, and for how long at most. */
const RELEASE_RETRY_MS = 1_000;
const RELEASE_FOR_MS = 10 * 60_000;

type Held = { state: 'held' | 'released'; attempt: string };

/** One delivery's hold on a key that Slack may deliver twice (a form's view, a workflow step's execution). */
export interface Claim {
  /** True when this attempt holds the key: it was new, or the attempt before gave it back. */
  take: () => Promise<boolean>;
  /**
   * This attempt failed for want of the store, so it gives the key back, once the store takes it:
   * the person's next submission of the same form is then a new attempt, not a duplicate. In the
   * background, since the store is away when it is called.
   */
  release: () => void;
}

/**
 * "Seen once" marks that a failed attempt can give back. A plain set-if-absent mark written by an
 * attempt that then failed (or written late, by a store that answered after its deadline) would
 * turn the person's retry into a silent duplicate; here each mark names its attempt, and a
 * `released` one is taken again atomically.
 */
export function createClaims(store: Store, ttlMs: number) {
  return (key: string, attempt: string): Claim => ({
    take: async () =>
      (await store.add<Held>(key, { state: 'held', attempt }, ttlMs)) || (await store.transition<Held>(key, ['released'], { state: 'held', attempt })),
    release: () => {
      const until = Date.now() + RELEASE_FOR_MS;
      const tryOnce = async (): Promise<void> => {
        try {
          const held = await store.get<Held>(key);
          if (held?.state === 'held' && held.attempt === attempt) await store.transition<Held>(key, ['held'], { state: 'released', attempt });
        } catch (error) {
          if (!isStoreUnavailable(error) || Date.now() > until) return;
          await new Promise((resolve) => setTimeout(resolve, RELEASE_RETRY_MS).unref());
          return tryOnce();
        }
      };
      void tryOnce();
    },
  });
}
