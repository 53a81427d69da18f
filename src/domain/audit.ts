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
  /** Still pending at the policy's `escalate.after`: more people may decide it now. */
  'escalated',
  /** A provider answered a create after its request had moved on (a Retry chosen meanwhile, say). */
  'late_answer',
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
  /** What failed after the account was made (a group not joined): the account exists, these did not happen. */
  warnings: z.array(z.string()).optional(),
  /** The policy file's version (its hash) a decision was taken under; absent under the environment's policy. */
  policy: z.string().optional(),
  /** The request was filed by a workflow's step, not a person's form; absent on records of other requests. */
  via: z.literal('workflow').optional(),
  /** That workflow step's execution, as Slack names it. */
  functionExecutionId: z.string().optional(),
  /** The run of the workflow that step belongs to. */
  workflowExecutionId: z.string().optional(),
  /** The batch (SPEC §9) the request is one account of; absent on requests filed alone. */
  batchId: z.string().optional(),
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

export type ChainVerdict =
  | { ok: true; records: number }
  | { ok: false; seq: number; problem: 'altered' | 'missing' | 'reordered'; detail: string };

/**
 * Walks the chain in order. Each record must sit at its own sequence number, carry the hash
 * of its canonical form, and link to the record before it; the first record that does not
 * is named. `expected` is the length the log claims (its head), so a removed tail shows too.
 */
export function verifyChain(records: readonly (AuditRecord | undefined)[], expected = records.length): ChainVerdict {
  let prevHash = GENESIS_HASH;
  const total = Math.max(expected, records.length);
  for (let index = 0; index < total; index++) {
    const seq = index + 1;
    const record = records[index];
    if (!record) return { ok: false, seq, problem: 'missing', detail: `record ${seq} is missing` };
    if (record.seq !== seq) {
      return { ok: false, seq, problem: 'reordered', detail: `position ${seq} holds record ${record.seq} (${record.id})` };
    }
    const { hash, ...unsigned } = record;
    if (hashRecord(unsigned) !== hash) {
      return { ok: false, seq, problem: 'altered', detail: `record ${seq} (${record.id}) does not match its hash` };
    }
    if (record.prevHash !== prevHash) {
      return { ok: false, seq, problem: 'reordered', detail: `record ${seq} (${record.id}) does not follow record ${seq - 1}` };
    }
    prevHash = hash;
  }
  return { ok: true, records: total };
}

const recordKey = (seq: number) => `audit:record:${seq}`;
/** Records ever appended: an atomic counter, so it only grows and a removed tail still shows. */
const COUNT_KEY = 'audit:count';
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
  /** Checks the whole chain, up to the highest sequence number the log has ever announced. */
  verify(): Promise<ChainVerdict>;
}

/**
 * An append-only hash chain in the store. Each record claims the next sequence number with
 * the store's set-if-absent, so two replicas appending at once end up one after the other,
 * each linked to the record truly before it; the loser simply tries the next number.
 */
export function createAuditLog(store: Store): AuditLog {
  async function head(): Promise<number> {
    let seq = (await store.get<number>(COUNT_KEY)) ?? 0;
    // The count trails an append that is under way (or that a crash cut short): walk past such records.
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

  /** The last record this process appended: the next one links to it without reading it back. */
  let tail: Pick<AuditRecord, 'seq' | 'hash'> | undefined;
  /** Appends from one process go one at a time, so they never race each other for a number. */
  let queue: Promise<void> = Promise.resolve();

  async function appendNow(event: AuditEvent, at: Date): Promise<AuditRecord> {
    let seq = tail ? tail.seq + 1 : (await head()) + 1;
    let prevHash = tail?.hash;
    for (;;) {
      if (prevHash === undefined) {
        const prev = seq === 1 ? undefined : await store.get<AuditRecord>(recordKey(seq - 1));
        // Records are only ever added, so a missing predecessor was removed from the store. The
        // chain names that gap (`verify`); the log must go on recording, so this record links to
        // nothing rather than wait for a record that will never come back.
        prevHash = prev?.hash ?? GENESIS_HASH;
      }
      const unsigned = { ...event, id: randomUUID(), seq, at: at.toISOString(), prevHash };
      const record: AuditRecord = { ...unsigned, hash: hashRecord(unsigned) };
      if (await store.add(recordKey(seq), record)) {
        tail = { seq, hash: record.hash };
        await Promise.all([
          store.increment(COUNT_KEY),
          store.append(byRequestKey(record.requestId), seq),
          store.append(byTargetKey(record.target), seq),
          store.append(byActorKey(record.actor), seq),
        ]);
        return record;
      }
      // Another replica took this number: link to its record instead.
      seq += 1;
      prevHash = undefined;
    }
  }

  return {
    head,
    read,
    append(event, at = new Date()) {
      const appended = queue.then(() => appendNow(event, at));
      queue = appended.then(
        () => undefined,
        () => undefined,
      );
      return appended;
    },
    forRequest: (requestId) => bySeqs(byRequestKey(requestId)),
    forTarget: (target) => bySeqs(byTargetKey(target)),
    forActor: (actor) => bySeqs(byActorKey(actor)),
    async verify() {
      const announced = (await store.get<number>(COUNT_KEY)) ?? 0;
      const last = Math.max(announced, await head());
      const records = await Promise.all(Array.from({ length: last }, (_, i) => store.get<AuditRecord>(recordKey(i + 1))));
      return verifyChain(records, last);
    },
  };
}
