import { CannotDecrypt } from '../../adapters/store/sealed.js';
import type { Revealed } from './types.js';
import type { AccessRequest } from '../requests/request.js';
import type { Core } from './core.js';
import { byUserKey, revealKey } from '../requests/keys.js';

/** Reads for the Slack surfaces and the sweeps: each from an index or a per-person list, never the whole history. */
export function querying(core: Core) {
  const { deps, store, log, index, get } = core;

  return {
    async recentFor(user: string, limit = 10): Promise<AccessRequest[]> {
      const ids = await store.range<string>(byUserKey(user), -limit, -1);
      const requests = await Promise.all(ids.reverse().map(get));
      return requests.filter((request): request is AccessRequest => request !== undefined);
    },

    /** Pending requests whose expiry time has come, oldest first. */
    expiring: (limit = 200) => index.expiring(get, limit),
    /** Pending requests past half their time to live, not reminded yet. */
    remindable: (limit = 200) => index.remindable(get, limit),
    /** The reminder for this request went out. */
    reminded: (id: string) => index.reminded(id),
    /** Pending requests, soonest to expire first. */
    pending: (limit = 200) => index.pending(get, limit),
    pendingCount: () => index.pendingCount(),
    /** Indexes requests stored by versions that kept no indexes (once per store). */
    backfillIndexes: () => index.backfill(get),

    /** Whether generated secrets wait to be shown for this request. */
    async hasRevealed(id: string): Promise<boolean> {
      return (await store.get(revealKey(id))) !== undefined;
    },

    /**
     * The generated secrets, opened, for the caller to show the requester; they stay kept until
     * `forgetRevealed`, which the caller calls once they are on the requester's screen.
     */
    async peekRevealed(id: string): Promise<Revealed | undefined> {
      const sealed = await store.get<{ label: string; value: string }[]>(revealKey(id));
      if (!sealed) return undefined;
      try {
        const secrets = sealed.map((secret) => ({ label: secret.label, value: deps.secrets.open(secret.value, revealKey(id)) }));
        for (const secret of secrets) deps.hideFromLogs(secret.value);
        return { ok: true, secrets };
      } catch (error) {
        if (!(error instanceof CannotDecrypt)) throw error;
        log.warn({ requestId: id, problem: error.message }, 'a generated password is not used');
        return { ok: false, why: error.message };
      }
    },

    async forgetRevealed(id: string): Promise<void> {
      await store.delete(revealKey(id));
    },
  };
}
