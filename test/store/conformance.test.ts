import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import { openRedisStore } from '../../src/adapters/store/redis.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Store } from '../../src/adapters/store/types.js';
import { parseStoreUrl } from '../../src/adapters/store/url.js';
import { redisForTests, redisScope } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'adduser-store-'));
const redisUrl = await redisForTests();
const scope = redisUrl ? redisScope(redisUrl, 'conformance') : undefined;
const opened: Store[] = [];

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await scope?.clean();
  rmSync(dir, { recursive: true, force: true });
});

/** Each backend opens two Store instances on one database, as two replicas (or two processes) would. */
const backends: { name: string; open: () => Promise<Store>; skip: boolean }[] = [
  {
    name: 'sqlite',
    skip: false,
    open: async () => {
      const store = await openSqliteStore(join(dir, 'conformance.sqlite'), log);
      opened.push(store);
      return store;
    },
  },
  {
    name: 'redis',
    skip: !redisUrl,
    open: async () => {
      const store = await openRedisStore(redisUrl!, log, scope!.prefix);
      opened.push(store);
      return store;
    },
  },
];

describe.each(backends)('store conformance: $name', ({ open, skip }) => {
  const key = () => `k-${randomUUID()}`;

  test.skipIf(skip)('get, set, delete round trip with unicode and nested values', async () => {
    const store = await open();
    const k = key();
    const value = { name: 'Zoë 🚀 «quoted»', nested: { list: [1, 'two', { three: true }] }, colon: ':leading' };
    expect(await store.get(k)).toBeUndefined();
    await store.set(k, value);
    expect(await store.get(k)).toEqual(value);
    expect(await store.delete(k)).toBe(true);
    expect(await store.get(k)).toBeUndefined();
  });

  test.skipIf(skip)('a value with a TTL expires', async () => {
    const store = await open();
    const k = key();
    await store.set(k, 'soon gone', 50);
    await waitFor(async () => (await store.get(k)) === undefined, { timeoutMs: 2_000, what: 'expiry' });
  });

  test.skipIf(skip)('add stores once, and again only after expiry', async () => {
    const store = await open();
    const k = key();
    expect(await store.add(k, { n: 1 }, 80)).toBe(true);
    expect(await store.add(k, { n: 2 }, 80)).toBe(false);
    expect(await store.get(k)).toEqual({ n: 1 });
    await waitFor(async () => store.add(k, { n: 3 }), { timeoutMs: 2_000, what: 'add after expiry' });
    expect(await store.get(k)).toEqual({ n: 3 });
  });

  test.skipIf(skip)('transition wins only from the listed states, and keyv reads the result', async () => {
    const store = await open();
    const k = key();
    expect(await store.transition(k, ['pending'], { state: 'approved' })).toBe(false);
    await store.set(k, { state: 'pending', who: 'nobody' });
    expect(await store.transition(k, ['approved', 'unknown'], { state: 'provisioning' })).toBe(false);
    expect(await store.transition(k, ['pending'], { state: 'approved', who: 'U1' })).toBe(true);
    expect(await store.get(k)).toEqual({ state: 'approved', who: 'U1' });
    expect(await store.transition(k, ['pending'], { state: 'rejected' })).toBe(false);
  });

  test.skipIf(skip)('transition with a version wins only on that version (absent counts as 0): a stale reader loses even when the state matches again', async () => {
    const [a, b] = [await open(), await open()];
    const k = key();
    await a.set(k, { state: 'unknown' });
    expect(await a.transition(k, ['unknown'], { state: 'approved', version: 1 }, 1)).toBe(false);
    expect(await a.transition(k, ['unknown'], { state: 'approved', version: 1 }, 0)).toBe(true);
    expect(await a.transition(k, ['approved'], { state: 'unknown', version: 2 }, 1)).toBe(true);
    // b read the record at version 0, in state unknown, before all this.
    expect(await b.transition(k, ['unknown'], { state: 'approved', version: 1 }, 0)).toBe(false);
    expect(await b.get(k)).toEqual({ state: 'unknown', version: 2 });
    expect(await b.transition(k, ['unknown'], { state: 'approved', version: 3 })).toBe(true);
  });

  test.skipIf(skip)('50 concurrent transitions from one state, over two instances: exactly one wins', async () => {
    const [a, b] = [await open(), await open()];
    const k = key();
    await a.set(k, { state: 'pending' });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).transition(k, ['pending'], { state: 'approved', winner: i })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await b.get(k)).toEqual({ state: 'approved', winner });
  });

  test.skipIf(skip)('50 concurrent adds over two instances: exactly one wins', async () => {
    const [a, b] = [await open(), await open()];
    const k = key();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).add(k, i)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.get(k)).toBe(results.indexOf(true));
  });

  test.skipIf(skip)('100 concurrent increments give 1..100 once each', async () => {
    const [a, b] = [await open(), await open()];
    const k = key();
    const values = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).increment(k)));
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await b.get(k)).toBe(100);
  });

  test.skipIf(skip)('append keeps order; range takes negative indexes; length counts', async () => {
    const [a, b] = [await open(), await open()];
    const k = key();
    expect(await a.length(k)).toBe(0);
    expect(await a.range(k, 0, -1)).toEqual([]);
    for (let i = 1; i <= 5; i++) expect(await (i % 2 ? a : b).append(k, { i })).toBe(i);
    expect(await a.range(k, 0, -1)).toEqual([1, 2, 3, 4, 5].map((i) => ({ i })));
    expect(await b.range(k, -2, -1)).toEqual([{ i: 4 }, { i: 5 }]);
    expect(await b.range(k, 1, 2)).toEqual([{ i: 2 }, { i: 3 }]);
    expect(await b.range(k, -10, 0)).toEqual([{ i: 1 }]);
    expect(await a.length(k)).toBe(5);
    const concurrent = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).append(k, i)));
    expect(new Set(concurrent).size).toBe(40);
    expect(await a.length(k)).toBe(45);
  });

  test.skipIf(skip)('takeSlot: of 12 callers on two instances, exactly as many as the tightest window allows get in; the rest are told how long to wait', async () => {
    const [a, b] = [await open(), await open()];
    const k = key();
    const windows = [{ limit: 5, spanMs: 2_000 }, { limit: 3, spanMs: 600 }];
    const waits = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).takeSlot(k, windows, `slot-${i}`)));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(3);
    for (const wait of waits.filter((wait) => wait > 0)) {
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(600);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(...waits)));
    // The 600-ms window has room again; the 2-s window has 2 of its 5 left.
    const again = await Promise.all(Array.from({ length: 4 }, (_, i) => a.takeSlot(k, windows, `again-${i}`)));
    expect(again.filter((wait) => wait === 0)).toHaveLength(2);
    expect(Math.min(...again.filter((wait) => wait > 0))).toBeGreaterThan(600);
    expect(await b.takeSlot(`${k}-other`, windows, 'other')).toBe(0);
  });

  test.skipIf(skip)('purgeExpired: values past their time to live are gone for good (SQLite deletes them; Redis already has), the rest stay', async () => {
    const store = await open();
    const k = key();
    await store.set(`${k}:short`, 1, 50);
    await store.set(`${k}:forever`, 2);
    await store.add(`${k}:claim`, true, 50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const purged = await store.purgeExpired();
    if (store.kind === 'sqlite') expect(purged).toBeGreaterThanOrEqual(2);
    else expect(purged).toBe(0);
    expect(await store.get(`${k}:short`)).toBeUndefined();
    expect(await store.get(`${k}:forever`)).toBe(2);
    expect(await store.add(`${k}:claim`, true)).toBe(true);
  });

  test.skipIf(skip)('settleSlot: a slot re-dated when its call was answered holds its window from then, on every instance', async () => {
    const [a, b] = [await open(), await open()];
    const k = key();
    const windows = [{ limit: 1, spanMs: 2_000 }];
    expect(await a.takeSlot(k, windows, 'first')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const settled = performance.now();
    await a.settleSlot(k, 'first');
    await b.settleSlot(k, 'never-taken');
    const wait = await b.takeSlot(k, windows, 'second');
    const since = performance.now() - settled;
    // Counted from its taking, the slot would free within 500 ms; counted from its settling, it
    // holds the window for 2 s less the time since. Only lower bounds on time: a slow machine
    // makes `since` longer, never the assertion false.
    expect(wait).toBeGreaterThanOrEqual(2_000 - since - 5);
    expect(wait).toBeLessThanOrEqual(2_000);
    await new Promise((resolve) => setTimeout(resolve, wait));
    expect(await b.takeSlot(k, windows, 'second')).toBe(0);
  });

  test.skipIf(skip)('index: ordered by score, bounded by min/max/limit, reversible; re-adding moves a member; counts by range', async () => {
    const [one, two] = [await open(), await open()];
    const k = key();
    await Promise.all([one.indexAdd(k, 'c', 30), two.indexAdd(k, 'a', 10), one.indexAdd(k, 'b', 20), two.indexAdd(k, 'd', 40)]);
    await one.indexAdd(k, 'a', 50);
    const members = (entries: { member: string }[]) => entries.map((entry) => entry.member);
    expect(await two.indexRange(k)).toEqual([
      { member: 'b', score: 20 },
      { member: 'c', score: 30 },
      { member: 'd', score: 40 },
      { member: 'a', score: 50 },
    ]);
    expect(members(await two.indexRange(k, { max: 30 }))).toEqual(['b', 'c']);
    expect(members(await two.indexRange(k, { min: 30, limit: 2 }))).toEqual(['c', 'd']);
    expect(members(await two.indexRange(k, { reverse: true, limit: 3 }))).toEqual(['a', 'd', 'c']);
    expect(members(await two.indexRange(k, { reverse: true, max: 40, min: 25 }))).toEqual(['d', 'c']);
    expect(await two.indexCount(k)).toBe(4);
    expect(await two.indexCount(k, { min: 21, max: 49 })).toBe(2);
    expect(await one.indexRemove(k, 'c')).toBe(true);
    expect(await one.indexRemove(k, 'c')).toBe(false);
    expect(members(await two.indexRange(k))).toEqual(['b', 'd', 'a']);
    expect(await two.indexRange(key())).toEqual([]);
  });

  test.skipIf(skip)('index: members with equal scores come back in member order, and reversed with reverse', async () => {
    const store = await open();
    const k = key();
    for (const member of ['m3', 'm1', 'm2']) await store.indexAdd(k, member, 7);
    expect((await store.indexRange(k)).map((entry) => entry.member)).toEqual(['m1', 'm2', 'm3']);
    expect((await store.indexRange(k, { reverse: true })).map((entry) => entry.member)).toEqual(['m3', 'm2', 'm1']);
  });

  test.skipIf(skip)('ping answers', async () => {
    expect(await (await open()).ping()).toBe(true);
  });
});

