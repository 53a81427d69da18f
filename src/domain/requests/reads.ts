import type { Store } from '../../adapters/store/types.js';
import type { Batch } from '../batch/batch.js';
import { RequestIndex } from './indexes.js';
import { ALL_REQUESTS_KEY, approvalsKey, batchKey, byUserKey, requestKey, revealKey } from './keys.js';
import type { AccessRequest } from './request.js';

/**
 * Reads for the Slack surfaces and the sweeps: each from an index or a per-person list, never
 * the whole history. They need only the store, so whatever shows requests (the notifier, the
 * App Home) can be built before the lifecycle that moves them.
 */
export function createRequestReads(store: Store, now: () => Date = () => new Date()) {
  const index = new RequestIndex(store, ALL_REQUESTS_KEY, () => now().getTime());

  async function get(id: string): Promise<AccessRequest | undefined> {
    return store.get<AccessRequest>(requestKey(id));
  }

  const getBatch = (id: string) => store.get<Batch>(batchKey(id));

  async function membersOf(batch: Batch): Promise<AccessRequest[]> {
    const members = await Promise.all(batch.members.map(get));
    return members.filter((member): member is AccessRequest => member !== undefined);
  }

  return {
    get,
    async approvers(id: string): Promise<string[]> {
      return (await store.range<{ user: string }>(approvalsKey(id), 0, -1)).map((entry) => entry.user);
    },
    getBatch,
    /** The batch and its members as they are now. */
    async batchOf(id: string): Promise<{ batch: Batch; members: AccessRequest[] } | undefined> {
      const batch = await getBatch(id);
      return batch && { batch, members: await membersOf(batch) };
    },

    async recentFor(user: string, limit = 10): Promise<AccessRequest[]> {
      const ids = await store.range<string>(byUserKey(user), -limit, -1);
      const requests = await Promise.all(ids.reverse().map(get));
      return requests.filter((request): request is AccessRequest => request !== undefined);
    },

    /** Pending requests whose expiry time has come, oldest first. */
    expiring: (limit = 200) => index.expiring(get, limit),
    /** Pending requests past half their time to live, not reminded yet. */
    remindable: (limit = 200) => index.remindable(get, limit),
    /** Pending requests, soonest to expire first. */
    pending: (limit = 200) => index.pending(get, limit),
    pendingCount: () => index.pendingCount(),

    /** Whether generated secrets wait to be shown for this request. */
    async hasRevealed(id: string): Promise<boolean> {
      return (await store.get(revealKey(id))) !== undefined;
    },
  };
}

export type RequestReads = ReturnType<typeof createRequestReads>;
