import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import { Secret } from '../../src/config/secret.js';
import { type AuditEvent, type AuditRecord, canonicalJson, createAuditLog, GENESIS_HASH, hashRecord, KEYED, verifyChain } from '../../src/domain/audit.js';

/** The audit chain's rules one at a time, each with the exact words `npm run audit -- verify` prints. */
const event = (changes: Partial<AuditEvent> = {}): AuditEvent => ({ requestId: 'AR-1', actor: 'UAPPROVER', action: 'approved', provider: 'digicert', target: 'jill@example.com', dryRun: false, ...changes });

const KEY = new Secret(randomBytes(32).toString('base64'));

/** `length` records; from `keyedFrom` on keyed under `key`, as after ADDUSER_AUDIT_KEY was set; `changes` to some. */
function chain(length: number, keyedFrom = Infinity, key = KEY, changes: Record<number, Partial<AuditEvent>> = {}): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const unsigned = { ...event(changes[seq]), id: `id-${seq}`, seq, at: `2026-01-01T00:00:0${seq}.000Z`, prevHash, ...(seq >= keyedFrom && { mac: KEYED }) };
    const record = { ...unsigned, hash: hashRecord(unsigned, key) };
    records.push(record);
    prevHash = record.hash;
  }
  return records;
}

describe('canonical JSON', () => {
  test('keys sorted at every level, undefined dropped, arrays kept in order, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: undefined, b: null }, 2], c: { z: true, y: 'é' } })).toBe('{"a":[{"b":null,"d":"x"},2],"b":1,"c":{"y":"é","z":true}}');
    expect(canonicalJson(['b', 'a'])).toBe('["b","a"]');
    expect(canonicalJson([])).toBe('[]');
    // Enough keys, in an order far from sorted, that a comparator which only half works shows.
    const keys = Array.from({ length: 40 }, (_, i) => `k${String((i * 17) % 40).padStart(2, '0')}`);
    expect(canonicalJson(Object.fromEntries(keys.map((key) => [key, 1])))).toBe(`{${[...keys].sort().map((key) => `"${key}":1`).join(',')}}`);
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson({ B: 1, a: 2, _: 3 })).toBe('{"B":1,"_":3,"a":2}');
  });

  test('the same record hashes the same whatever order its keys were written in', () => {
    const [record] = chain(1);
    const { hash, ...unsigned } = record!;
    const reversed = Object.fromEntries(Object.entries(unsigned).reverse()) as typeof unsigned;
    expect(hashRecord(reversed)).toBe(hash);
    expect(hashRecord({ ...unsigned, reason: 'changed' })).not.toBe(hash);
  });
});

describe('verifyChain names the first broken record', () => {
  test('an intact chain, and an empty one', () => {
    expect(verifyChain(chain(3))).toEqual({ ok: true, records: 3 });
    expect(verifyChain([])).toEqual({ ok: true, records: 0 });
  });

  test('missing in the middle, and a tail the head still claims', () => {
    const records: (AuditRecord | undefined)[] = chain(3);
    records[1] = undefined;
    expect(verifyChain(records)).toEqual({ ok: false, seq: 2, problem: 'missing', detail: 'record 2 is missing' });
    expect(verifyChain(chain(3), 5)).toEqual({ ok: false, seq: 4, problem: 'missing', detail: 'record 4 is missing' });
    expect(verifyChain(chain(3), 1)).toEqual({ ok: true, records: 3 });
  });

  test('a record at another place', () => {
    const [a, b, c] = chain(3);
    expect(verifyChain([a, c, b])).toEqual({ ok: false, seq: 2, problem: 'reordered', detail: 'position 2 holds record 3 (id-3)' });
  });

  test('an altered field', () => {
    const records = chain(3);
    records[2] = { ...records[2]!, target: 'mallory@example.com' };
    expect(verifyChain(records)).toEqual({ ok: false, seq: 3, problem: 'altered', detail: 'record 3 (id-3) does not match its hash' });
  });

  test('a record re-signed after it was changed breaks its own link', () => {
    const records = chain(3);
    const { hash: _old, ...unsigned } = { ...records[1]!, prevHash: GENESIS_HASH };
    records[1] = { ...unsigned, hash: hashRecord(unsigned) };
    expect(verifyChain(records)).toEqual({ ok: false, seq: 2, problem: 'reordered', detail: 'record 2 (id-2) does not follow record 1' });
  });
});