describe('sqlite durability', () => {
  test('data survives close and reopen', async () => {
    const path = join(dir, 'durable.sqlite');
    const first = await openSqliteStore(path, log);
    await first.set('request:1', { state: 'pending' });
    await first.append('list', 'a');
    await first.close();
    const second = await openSqliteStore(path, log);
    opened.push(second);
    expect(await second.get('request:1')).toEqual({ state: 'pending' });
    expect(await second.range('list', 0, -1)).toEqual(['a']);
  });
});

describe('STORE_URL', () => {
  test.each([
    ['sqlite://data/adduser.sqlite', { kind: 'sqlite', path: '/srv/bot/data/adduser.sqlite' }],
    ['sqlite:///var/lib/x.sqlite', { kind: 'sqlite', path: '/var/lib/x.sqlite' }],
    ['redis://127.0.0.1:6379', { kind: 'redis', url: 'redis://127.0.0.1:6379' }],
    ['rediss://cache.example.com:6380/0', { kind: 'redis', url: 'rediss://cache.example.com:6380/0' }],
    ['redis://127.0.0.1:6379/2?prefix=adduser-staging', { kind: 'redis', url: 'redis://127.0.0.1:6379/2', prefix: 'adduser-staging' }],
  ])('%s', (url, expected) => {
    expect(parseStoreUrl(url, '/srv/bot')).toEqual(expected);
  });

  test.each(['mysql://db', 'sqlite://', 'redis://', 'data/adduser.sqlite', ''])('rejects %j with the accepted forms', (url) => {
    expect(parseStoreUrl(url)).toEqual({ error: expect.stringContaining('sqlite://PATH') });
  });

  test.each([
    ['redis://h:6379?prefix=', 'prefix'],
    ['redis://h:6379?prefix=a*b', 'prefix'],
    ['redis://h:6379?prefix=a:b', 'prefix'],
    ['redis://h:6379?db=2', '"db"'],
  ])('rejects %j, naming the %s', (url, named) => {
    expect(parseStoreUrl(url)).toEqual({ error: expect.stringContaining(named) });
  });
});
