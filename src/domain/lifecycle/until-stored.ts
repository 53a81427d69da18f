import { isStoreUnavailable } from '../../adapters/store/unavailable.js';
import type { Core } from './core.js';

/** How often a fact that must be kept is tried again while the store is away. */
const RETRY_MS = 1_000;

/**
 * Writes a fact nobody can ask for again, however long the store is away: a provider's answer
 * (dropped, the request would stay `provisioning` under a live owner, or be judged `unknown`
 * although the account exists), or the step after a recorded approval (its owner is alive, so
 * recovery leaves it to this process). Any other failure is thrown as it is.
 */
export async function untilStored<T>(core: Core, requestId: string, write: () => Promise<T>): Promise<T> {
  let waiting = false;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      if (!waiting) core.deps.log.warn({ requestId, reason: error.reason }, 'a step of this request waits for the store');
      waiting = true;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
