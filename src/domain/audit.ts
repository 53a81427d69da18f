import { createHash, createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../adapters/store/types.js';
import type { Secret } from '../config/secret.js';

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
  /**
   * How `hash` is made: absent, SHA-256 (records written before ADDUSER_AUDIT_KEY was set);
   * `hmac-sha256`, HMAC-SHA-256 under that key, which a store writer without it cannot recompute.
   */
  mac: z.literal('hmac-sha256').optional(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
export type AuditEvent = Omit<AuditRecord, 'id' | 'seq' | 'at' | 'prevHash' | 'hash' | 'mac'>;

export const GENESIS_HASH = '0'.repeat(64);
export const KEYED: NonNullable<AuditRecord['mac']> = 'hmac-sha256';

/** A record's sequence number and hash as seen outside the store (an audit-channel line): `verify` checks the store against it. */
export interface Anchor {
  seq: number;
  hash: string;
}

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

/**
 * The hash covers every field but itself, prevHash included, so a record cannot move in the
 * chain; `mac` among them, so a keyed record cannot pass for a plain one. Plain SHA-256 for a
 * record without `mac`, HMAC-SHA-256 under `key` for a keyed one.
 */
export function hashRecord(record: Omit<AuditRecord, 'hash'>, key?: Secret): string {
  const text = canonicalJson(record);
  if (record.mac === undefined) return createHash('sha256').update(text).digest('hex');
  if (!key) throw new Error('a keyed audit record needs ADDUSER_AUDIT_KEY');
  return createHmac('sha256', Buffer.from(key.reveal(), 'base64')).update(text).digest('hex');
}

export type ChainVerdict =
  /** `keyedFrom`: the first keyed record; those before it are the plain prefix written before the key was set. */
  | { ok: true; records: number; keyedFrom?: number }
  /** `unverifiable`: keyed records, and no key to check them with; nothing is known to be wrong. */
  | { ok: false; seq: number; problem: 'altered' | 'missing' | 'reordered' | 'unverifiable'; detail: string };

/** Whether a record carries the hash its scheme gives, and is keyed where the chain requires it. */
function hashProblem(record: AuditRecord, keyedFrom: number | undefined, key: Secret | undefined): ChainVerdict | undefined {
  const { hash, ...unsigned } = record;
  const which = `record ${record.seq} (${record.id})`;
  const altered = (detail: string): ChainVerdict => ({ ok: false, seq: record.seq, problem: 'altered', detail });
  if (unsigned.mac === undefined) {
    if (keyedFrom !== undefined) return altered(`${which} is not keyed, but records are keyed from record ${keyedFrom} on: it was rewritten`);
    return hashRecord(unsigned) === hash ? undefined : altered(`${which} does not match its hash`);
  }
  if (unsigned.mac !== KEYED) return altered(`${which} names a hash scheme this version does not know`);
  if (!key) {
    return { ok: false, seq: record.seq, problem: 'unverifiable', detail: `records are keyed (HMAC-SHA-256) from ${which} on: set ADDUSER_AUDIT_KEY to check them` };
  }
  return hashRecord(unsigned, key) === hash ? undefined : altered(`${which} does not match its keyed hash (or ADDUSER_AUDIT_KEY is not the key it was written with)`);
}

/**
 * Each anchor must still be in the chain: the record at its sequence number carries its hash.
 * The chain links every record to the one before, so a matching anchor vouches for them all.
 */
function anchorProblem(records: readonly (AuditRecord | undefined)[], anchors: readonly Anchor[]): ChainVerdict | undefined {
  for (const anchor of [...anchors].sort((a, b) => a.seq - b.seq)) {
    const record = records[anchor.seq - 1];
    const named = `the anchor ${anchor.seq}:${anchor.hash}`;
    if (!record) return { ok: false, seq: anchor.seq, problem: 'missing', detail: `record ${anchor.seq} is missing, but ${named} shows it was written: records were removed from the end` };
    if (record.hash !== anchor.hash) {
      return { ok: false, seq: anchor.seq, problem: 'altered', detail: `record ${anchor.seq} (${record.id}) is not the record of ${named}: the chain was rewritten up to there` };
    }
  }
  return undefined;
}

/**
 * Walks the chain in order. Each record must sit at its own sequence number, carry the hash
 * of its canonical form, and link to the record before it; the first record that does not
 * is named. `expected` is the length the log claims (its head), so a removed tail shows too.
 * Plain records are accepted only before the first keyed one (the prefix written before
 * ADDUSER_AUDIT_KEY was set); `anchors` seen outside the store must all still be in the chain.
 */
export function verifyChain(
  records: readonly (AuditRecord | undefined)[],
  expected = records.length,
  options: { key?: Secret; anchors?: readonly Anchor[] } = {},
): ChainVerdict {
  let prevHash = GENESIS_HASH;
  let keyedFrom: number | undefined;
  const total = Math.max(expected, records.length);
  for (let index = 0; index < total; index++) {
    const seq = index + 1;
    const record = records[index];
    if (!record) return { ok: false, seq, problem: 'missing', detail: `record ${seq} is missing` };
    if (record.seq !== seq) {
      return { ok: false, seq, problem: 'reordered', detail: `position ${seq} holds record ${record.seq} (${record.id})` };
    }
    const problem = hashProblem(record, keyedFrom, options.key);
    if (problem) return problem;
    if (record.mac !== undefined) keyedFrom ??= seq;
    if (record.prevHash !== prevHash) {
      return { ok: false, seq, problem: 'reordered', detail: `record ${seq} (${record.id}) does not follow record ${seq - 1}` };
    }
    prevHash = record.hash;
  }
  return anchorProblem(records, options.anchors ?? []) ?? { ok: true, records: total, ...(keyedFrom !== undefined && { keyedFrom }) };
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
  /** Checks the whole chain, up to the highest sequence number the log has ever announced, and against `anchors`. */
  verify(anchors?: readonly Anchor[]): Promise<ChainVerdict>;
  /**
   * Why this process must not append: the log is keyed and it has no key, or another one (its
   * records would break the chain for every later `verify`). Undefined when it may.
   */
  keyProblem(): Promise<string | undefined>;
}

/** The records a per-request, per-target or per-actor list names, in its order. */
async function listed(store: Store, list: string): Promise<AuditRecord[]> {
  const seqs = await store.range<number>(list, 0, -1);
  const records = await Promise.all(seqs.map((seq) => store.get<AuditRecord>(recordKey(seq))));
  return records.filter((record): record is AuditRecord => record !== undefined);
}

/** Why a process with `key` must not append after `last` (the log's last record), if it must not. */
function keyMismatch(last: AuditRecord | undefined, key: Secret | undefined): string | undefined {
  if (last?.mac === undefined) return undefined;
  if (!key) return `the audit log is keyed (record ${last.seq} and others), but ADDUSER_AUDIT_KEY is not set: set the key its records were written with`;
  const { hash, ...unsigned } = last;
  if (hashRecord(unsigned, key) === hash) return undefined;
  return `ADDUSER_AUDIT_KEY does not match the audit log's last record (${last.seq}): it is not the key the log was written with, or that record was altered (npm run audit -- verify says which record)`;
}

/**
 * An append-only hash chain in the store. Each record claims the next sequence number with
 * the store's set-if-absent, so two replicas appending at once end up one after the other,
 * each linked to the record truly before it; the loser simply tries the next number. With
 * `key` (ADDUSER_AUDIT_KEY) records are keyed: HMAC-SHA-256 instead of SHA-256.
 */
export function createAuditLog(store: Store, { key }: { key?: Secret } = {}): AuditLog {
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
      const unsigned = { ...event, id: randomUUID(), seq, at: at.toISOString(), prevHash, ...(key && { mac: KEYED }) };
      const record: AuditRecord = { ...unsigned, hash: hashRecord(unsigned, key) };
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
    forRequest: (requestId) => listed(store, byRequestKey(requestId)),
    forTarget: (target) => listed(store, byTargetKey(target)),
    forActor: (actor) => listed(store, byActorKey(actor)),
    async verify(anchors = []) {
      const announced = (await store.get<number>(COUNT_KEY)) ?? 0;
      const last = Math.max(announced, await head());
      const records = await Promise.all(Array.from({ length: last }, (_, i) => store.get<AuditRecord>(recordKey(i + 1))));
      return verifyChain(records, last, { key, anchors });
    },
    keyProblem: async () => keyMismatch(await store.get<AuditRecord>(recordKey(await head())), key),
  };
}
