/**
 * The SQL the SQLite store runs, each text built once: the tables it opens with, then one
 * statement per operation.
 */

export const NAMESPACE = 'adduser';
export const TABLE = 'keyv';
const LIST_TABLE = 'adduser_list';
// Named apart from the earlier member-less table, whose rows lapse within minutes anyway.
const SLOT_TABLE = 'adduser_slots';
const OLD_SLOT_TABLE = 'adduser_slot';
const INDEX_TABLE = 'adduser_index';

/** How many expired values one purge statement deletes. */
export const PURGE_SLICE = 1000;

/** Run in order each time the file is opened. */
export const SCHEMA = [
  'PRAGMA journal_mode = WAL',
  // With WAL, NORMAL survives any crash of the process and never corrupts the file; only an
  // OS crash or power cut can lose the last commits. FULL would fsync on every transition.
  'PRAGMA synchronous = NORMAL',
  `CREATE TABLE IF NOT EXISTS ${LIST_TABLE}(list TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY(list, seq))`,
  `DROP TABLE IF EXISTS ${OLD_SLOT_TABLE}`,
  `CREATE TABLE IF NOT EXISTS ${SLOT_TABLE}(key TEXT NOT NULL, member TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(key, member))`,
  `CREATE INDEX IF NOT EXISTS ${SLOT_TABLE}_by_time ON ${SLOT_TABLE}(key, at)`,
  `CREATE TABLE IF NOT EXISTS ${INDEX_TABLE}(key TEXT NOT NULL, member TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY(key, member))`,
  `CREATE INDEX IF NOT EXISTS ${INDEX_TABLE}_by_score ON ${INDEX_TABLE}(key, score, member)`,
];

const indexRange = (order: 'ASC' | 'DESC') =>
  `SELECT member, score FROM ${INDEX_TABLE} WHERE key = ? AND score BETWEEN ? AND ?
         ORDER BY score ${order}, member ${order} LIMIT ?`;

export const SQL = {
  add: `INSERT INTO ${TABLE}(key, value) VALUES(?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value
           WHERE json_extract(${TABLE}.value, '$.expires') IS NOT NULL
             AND json_extract(${TABLE}.value, '$.expires') <= ?
         RETURNING key`,
  transition: `UPDATE ${TABLE} SET value = ?
         WHERE key = ? AND json_extract(value, '$.value.state') IN (SELECT value FROM json_each(?))
           AND (? IS NULL OR COALESCE(json_extract(value, '$.value.version'), 0) = ?)
         RETURNING key`,
  increment: `INSERT INTO ${TABLE}(key, value) VALUES(?, json_object('value', 1, 'expires', NULL))
         ON CONFLICT(key) DO UPDATE SET value = json_set(${TABLE}.value, '$.value', json_extract(${TABLE}.value, '$.value') + 1)
         RETURNING json_extract(value, '$.value') AS n`,
  append: `INSERT INTO ${LIST_TABLE}(list, seq, value)
         SELECT ?, COALESCE(MAX(seq), 0) + 1, ? FROM ${LIST_TABLE} WHERE list = ?
         RETURNING seq`,
  length: `SELECT MAX(seq) AS n FROM ${LIST_TABLE} WHERE list = ?`,
  range: `SELECT value FROM ${LIST_TABLE} WHERE list = ? AND seq BETWEEN ? AND ? ORDER BY seq`,
  indexAdd: `INSERT INTO ${INDEX_TABLE}(key, member, score) VALUES(?, ?, ?)
         ON CONFLICT(key, member) DO UPDATE SET score = excluded.score`,
  indexRemove: `DELETE FROM ${INDEX_TABLE} WHERE key = ? AND member = ? RETURNING member`,
  indexRange: { ASC: indexRange('ASC'), DESC: indexRange('DESC') },
  indexCount: `SELECT COUNT(*) AS n FROM ${INDEX_TABLE} WHERE key = ? AND score BETWEEN ? AND ?`,
  lapsedSlots: `DELETE FROM ${SLOT_TABLE} WHERE key = ? AND at <= ?`,
  freeingSlot: `SELECT at FROM ${SLOT_TABLE} WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
  settleSlot: `UPDATE ${SLOT_TABLE} SET at = MAX(at, ?) WHERE key = ? AND member = ?`,
  purgeExpired: `DELETE FROM ${TABLE} WHERE rowid IN (
             SELECT rowid FROM ${TABLE}
             WHERE json_extract(value, '$.expires') IS NOT NULL AND json_extract(value, '$.expires') <= ?
             LIMIT ${PURGE_SLICE})
           RETURNING 1`,
  // A write that changes nothing: it needs the write lock, so a file another process keeps
  // locked, or one that is read-only, fails here, where a read would still answer.
  ping: `DELETE FROM ${INDEX_TABLE} WHERE key = '' AND member = ''`,
};

/**
 * Takes a slot if each of `windows` windows has room. One conditional INSERT: SQLite runs it
 * atomically, so two processes cannot both take the last slot. Parameters: key, member, now,
 * then key, window start and limit for each window.
 */
export function takeSlot(windows: number): string {
  const room = Array<string>(windows).fill(`(SELECT COUNT(*) FROM ${SLOT_TABLE} WHERE key = ? AND at > ?) < ?`).join(' AND ');
  return `INSERT INTO ${SLOT_TABLE}(key, member, at) SELECT ?, ?, ? WHERE ${room} RETURNING at`;
}
