import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { openRedisStore } from '../../src/adapters/store/redis.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Store } from '../../src/adapters/store/types.js';
import { Secret } from '../../src/config/secret.js';
import { type AuditEvent, type AuditRecord, createAuditLog, hashRecord } from '../../src/domain/audit.js';
import { runAudit, startAudit } from '../support/cli.js';
import { redisForTests, redisScope } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'adduser-audit-'));
const redisUrl = await redisForTests();
const scope = redisUrl ? redisScope(redisUrl, 'audit') : undefined;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await scope?.clean();
});

const event = (n: number, changes: Partial<AuditEvent> = {}): AuditEvent => ({
  requestId: `AR-${n}`,
  actor: 'UAPPROVER1',
  action: 'approved',
  provider: n % 2 ? 'digicert' : 'checkcentral',
  target: `user${n}@example.com`,
  dryRun: false,
  ...changes,
});
const key = (seq: number) => `audit:record:${seq}`;

describe.each([
  { name: 'sqlite', skip: false, open: () => openSqliteStore(join(dir, `${randomUUID()}.sqlite`), log) },
  { name: 'redis', skip: !redisUrl, open: () => openRedisStore(redisUrl!, log, `${scope!.prefix}:${randomUUID()}`) },
])('hash chain on $name', ({ skip, open }) => {
  let store: Store;
  beforeEach(async () => {
    if (skip) return;
    store = await open();
    const audit = createAuditLog(store);
    for (let n = 1; n <= 5; n++) await audit.append(event(n), new Date(Date.UTC(2026, 10, n)));
    return () => store.close();
  });

  test.skipIf(skip)('an untouched chain verifies', async () => {
    expect(await createAuditLog(store).verify()).toEqual({ ok: true, records: 5 });
  });

  test.skipIf(skip)('an altered field is named', async () => {
    const record = (await store.get<AuditRecord>(key(3)))!;
    await store.set(key(3), { ...record, target: 'someone-else@example.com' });
    expect(await createAuditLog(store).verify()).toMatchObject({ ok: false, seq: 3, problem: 'altered' });
  });

  test.skipIf(skip)('an altered record with a recomputed hash breaks the next link', async () => {
    const { hashRecord } = await import('../../src/domain/audit.js');
    const { hash: _old, ...record } = (await store.get<AuditRecord>(key(2)))!;
    const forged = { ...record, actor: 'UINTRUDER' };
    await store.set(key(2), { ...forged, hash: hashRecord(forged) });
    expect(await createAuditLog(store).verify()).toMatchObject({ ok: false, seq: 3, problem: 'reordered' });
  });

  test.skipIf(skip)('a removed record, in the middle or at the end, is named', async () => {
    await store.delete(key(5));
    expect(await createAuditLog(store).verify()).toMatchObject({ ok: false, seq: 5, problem: 'missing' });
    await store.delete(key(2));
    expect(await createAuditLog(store).verify()).toMatchObject({ ok: false, seq: 2, problem: 'missing' });
  });

  test.skipIf(skip)('two swapped records are named', async () => {
    const [two, three] = [await store.get<AuditRecord>(key(2)), await store.get<AuditRecord>(key(3))];
    await store.set(key(2), three);
    await store.set(key(3), two);
    expect(await createAuditLog(store).verify()).toMatchObject({ ok: false, seq: 2, problem: 'reordered' });
  });

  test.skipIf(skip)('concurrent appends form one linear chain', async () => {
    const audit = createAuditLog(store);
    await Promise.all(Array.from({ length: 30 }, (_, i) => createAuditLog(store).append(event(100 + i))));
    expect(await audit.verify()).toEqual({ ok: true, records: 35 });
  });
});

