import sqlite3 from 'sqlite3';

/** Another connection holding a SQLite file's write lock, as a CLI or a backup in another process would, until released. */
export async function lockSqliteFile(path: string): Promise<{ release: () => Promise<void> }> {
  const db = new sqlite3.Database(path);
  const run = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())));
  await run('BEGIN IMMEDIATE');
  return {
    release: async () => {
      await run('ROLLBACK');
      await new Promise<void>((resolve) => db.close(() => resolve()));
    },
  };
}
