import type Keyv from 'keyv';
import type { Store } from './types.js';

/**
 * The plain operations, the same on every backend: keyv reads and writes, and keyv's own
 * serializer for the values the atomic primitives write around it, so keyv can read those too.
 */
export function keyvBasics(keyv: Keyv): Pick<Store, 'get' | 'set' | 'delete'> & {
  serialize: (value: unknown, ttlMs?: number) => Promise<string>;
} {
  return {
    get: async <T>(key: string) => (await keyv.get(key)) as T | undefined,
    set: async (key, value, ttlMs) => {
      await keyv.set(key, value, ttlMs);
    },
    delete: (key) => keyv.delete(key),
    serialize: async (value, ttlMs) =>
      (await keyv.serialize!({ value, expires: ttlMs ? Date.now() + ttlMs : undefined })) as string,
  };
}