describe('npm run audit', () => {
  const path = join(dir, 'cli.sqlite');
  const env = { STORE_URL: `sqlite://${path}` };

  test('export writes JSON Lines, filtered by --since and --provider; verify answers 0, then names tampering', async () => {
    const store = await openSqliteStore(path, log);
    const audit = createAuditLog(store);
    for (let n = 1; n <= 6; n++) await audit.append(event(n), new Date(Date.UTC(2026, 10, n)));

    const all = runAudit(['export'], env, dir);
    expect(all.status).toBe(0);
    const lines = all.stdout.trim().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(lines.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Object.keys(lines[0]!).sort()).toEqual(['action', 'actor', 'at', 'dryRun', 'hash', 'id', 'prevHash', 'provider', 'requestId', 'seq', 'target']);

    const filtered = runAudit(['export', '--since', '2026-11-03', '--provider', 'digicert'], env, dir);
    expect(filtered.stdout.trim().split('\n').map((line) => (JSON.parse(line) as AuditRecord).seq)).toEqual([3, 5]);

    const intact = runAudit(['verify'], env, dir);
    expect(intact.status).toBe(0);
    expect(intact.stdout.split('\n')[0]).toBe('audit log intact: 6 records');
    expect(intact.stdout).toContain('records 1–6: plain SHA-256, written before ADDUSER_AUDIT_KEY was set');

    const record = (await store.get<AuditRecord>(key(4)))!;
    await store.set(key(4), { ...record, action: 'rejected' });
    const tampered = runAudit(['verify'], env, dir);
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toContain(`altered at record 4: record 4 (${record.id}) does not match its hash`);
    await store.close();
  });

  test('with ADDUSER_AUDIT_KEY records are keyed: a store writer without the key who rewrites one and recomputes every hash after it is caught; the plain records before the key are accepted and named', async () => {
    const keyedPath = join(dir, 'keyed.sqlite');
    const store = await openSqliteStore(keyedPath, log);
    const auditKey = randomBytes(32).toString('base64');
    const keyed = { STORE_URL: `sqlite://${keyedPath}`, ADDUSER_AUDIT_KEY: auditKey };
    for (let n = 1; n <= 3; n++) await createAuditLog(store).append(event(n));
    // The key is set from record 4 on; a restarted bot appends keyed records after the plain ones.
    for (let n = 4; n <= 6; n++) await createAuditLog(store, { key: new Secret(auditKey) }).append(event(n));
    const records = await createAuditLog(store).read();
    expect(records.map((record) => record.mac)).toEqual([undefined, undefined, undefined, 'hmac-sha256', 'hmac-sha256', 'hmac-sha256']);

    const intact = runAudit(['verify'], keyed, dir);
    expect(intact.status).toBe(0);
    expect(intact.stdout).toContain('audit log intact: 6 records\nrecords 1–3: plain SHA-256, written before ADDUSER_AUDIT_KEY was set');
    expect(intact.stdout).toContain('records 4–6: keyed (HMAC-SHA-256 under ADDUSER_AUDIT_KEY)');
    const keyless = runAudit(['verify'], { STORE_URL: keyed.STORE_URL }, dir);
    expect(keyless.status).toBe(2);
    expect(keyless.stderr).toContain(`audit log not checked: records are keyed (HMAC-SHA-256) from record 4 (${records[3]!.id}) on: set ADDUSER_AUDIT_KEY to check them`);

    // A store writer without the key changes record 5's actor and recomputes the chain from there, the only way they can.
    let prevHash = records[3]!.hash;
    for (const original of records.slice(4)) {
      const { hash: _hash, mac: _mac, ...unsigned } = { ...original, prevHash, ...(original.seq === 5 && { actor: 'UINTRUDER' }) };
      const forged = { ...unsigned, hash: hashRecord(unsigned) };
      await store.set(key(original.seq), forged);
      prevHash = forged.hash;
    }
    const caught = runAudit(['verify'], keyed, dir);
    expect(caught.status).toBe(1);
    expect(caught.stderr).toContain(`altered at record 5: record 5 (${records[4]!.id}) is not keyed, but records are keyed from record 4 on: it was rewritten`);
    // …or keeps `mac` and signs with a key of their own.
    const { hash: _hash, ...fifth } = { ...records[4]!, actor: 'UINTRUDER' };
    await store.set(key(5), { ...fifth, hash: hashRecord(fifth, new Secret(randomBytes(32).toString('base64'))) });
    expect(runAudit(['verify'], keyed, dir).stderr).toContain('record 5 (' + records[4]!.id + ') does not match its keyed hash');
    for (const run of [intact, keyless, caught]) expect(run.stdout + run.stderr).not.toContain(auditKey);
    await store.close();
  });

  test('tail follows new records until stopped', async () => {
    const tailPath = join(dir, 'tail.sqlite');
    const store = await openSqliteStore(tailPath, log);
    const audit = createAuditLog(store);
    await audit.append(event(1));
    const tail = startAudit(['tail', '--lines', '1'], { STORE_URL: `sqlite://${tailPath}` }, dir);
    try {
      await waitFor(() => tail.stdout().includes('AR-1'), { timeoutMs: 15_000, what: 'the existing record' });
      await audit.append(event(2, { requestId: 'AR-NEW' }));
      await waitFor(() => tail.stdout().includes('AR-NEW'), { timeoutMs: 15_000, what: 'the new record' });
    } finally {
      tail.child.kill('SIGTERM');
      await store.close();
    }
  });

  test('bad usage explains itself', () => {
    const result = runAudit(['export', '--since', 'yesterday'], env, dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--since must be an ISO date');
    expect(runAudit(['frobnicate'], env, dir).stderr).toContain('Usage: npm run audit');
  });
});
