import { randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { createClient } from '@keyv/redis';

async function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * REDIS_URL for suites that need Redis. Without one (or when it does not answer) those suites
 * skip, and say so; under CI=true a missing Redis is a failure, since CI always starts one.
 */
export async function redisForTests(): Promise<string | undefined> {
  const url = process.env.REDIS_URL;
  const ok = url ? await answers(url) : false;
  if (ok) return url;
  const why = url ? `REDIS_URL=${url} does not answer` : 'REDIS_URL is not set';
  if (process.env.CI === 'true') throw new Error(`Redis suites cannot run: ${why} (CI must provide Redis)`);
  console.warn(`\n  ⚠ Skipping the Redis suites: ${why}. Set REDIS_URL=redis://127.0.0.1:6379 to run them.\n`);
  return undefined;
}

export interface RedisScope {
  /** The key prefix: every key the store writes starts with `prefix:`. */
  prefix: string;
  /** STORE_URL for the bot: REDIS_URL with `?prefix=`. */
  storeUrl: string;
  /** Deletes this scope's keys, and nothing else in the database. */
  clean: () => Promise<void>;
}

/**
 * A fresh key prefix on REDIS_URL's database, so suites (and two runs at once) share one Redis
 * without ever seeing, or wiping, each other's keys or a developer's data.
 */
export function redisScope(redisUrl: string, label: string): RedisScope {
  const prefix = `adduser-test-${label}-${randomUUID()}`;
  return {
    prefix,
    storeUrl: `${redisUrl}?prefix=${prefix}`,
    async clean() {
      const client = createClient({ url: redisUrl });
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
        if (keys.length > 0) await client.unlink(keys);
      }
      await client.quit();
    },
  };
}
