import type { Logger } from 'pino';
import type { Store } from './types.js';
import { parseStoreUrl } from './url.js';

/**
 * Opens the store STORE_URL names: SQLite for one machine, Redis for several replicas.
 * Only the chosen backend's client is loaded, which keeps start-up short.
 */
export async function openStore(url: string, options: { log: Logger; namespace?: string }): Promise<Store> {
  const location = parseStoreUrl(url);
  if ('error' in location) throw new Error(location.error);
  if (location.kind === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite.js');
    return openSqliteStore(location.path, options.log);
  }
  const { openRedisStore } = await import('./redis.js');
  return openRedisStore(location.url, options.log, location.prefix ?? options.namespace);
}