describe('keyed records (ADDUSER_AUDIT_KEY) and anchors', () => {
  test('a plain prefix, then keyed records: intact with the key, and says where the key begins', () => {
    expect(verifyChain(chain(5, 3), 5, { key: KEY })).toEqual({ ok: true, records: 5, keyedFrom: 3 });
    expect(verifyChain(chain(2, 1), 2, { key: KEY })).toEqual({ ok: true, records: 2, keyedFrom: 1 });
  });

  test('without the key keyed records cannot be checked, and say so; with another key they do not match', () => {
    expect(verifyChain(chain(4, 3))).toEqual({ ok: false, seq: 3, problem: 'unverifiable', detail: 'records are keyed (HMAC-SHA-256) from record 3 (id-3) on: set ADDUSER_AUDIT_KEY to check them' });
    const other = new Secret(randomBytes(32).toString('base64'));
    expect(verifyChain(chain(4, 3), 4, { key: other })).toMatchObject({ ok: false, seq: 3, problem: 'altered' });
  });

  test('a plain record after a keyed one was rewritten without the key', () => {
    const records = chain(4, 2);
    const { hash: _hash, mac: _mac, ...unsigned } = records[3]!;
    records[3] = { ...unsigned, hash: hashRecord(unsigned) };
    expect(verifyChain(records, 4, { key: KEY })).toEqual({ ok: false, seq: 4, problem: 'altered', detail: 'record 4 (id-4) is not keyed, but records are keyed from record 2 on: it was rewritten' });
  });

  test('anchors: the chain must still hold each; a rewritten chain or a removed tail does not', () => {
    const records = chain(5, 1);
    const anchor = { seq: 4, hash: records[3]!.hash };
    expect(verifyChain(records, 5, { key: KEY, anchors: [anchor] })).toMatchObject({ ok: true });
    // Rewritten throughout by someone holding the key: intact in itself, but not the chain the audit channel saw.
    const rewritten = chain(5, 1, KEY, { 2: { actor: 'UINTRUDER' } });
    expect(verifyChain(rewritten, 5, { key: KEY })).toMatchObject({ ok: true });
    expect(verifyChain(rewritten, 5, { key: KEY, anchors: [anchor] })).toEqual({
      ok: false,
      seq: 4,
      problem: 'altered',
      detail: `record 4 (id-4) is not the record of the anchor 4:${anchor.hash}: the chain was rewritten up to there`,
    });
    expect(verifyChain(records.slice(0, 3), 3, { key: KEY, anchors: [anchor] })).toMatchObject({ ok: false, seq: 4, problem: 'missing' });
  });

  test('the log refuses a process whose key does not match its records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adduser-audit-key-'));
    const store = await openStore(`sqlite://${join(dir, 'store.sqlite')}`, { log: pino({ level: 'silent' }) });
    try {
      expect(await createAuditLog(store).keyProblem()).toBeUndefined();
      await createAuditLog(store).append(event());
      expect(await createAuditLog(store, { key: KEY }).keyProblem()).toBeUndefined();
      await createAuditLog(store, { key: KEY }).append(event());
      expect(await createAuditLog(store, { key: KEY }).keyProblem()).toBeUndefined();
      expect(await createAuditLog(store).keyProblem()).toContain('ADDUSER_AUDIT_KEY is not set');
      expect(await createAuditLog(store, { key: new Secret(randomBytes(32).toString('base64')) }).keyProblem()).toContain('does not match the audit log');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the audit log in the store', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'adduser-audit-'));
    store = await openStore(`sqlite://${join(dir, 'store.sqlite')}`, { log: pino({ level: 'silent' }) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('records are found by request, by target whatever its case, and by actor', async () => {
    const log = createAuditLog(store);
    await log.append(event({ requestId: 'AR-1', target: 'Jill@Example.com', actor: 'UA' }));
    await log.append(event({ requestId: 'AR-2', target: 'bob@example.com', actor: 'UB' }));
    await log.append(event({ requestId: 'AR-1', target: 'jill@example.com', actor: 'UB', action: 'succeeded' }));
    expect((await log.forRequest('AR-1')).map((record) => record.seq)).toEqual([1, 3]);
    expect((await log.forTarget('JILL@example.COM')).map((record) => record.seq)).toEqual([1, 3]);
    expect((await log.forActor('UB')).map((record) => record.seq)).toEqual([2, 3]);
    expect(await log.forActor('UNOBODY')).toEqual([]);
    expect(await log.head()).toBe(3);
  });

  test('read pages from a sequence number, at most `limit` records', async () => {
    const log = createAuditLog(store);
    for (let i = 0; i < 5; i++) await log.append(event({ requestId: `AR-${i}` }));
    expect((await log.read()).map((record) => record.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await log.read(2, 2)).map((record) => record.seq)).toEqual([2, 3]);
    expect((await log.read(5, 10)).map((record) => record.seq)).toEqual([5]);
    expect(await log.read(6)).toEqual([]);
  });

  test('another replica’s appends in between: each log links to the record truly before its own', async () => {
    const one = createAuditLog(store);
    const two = createAuditLog(store);
    await one.append(event({ requestId: 'AR-1' }));
    await two.append(event({ requestId: 'AR-2' }));
    await two.append(event({ requestId: 'AR-3' }));
    // `one` still believes record 1 is the last: it must take 4 and link to 3.
    const fourth = await one.append(event({ requestId: 'AR-4' }));
    expect(fourth.seq).toBe(4);
    const records = await one.read();
    expect(fourth.prevHash).toBe(records[2]!.hash);
    expect(await one.verify()).toEqual({ ok: true, records: 4 });
    expect(await createAuditLog(store).head()).toBe(4);
  });

  test('a record whose count was never written (a crash mid-append) is still counted, and the next append follows it', async () => {
    const log = createAuditLog(store);
    await log.append(event());
    const [first] = await log.read();
    const unsigned = { ...event({ requestId: 'AR-CRASH' }), id: 'crashed', seq: 2, at: new Date().toISOString(), prevHash: first!.hash };
    await store.add('audit:record:2', { ...unsigned, hash: hashRecord(unsigned) });
    const fresh = createAuditLog(store);
    expect(await fresh.head()).toBe(2);
    expect((await fresh.append(event({ requestId: 'AR-3' }))).seq).toBe(3);
    expect(await fresh.verify()).toEqual({ ok: true, records: 3 });
  });

  test('a removed last record shows: the count remembers it', async () => {
    const log = createAuditLog(store);
    for (let i = 0; i < 3; i++) await log.append(event({ requestId: `AR-${i}` }));
    await store.delete('audit:record:3');
    expect(await createAuditLog(store).verify()).toEqual({ ok: false, seq: 3, problem: 'missing', detail: 'record 3 is missing' });
  });

  test('after a record was removed the log still records (it waited for it for ever), and verify still names the gap', async () => {
    const log = createAuditLog(store);
    for (let i = 0; i < 3; i++) await log.append(event({ requestId: `AR-${i}` }));
    await store.delete('audit:record:3');
    const restarted = createAuditLog(store);
    const next = await Promise.race([restarted.append(event({ requestId: 'AR-NEXT' })), new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 2_000))]);
    expect(next).toMatchObject({ seq: 4, prevHash: GENESIS_HASH, requestId: 'AR-NEXT' });
    expect((await restarted.append(event({ requestId: 'AR-AFTER' }))).prevHash).toBe((next as AuditRecord).hash);
    expect(await restarted.verify()).toEqual({ ok: false, seq: 3, problem: 'missing', detail: 'record 3 is missing' });
    expect((await restarted.forRequest('AR-2')).map((record) => record.seq)).toEqual([]);
    expect((await restarted.forRequest('AR-NEXT')).map((record) => record.seq)).toEqual([4]);
  });

  test('keys in any order sort the same: no insertion order survives', () => {
    expect(canonicalJson({ c: 1, a: 2, d: 3, b: 4 })).toBe('{"a":2,"b":4,"c":1,"d":3}');
    expect(canonicalJson({ b: 1, d: 2, a: 3, c: 4 })).toBe('{"a":3,"b":1,"c":4,"d":2}');
  });

  test('an empty log verifies, and its first record links to the genesis hash', async () => {
    const log = createAuditLog(store);
    expect(await log.verify()).toEqual({ ok: true, records: 0 });
    expect(await log.head()).toBe(0);
    const first = await log.append(event(), new Date('2026-01-01T00:00:00Z'));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, at: '2026-01-01T00:00:00.000Z' });
  });
});
