import { CannotDecrypt } from '../../adapters/store/sealed.js';
import type { Revealed } from './types.js';
import type { Core } from './core.js';
import { revealKey } from '../requests/keys.js';

/** The lifecycle's own upkeep of what the sweeps read, and the generated secrets shown once to the requester. */
export function querying(core: Core) {
  const { deps, store, log, index, get } = core;

  return {
    /** The reminder for this request went out. */
    reminded: (id: string) => index.reminded(id),
    /** Indexes requests stored by versions that kept no indexes (once per store). */
    backfillIndexes: () => index.backfill(get),

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
