import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import type { Logger } from 'pino';
import { keyvBasics } from './keyv-basics.js';
import type { IndexQuery, Store } from './types.js';

const NAMESPACE = 'adduser';
const TABLE = 'keyv';
const LIST_TABLE = 'adduser_list';
// Named apart from the earlier member-less table, whose rows lapse within minutes anyway.
const SLOT_TABLE = 'adduser_slots';
const OLD_SLOT_TABLE = 'adduser_slot';
const INDEX_TABLE = 'adduser_index';

type Query = (sql: string, ...params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * keyv on SQLite. Plain reads and writes go through keyv; the atomic primitives are one
 * conditional statement each on keyv's own table (written in keyv's serialized format, so
 * keyv reads them back), and lists live in a table of their own.
 */
export async function openSqliteStore(path: string, log: Logger): Promise<Store> {
  mkdirSync(dirname(path), { recursive: true });
  // Another process (a CLI, a test, a second bot) may hold the write lock for a moment.
  const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, table: TABLE, busyTimeout: 5_000 });
  const keyv = new Keyv({ store: adapter, namespace: NAMESPACE });
  keyv.on('error', (error: unknown) => log.error({ err: error }, 'store error'));
  const query = adapter.query.bind(adapter) as Query;
  await query('PRAGMA journal_mode = WAL');
  // With WAL, NORMAL survives any crash of the process and never corrupts the file; only an
  // OS crash or power cut can lose the last commits. FULL would fsync on every transition.
  await query('PRAGMA synchronous = NORMAL');
  await query(
    `CREATE TABLE IF NOT EXISTS ${LIST_TABLE}(list TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY(list, seq))`,
  );

  await query(`DROP TABLE IF EXISTS ${OLD_SLOT_TABLE}`);
  await query(`CREATE TABLE IF NOT EXISTS ${SLOT_TABLE}(key TEXT NOT NULL, member TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(key, member))`);
  await query(`CREATE INDEX IF NOT EXISTS ${SLOT_TABLE}_by_time ON ${SLOT_TABLE}(key, at)`);

  await query(
    `CREATE TABLE IF NOT EXISTS ${INDEX_TABLE}(key TEXT NOT NULL, member TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY(key, member))`,
  );
  await query(`CREATE INDEX IF NOT EXISTS ${INDEX_TABLE}_by_score ON ${INDEX_TABLE}(key, score, member)`);

  const rawKey = (key: string) => `${NAMESPACE}:${key}`;
  const { get, set, delete: remove, serialize } = keyvBasics(keyv);

  // A list's items are numbered 1, 2, … with no gaps (append takes MAX + 1 and nothing deletes
  // one), so its length is its last number and any slice is a range of numbers: both read the
  // primary key's b-tree, never count or skip the list.
  const length = async (key: string) => {
    const rows = await query(`SELECT MAX(seq) AS n FROM ${LIST_TABLE} WHERE list = ?`, key);
    return Number(rows[0]?.n ?? 0);
  };

  const scoreBounds = (query: IndexQuery) => [query.min ?? -Infinity, query.max ?? Infinity];

  return {
    kind: 'sqlite',
    get,
    set,
    delete: remove,

    async add(key, value, ttlMs) {
      const rows = await query(
        `INSERT INTO ${TABLE}(key, value) VALUES(?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value
           WHERE json_extract(${TABLE}.value, '$.expires') IS NOT NULL
             AND json_extract(${TABLE}.value, '$.expires') <= ?
         RETURNING key`,
        rawKey(key),
        await serialize(value, ttlMs),
        Date.now(),
      );
      return rows.length === 1;
    },

    async transition(key, from, next, version) {
      const rows = await query(
        `UPDATE ${TABLE} SET value = ?
         WHERE key = ? AND json_extract(value, '$.value.state') IN (SELECT value FROM json_each(?))
           AND (? IS NULL OR COALESCE(json_extract(value, '$.value.version'), 0) = ?)
         RETURNING key`,
        await serialize(next),
        rawKey(key),
        JSON.stringify(from),
        version ?? null,
        version ?? null,
      );
      return rows.length === 1;
    },

    async increment(key) {
      const rows = await query(
        `INSERT INTO ${TABLE}(key, value) VALUES(?, json_object('value', 1, 'expires', NULL))
         ON CONFLICT(key) DO UPDATE SET value = json_set(${TABLE}.value, '$.value', json_extract(${TABLE}.value, '$.value') + 1)
         RETURNING json_extract(value, '$.value') AS n`,
        rawKey(key),
      );
      return Number(rows[0]?.n);
    },

    async append(key, value) {
      const rows = await query(
        `INSERT INTO ${LIST_TABLE}(list, seq, value)
         SELECT ?, COALESCE(MAX(seq), 0) + 1, ? FROM ${LIST_TABLE} WHERE list = ?
         RETURNING seq`,
        key,
        JSON.stringify(value),
        key,
      );
      return Number(rows[0]?.seq);
    },

    async range<T>(key: string, start: number, end: number) {
      const size = start < 0 || end < 0 ? await length(key) : Infinity;
      const from = start < 0 ? Math.max(0, size + start) : start;
      const to = end < 0 ? size + end : end;
      if (to < from) return [];
      const rows = await query(
        `SELECT value FROM ${LIST_TABLE} WHERE list = ? AND seq BETWEEN ? AND ? ORDER BY seq`,
        key,
        from + 1,
        Number.isFinite(to) ? to + 1 : Number.MAX_SAFE_INTEGER,
      );
      return rows.map((row) => JSON.parse(String(row.value)) as T);
    },

    length,

    async indexAdd(key, member, score) {
      await query(
        `INSERT INTO ${INDEX_TABLE}(key, member, score) VALUES(?, ?, ?)
         ON CONFLICT(key, member) DO UPDATE SET score = excluded.score`,
        key,
        member,
        score,
      );
    },

    async indexRemove(key, member) {
      const rows = await query(`DELETE FROM ${INDEX_TABLE} WHERE key = ? AND member = ? RETURNING member`, key, member);
      return rows.length === 1;
    },

    async indexRange(key, range = {}) {
      const order = range.reverse ? 'DESC' : 'ASC';
      const rows = await query(
        `SELECT member, score FROM ${INDEX_TABLE} WHERE key = ? AND score BETWEEN ? AND ?
         ORDER BY score ${order}, member ${order} LIMIT ?`,
        key,
        ...scoreBounds(range),
        range.limit ?? -1,
      );
      return rows.map((row) => ({ member: String(row.member), score: Number(row.score) }));
    },

    async indexCount(key, range = {}) {
      const rows = await query(
        `SELECT COUNT(*) AS n FROM ${INDEX_TABLE} WHERE key = ? AND score BETWEEN ? AND ?`,
        key,
        ...scoreBounds(range),
      );
      return Number(rows[0]?.n ?? 0);
    },

    async takeSlot(key, windows, member) {
      const now = Date.now();
      const longest = Math.max(...windows.map((window) => window.spanMs));
      await query(`DELETE FROM ${SLOT_TABLE} WHERE key = ? AND at <= ?`, key, now - longest);
      // One conditional INSERT: SQLite runs it atomically, so two processes cannot both take the last slot.
      const room = windows.map(() => `(SELECT COUNT(*) FROM ${SLOT_TABLE} WHERE key = ? AND at > ?) < ?`).join(' AND ');
      const taken = await query(
        `INSERT INTO ${SLOT_TABLE}(key, member, at) SELECT ?, ?, ? WHERE ${room} RETURNING at`,
        key,
        member,
        now,
        ...windows.flatMap((window) => [key, now - window.spanMs, window.limit]),
      );
      if (taken.length === 1) return 0;
      let wait = 1;
      for (const window of windows) {
        const freeing = await query(
          `SELECT at FROM ${SLOT_TABLE} WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
          key,
          now - window.spanMs,
          window.limit - 1,
        );
        if (freeing[0]) wait = Math.max(wait, Number(freeing[0].at) + window.spanMs - now);
      }
      return wait;
    },

    async purgeExpired() {
      let purged = 0;
      // In slices, so a large backlog never holds the write lock for long.
      for (;;) {
        const rows = await query(
          `DELETE FROM ${TABLE} WHERE rowid IN (
             SELECT rowid FROM ${TABLE}
             WHERE json_extract(value, '$.expires') IS NOT NULL AND json_extract(value, '$.expires') <= ?
             LIMIT 1000)
           RETURNING 1`,
          Date.now(),
        );
        purged += rows.length;
        if (rows.length < 1000) return purged;
      }
    },

    async settleSlot(key, member) {
      await query(`UPDATE ${SLOT_TABLE} SET at = MAX(at, ?) WHERE key = ? AND member = ?`, Date.now(), key, member);
    },

    async ping() {
      try {
        await query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },

    close: () => keyv.disconnect(),
  };
}
