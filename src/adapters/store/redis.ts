import type { Logger } from 'pino';
import KeyvRedis, { createKeyv } from '@keyv/redis';
import type Keyv from 'keyv';
import { keyvBasics } from './keyv-basics.js';
import type { Store } from './types.js';

const NAMESPACE = 'adduser';

/**
 * Compare-state-and-set, run atomically by Redis: decode keyv's stored JSON, check the
 * record's state (and version, when ARGV[2] names one), write the new value keeping any TTL.
 */
const TRANSITION = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, decoded = pcall(cjson.decode, current)
if not ok or type(decoded) ~= 'table' or type(decoded.value) ~= 'table' then return 0 end
if ARGV[2] ~= '' and (tonumber(decoded.value.version) or 0) ~= tonumber(ARGV[2]) then return 0 end
local state = decoded.value.state
for i = 3, #ARGV do
  if ARGV[i] == state then
    redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
    return 1
  end
end
return 0`;

/** INCR on a value in keyv's format, so keyv.get reads the counter like any other value. */
const INCREMENT = `
local current = redis.call('GET', KEYS[1])
local n = 1
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' then n = (tonumber(decoded.value) or 0) + 1 end
end
redis.call('SET', KEYS[1], '{"value":' .. string.format('%d', n) .. ',"expires":null}', 'KEEPTTL')
return n`;

/**
 * Sliding windows on one sorted set of slot times, judged by Redis's own clock so replicas
 * with skewed clocks still agree. ARGV: member, then limit/span pairs. Returns 0 when the slot
 * was taken, else the milliseconds to wait.
 */
const TAKE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local longest = 0
for i = 2, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i + 1])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local wait = 0
for i = 2, #ARGV, 2 do
  local limit = tonumber(ARGV[i])
  local span = tonumber(ARGV[i + 1])
  local count = redis.call('ZCOUNT', KEYS[1], '(' .. (now - span), '+inf')
  if count >= limit then
    local freeing = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - span), '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
    wait = math.max(wait, tonumber(freeing[2]) + span - now)
  end
end
if wait > 0 then return math.max(1, math.ceil(wait)) end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], longest)
return 0`;

/**
 * Re-dates a slot by Redis's clock, only if it is still there (a lapsed slot stays gone), and
 * keeps the set alive as much longer as the slot moved.
 */
const SETTLE_SLOT = `
local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not old then return 0 end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local moved = math.max(0, now - tonumber(old))
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl + moved) end
return 1`;

type RedisClient = {
  set(key: string, value: string, options?: Record<string, unknown>): Promise<string | null>;
  rPush(key: string, value: string): Promise<number>;
  lRange(key: string, start: number, end: number): Promise<string[]>;
  lLen(key: string): Promise<number>;
  zAdd(key: string, member: { score: number; value: string }): Promise<number>;
  zRem(key: string, member: string): Promise<number>;
  zRangeWithScores(
    key: string,
    start: string,
    stop: string,
    options: { BY: 'SCORE'; REV?: true; LIMIT?: { offset: number; count: number } },
  ): Promise<{ value: string; score: number }[]>;
  zCount(key: string, min: string, max: string): Promise<number>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  ping(): Promise<string>;
};

/** keyv on a node-redis client that fails fast while Redis is away and reconnects within half a second of its return. */
function connect(url: string, log: Logger, namespace: string, onError?: (error: unknown) => void): Keyv {
  const keyv: Keyv = createKeyv(
    {
      url,
      // A command while the connection is down fails at once instead of waiting, unbounded, to
      // be sent when it is back: the person is told now, and nothing they were told failed happens later.
      disableOfflineQueue: true,
      // One attempt every half second at most, so the store is back within that of Redis being back.
      socket: { connectTimeout: 1_000, reconnectStrategy: (attempts: number) => Math.min(100 * attempts, 500) },
    },
    // Without it keyv answers a failed read "absent" and drops a failed write silently.
    { namespace, throwOnErrors: true },
  );
  // The client reports each failed reconnection here: detail, since the guard says once that the store is away.
  keyv.on('error', (error: unknown) => {
    log.debug({ reason: String(error) }, 'store client error');
    onError?.(error);
  });
  return keyv;
}

/**
 * keyv on Redis, for several replicas. Plain reads and writes go through keyv; the atomic
 * primitives use the node-redis client underneath (SET NX PX, RPUSH, Lua scripts)
 * on keys in keyv's own format and namespace. Lists have their own prefix.
 */
export async function openRedisStore(url: string, log: Logger, namespace = NAMESPACE, onError?: (error: unknown) => void): Promise<Store> {
  const keyv = connect(url, log, namespace, onError);
  const adapter = keyv.store as KeyvRedis<unknown>;
  const client = (await adapter.getClient()) as unknown as RedisClient;
  const rawKey = (key: string) => `${namespace}${adapter.keyPrefixSeparator}${key}`;
  const listKey = (key: string) => `${namespace}:list:${key}`;
  const indexKey = (key: string) => `${namespace}:index:${key}`;
  const bound = (value: number | undefined, infinity: string) => (value === undefined ? infinity : String(value));
  const { get, set, delete: remove, serialize } = keyvBasics(keyv);

  return {
    kind: 'redis',
    get,
    set,
    delete: remove,
    async add(key, value, ttlMs) {
      const options = ttlMs ? { NX: true, PX: ttlMs } : { NX: true };
      return (await client.set(rawKey(key), await serialize(value, ttlMs), options)) === 'OK';
    },
    async transition(key, from, next, version) {
      const result = await client.eval(TRANSITION, { keys: [rawKey(key)], arguments: [await serialize(next), version === undefined ? '' : String(version), ...from] });
      return Number(result) === 1;
    },
    async increment(key) {
      return Number(await client.eval(INCREMENT, { keys: [rawKey(key)], arguments: [] }));
    },
    async append(key, value) {
      return client.rPush(listKey(key), JSON.stringify(value));
    },
    async range<T>(key: string, start: number, end: number) {
      return (await client.lRange(listKey(key), start, end)).map((item) => JSON.parse(item) as T);
    },
    length: (key) => client.lLen(listKey(key)),
    async indexAdd(key, member, score) {
      await client.zAdd(indexKey(key), { score, value: member });
    },
    async indexRemove(key, member) {
      return (await client.zRem(indexKey(key), member)) === 1;
    },
    async indexRange(key, query = {}) {
      const min = bound(query.min, '-inf');
      const max = bound(query.max, '+inf');
      const entries = await client.zRangeWithScores(indexKey(key), query.reverse ? max : min, query.reverse ? min : max, {
        BY: 'SCORE',
        ...(query.reverse ? { REV: true as const } : {}),
        ...(query.limit === undefined ? {} : { LIMIT: { offset: 0, count: query.limit } }),
      });
      return entries.map((entry) => ({ member: entry.value, score: entry.score }));
    },
    indexCount: (key, query = {}) => client.zCount(indexKey(key), bound(query.min, '-inf'), bound(query.max, '+inf')),
    async takeSlot(key, windows, member) {
      const args = [member, ...windows.flatMap((window) => [String(window.limit), String(window.spanMs)])];
      return Number(await client.eval(TAKE_SLOT, { keys: [`${namespace}:slots:${key}`], arguments: args }));
    },
    purgeExpired: async () => 0,
    async settleSlot(key, member) {
      await client.eval(SETTLE_SLOT, { keys: [`${namespace}:slots:${key}`], arguments: [member] });
    },
    async ping() {
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close: () => keyv.disconnect(),
  };
}
