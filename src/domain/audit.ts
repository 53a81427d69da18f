import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../adapters/store/types.js';

export const AUDIT_ACTIONS = [
  'requested',
  'approved',
  'rejected',
  'cancelled',
  'expired',
  'provisioning',
  'succeeded',
  'failed',
  'unknown',
  'retried',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** SPEC §5, field for field. `seq` is the record's place in the chain (1, 2, …). */
export const auditRecordSchema = z.object({
  id: z.string(),
  seq: z.number().int().positive(),
  requestId: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  provider: z.string(),
  target: z.string(),
  reason: z.string().optional(),
  providerUserId: z.string().optional(),
  error: z.string().optional(),
  dryRun: z.boolean(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
export type AuditEvent = Omit<AuditRecord, 'id' | 'seq' | 'at' | 'prevHash' | 'hash'>;

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with keys sorted at every level and no whitespace: one text per record, whoever writes it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash covers every field but itself, prevHash included, so a record cannot move in the chain. */
export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

const recordKey = (seq: number) => `audit:record:${seq}`;
const HEAD_KEY = 'audit:head';
const byRequestKey = (requestId: string) => `audit:by-request:${requestId}`;
const byTargetKey = (target: string) => `audit:by-target:${target.toLowerCase()}`;
const byActorKey = (actor: string) => `audit:by-actor:${actor}`;

export interface AuditLog {
  append(event: AuditEvent, at?: Date): Promise<AuditRecord>;
  /** Records from `fromSeq` on, in chain order. */
  read(fromSeq?: number, limit?: number): Promise<AuditRecord[]>;
  forRequest(requestId: string): Promise<AuditRecord[]>;
  forTarget(target: string): Promise<AuditRecord[]>;
  forActor(actor: string): Promise<AuditRecord[]>;
  head(): Promise<number>;
}

/**
 * An append-only hash chain in the store. Each record claims the next sequence number with
 * the store's set-if-absent, so two replicas appending at once end up one after the other,
 * each linked to the record truly before it; the loser simply tries the next number.
 */
export function createAuditLog(store: Store): AuditLog {
  async function head(): Promise<number> {
    let seq = (await store.get<number>(HEAD_KEY)) ?? 0;
    // The head pointer is a hint written after each append; walk past records a crash left ahead of it.
    while (await store.get(recordKey(seq + 1))) seq += 1;
    return seq;
  }

  async function read(fromSeq = 1, limit = 1_000): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    for (let seq = fromSeq; records.length < limit; seq++) {
      const record = await store.get<AuditRecord>(recordKey(seq));
      if (!record) break;
      records.push(record);
    }
    return records;
  }

  async function bySeqs(key: string): Promise<AuditRecord[]> {
    const seqs = await store.range<number>(key, 0, -1);
    const records = await Promise.all(seqs.map((seq) => store.get<AuditRecord>(recordKey(seq))));
    return records.filter((record): record is AuditRecord => record !== undefined);
  }

  return {
    head,
    read,
    async append(event, at = new Date()) {
      for (let seq = (await head()) + 1; ; seq++) {
        const prev = seq === 1 ? undefined : await store.get<AuditRecord>(recordKey(seq - 1));
        if (seq > 1 && !prev) {
          seq = await head();
          continue;
        }
        const unsigned = {
          ...event,
          id: randomUUID(),
          seq,
          at: at.toISOString(),
          prevHash: prev?.hash ?? GENESIS_HASH,
        };
        const record: AuditRecord = { ...unsigned, hash: hashRecord(unsigned) };
        if (await store.add(recordKey(seq), record)) {
          await Promise.all([
            store.set(HEAD_KEY, seq),
            store.append(byRequestKey(record.requestId), seq),
            store.append(byTargetKey(record.target), seq),
            store.append(byActorKey(record.actor), seq),
          ]);
          return record;
        }
      }
    },
    forRequest: (requestId) => bySeqs(byRequestKey(requestId)),
    forTarget: (target) => bySeqs(byTargetKey(target)),
    forActor: (actor) => bySeqs(byActorKey(actor)),
  };
}
