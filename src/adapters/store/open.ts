import type { Logger } from 'pino';
import { createStoreHealth, guardStore, REDIS_DEADLINES, SQLITE_DEADLINES, type StoreHealth, unavailableReason } from './guard.js';
import type { Store } from './types.js';
import { parseStoreUrl } from './url.js';

type GuardedStore = Store & { health: StoreHealth };

/**
 * Opens the store STORE_URL names: SQLite for one machine, Redis for several replicas.
 * Only the chosen backend's client is loaded, which keeps start-up short. Every call has a
 * deadline and fails with StoreUnavailable when the store cannot serve (see guard.ts).
 */
export async function openStore(url: string, options: { log: Logger; namespace?: string }): Promise<GuardedStore> {
  const location = parseStoreUrl(url);
  if ('error' in location) throw new Error(location.error);
  const health = createStoreHealth(options.log);
  // Every failed call also rejects, and the guard reports it; the Redis client adds its lost connections.
  const onError = (error: unknown) => {
    const reason = unavailableReason(error);
    if (reason !== undefined) health.failed(reason);
  };
  if (location.kind === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite.js');
    return guardStore(await openSqliteStore(location.path, options.log), health, SQLITE_DEADLINES);
  }
  const { openRedisStore } = await import('./redis.js');
  return guardStore(await openRedisStore(location.url, options.log, location.prefix ?? options.namespace, onError), health, REDIS_DEADLINES);
}
