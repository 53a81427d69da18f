import type { Store } from '../adapters/store/types.js';

const key = (instance: string) => `instance:alive:${instance}`;

/**
 * Which bot processes are alive: each renews a short-lived key. A request left `approved` or
 * `provisioning` by a process whose key has lapsed was abandoned mid-step, and is recovered.
 *
 * Keys also lapse while the store is away, for processes that are alive and waiting for it.
 * `storeBackAt` says when this process last saw the store come back: for one liveness period
 * after that nobody is judged gone, which gives every live process the time to renew its key
 * (this one renews at once); a process that really died is judged once that period is over.
 */
export function createLiveness(store: Store, instanceId: string, ttlMs = 5_000, storeBackAt: () => number = () => 0) {
  return {
    instanceId,
    ttlMs,
    beat: () => store.set(key(instanceId), Date.now(), ttlMs),
    alive: async (instance: string) => instance === instanceId || Date.now() - storeBackAt() < ttlMs || (await store.get(key(instance))) !== undefined,
    /** On a clean stop: the others need not wait for the key to lapse. */
    retire: () => store.delete(key(instanceId)),
  };
}

export type Liveness = ReturnType<typeof createLiveness>;
