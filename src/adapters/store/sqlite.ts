import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import type { Logger } from 'pino';
import { keyvBasics } from './keyv-basics.js';
import { NAMESPACE, PURGE_SLICE, SCHEMA, SQL, TABLE, takeSlot } from './sqlite-statements.js';
import type { IndexQuery, Store } from './types.js';

type Query = (sql: string, ...params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * keyv on SQLite. Plain reads and writes go through keyv; the atomic primitives are one
 * conditional statement each on keyv's own table (written in keyv's serialized format, so
 * keyv reads them back), and lists live in a table of their own.
 */
export async function openSqliteStore(path: string, log: Logger): Promise<Store> {
  mkdirSync(dirname(path), { recursive: true });
  // Another process (a CLI, a test, a second bot) may hold the write lock for a moment. Waited
  // for less than a call's deadline (guard.ts): a statement still waiting past it would apply
  // after its caller was told nothing was saved.
  const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, table: TABLE, busyTimeout: 500 });
  // Without throwOnErrors keyv answers a failed read "absent" and drops a failed write silently.
  const keyv = new Keyv({ store: adapter, namespace: NAMESPACE, throwOnErrors: true });
  // Each failure also rejects its call, where the caller (and the guard) deal with it: detail here.
  keyv.on('error', (error: unknown) => log.debug({ reason: String(error) }, 'store error'));
  const query = adapter.query.bind(adapter) as Query;
  for (const statement of SCHEMA) await query(statement);
  return new SqliteStore(keyv, query);
}

const rawKey = (key: string) => `${NAMESPACE}:${key}`;

const scoreBounds = (query: IndexQuery) => [query.min ?? -Infinity, query.max ?? Infinity];

/**
 * The operations are fields, not prototype methods, so the store stays what callers hold it to
 * be: an object whose functions work detached, and which a test wraps by spreading it
 * (`{ ...store, transition }`).
 */
class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly get: Store['get'];
  readonly set: Store['set'];
  readonly delete: Store['delete'];
  readonly #serialize: (value: unknown, ttlMs?: number) => Promise<string>;
  readonly #keyv: Keyv;
  readonly #query: Query;

  constructor(keyv: Keyv, query: Query) {
    const { get, set, delete: remove, serialize } = keyvBasics(keyv);
    this.get = get;
    this.set = set;
    this.delete = remove;
    this.#serialize = serialize;
    this.#keyv = keyv;
    this.#query = query;
  }

  readonly add: Store['add'] = async (key, value, ttlMs) => {
    const rows = await this.#query(SQL.add, rawKey(key), await this.#serialize(value, ttlMs), Date.now());
    return rows.length === 1;
  };

  readonly transition: Store['transition'] = async (key, from, next, version) => {
    const rows = await this.#query(
      SQL.transition,
      await this.#serialize(next),
      rawKey(key),
      JSON.stringify(from),
      version ?? null,
      version ?? null,
    );
    return rows.length === 1;
  };

  readonly increment: Store['increment'] = async (key) => {
    const rows = await this.#query(SQL.increment, rawKey(key));
    return Number(rows[0]?.n);
  };

  readonly append: Store['append'] = async (key, value) => {
    const rows = await this.#query(SQL.append, key, JSON.stringify(value), key);
    return Number(rows[0]?.seq);
  };

  readonly range: Store['range'] = async <T>(key: string, start: number, end: number) => {
    // To the end from a known start (the common whole-list read) needs no length: one statement, not two.
    const toEnd = start >= 0 && end === -1;
    const size = start < 0 || (end < 0 && !toEnd) ? await this.length(key) : Infinity;
    const from = start < 0 ? Math.max(0, size + start) : start;
    const to = toEnd ? Infinity : end < 0 ? size + end : end;
    if (to < from) return [];
    const rows = await this.#query(SQL.range, key, from + 1, Number.isFinite(to) ? to + 1 : Number.MAX_SAFE_INTEGER);
    return rows.map((row) => JSON.parse(String(row.value)) as T);
  };

  // A list's items are numbered 1, 2, … with no gaps (append takes MAX + 1 and nothing deletes
  // one), so its length is its last number and any slice is a range of numbers: both read the
  // primary key's b-tree, never count or skip the list.
  readonly length: Store['length'] = async (key) => {
    const rows = await this.#query(SQL.length, key);
    return Number(rows[0]?.n ?? 0);
  };

  readonly indexAdd: Store['indexAdd'] = async (key, member, score) => {
    await this.#query(SQL.indexAdd, key, member, score);
  };

  readonly indexRemove: Store['indexRemove'] = async (key, member) => {
    const rows = await this.#query(SQL.indexRemove, key, member);
    return rows.length === 1;
  };

  readonly indexRange: Store['indexRange'] = async (key, range = {}) => {
    const rows = await this.#query(SQL.indexRange[range.reverse ? 'DESC' : 'ASC'], key, ...scoreBounds(range), range.limit ?? -1);
    return rows.map((row) => ({ member: String(row.member), score: Number(row.score) }));
  };

  readonly indexCount: Store['indexCount'] = async (key, range = {}) => {
    const rows = await this.#query(SQL.indexCount, key, ...scoreBounds(range));
    return Number(rows[0]?.n ?? 0);
  };

  readonly takeSlot: Store['takeSlot'] = async (key, windows, member) => {
    const now = Date.now();
    const longest = Math.max(...windows.map((window) => window.spanMs));
    await this.#query(SQL.lapsedSlots, key, now - longest);
    const taken = await this.#query(
      takeSlot(windows.length),
      key,
      member,
      now,
      ...windows.flatMap((window) => [key, now - window.spanMs, window.limit]),
    );
    if (taken.length === 1) return 0;
    let wait = 1;
    for (const window of windows) {
      const freeing = await this.#query(SQL.freeingSlot, key, now - window.spanMs, window.limit - 1);
      if (freeing[0]) wait = Math.max(wait, Number(freeing[0].at) + window.spanMs - now);
    }
    return wait;
  };

  readonly purgeExpired: Store['purgeExpired'] = async () => {
    let purged = 0;
    // In slices, so a large backlog never holds the write lock for long.
    for (;;) {
      const rows = await this.#query(SQL.purgeExpired, Date.now());
      purged += rows.length;
      if (rows.length < PURGE_SLICE) return purged;
    }
  };

  readonly settleSlot: Store['settleSlot'] = async (key, member) => {
    await this.#query(SQL.settleSlot, Date.now(), key, member);
  };

  // Rejects with SQLite's own error, which says why (locked, read-only, disk full) in /readyz.
  readonly ping: Store['ping'] = async () => {
    await this.#query(SQL.ping);
    return true;
  };

  readonly close: Store['close'] = () => this.#keyv.disconnect();
}
