import type { Logger } from 'pino';
import { openRedisStore } from './redis.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';
import { parseStoreUrl } from './url.js';

/** Opens the store STORE_URL names: SQLite for one machine, Redis for several replicas. */
export async function openStore(url: string, options: { log: Logger; namespace?: string }): Promise<Store> {
  const location = parseStoreUrl(url);
  if ('error' in location) throw new Error(location.error);
  return location.kind === 'sqlite'
    ? openSqliteStore(location.path, options.log)
    : openRedisStore(location.url, options.log, options.namespace);
}
