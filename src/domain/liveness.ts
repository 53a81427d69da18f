import type { Store } from '../adapters/store/types.js';

const key = (instance: string) => `instance:alive:${instance}`;

/**
 * Which bot processes are alive: each renews a short-lived key. A request left `approved` or
 * `provisioning` by a process whose key has lapsed was abandoned mid-step, and is recovered.
 */
export function createLiveness(store: Store, instanceId: string, ttlMs = 5_000) {
  return {
    instanceId,
    ttlMs,
    beat: () => store.set(key(instanceId), Date.now(), ttlMs),
    alive: async (instance: string) => instance === instanceId || (await store.get(key(instance))) !== undefined,
    /** On a clean stop: the others need not wait for the key to lapse. */
    retire: () => store.delete(key(instanceId)),
  };
}

export type Liveness = ReturnType<typeof createLiveness>;
