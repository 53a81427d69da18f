import type { AuditRecord } from '../../domain/audit.js';
import type { DeliveryContext } from './context.js';
import { NotYet, type StepResult } from './outbox.js';

/**
 * How a batch's many member records become few, well-paced messages: a decision every member
 * records is said by the first member's step to get there; progress is shown at most once a
 * second; the end is noticed without reading every member.
 */

/** Progress is shown at most this often: a 200-account batch must not mean 200 edits of one message. */
const UPDATE_EVERY_MS = 1_000;
/** Longer than one update can take (the WebClient waits out a 429 or two): updates never overlap. */
const UPDATE_LEASE_MS = 60_000;
export const MARK_TTL_MS = 30 * 86_400_000;

/** Whether this record's step is the one that says `what` for its batch: the first to ask is, and stays so through its retries. */
export async function first(ctx: DeliveryContext, batchId: string, what: string, record: AuditRecord): Promise<boolean> {
  const key = `slack:batch:${batchId}:said:${what}`;
  if (await ctx.store.add(key, record.seq, MARK_TTL_MS)) return true;
  return (await ctx.store.get<number>(key)) === record.seq;
}

/**
 * Shows progress (`show` reads the batch as it is then), at most once a second: 'skipped' when
 * an update that read the state after this record was written showed it already; NotYet
 * (retried within seconds) while another update is under way or was made under a second ago.
 * Updates never overlap (the lease lasts the whole update), so an older one cannot land after
 * a newer one; one marks what it showed (the audit log's head when it read) only once it went
 * through, so a failed update is retried, not taken as shown.
 */
export async function throttled(ctx: DeliveryContext, batchId: string, what: string, record: AuditRecord, show: () => Promise<StepResult>): Promise<StepResult> {
  const { store } = ctx;
  const shownKey = `slack:batch:${batchId}:${what}:shown-seq`;
  const slot = `slack:batch:${batchId}:${what}:slot`;
  if (((await store.get<number>(shownKey)) ?? 0) >= record.seq) return 'skipped';
  if (!(await store.add(slot, record.seq, UPDATE_LEASE_MS))) throw new NotYet(`the ${what} of batch ${batchId} is being updated, or was under a second ago`);
  try {
    const readSeq = await ctx.auditHead();
    const result = await show();
    if (result === 'delivered' && ((await store.get<number>(shownKey)) ?? 0) < readSeq) await store.set(shownKey, readSeq, MARK_TTL_MS);
    return result;
  } finally {
    await store.delete(slot);
    await store.add(slot, record.seq, UPDATE_EVERY_MS);
  }
}

/**
 * Whether every member may have settled, known without reading them: the members whose records
 * ended them are a set in the store (adding one twice changes nothing). Only then is the batch
 * read to be sure.
 */
export async function maybeSettled(ctx: DeliveryContext, record: AuditRecord, batchId: string): Promise<boolean> {
  const ended = `slack:batch:${batchId}:ended`;
  await ctx.store.indexAdd(ended, record.requestId, record.seq);
  const batch = await ctx.batchRecord(batchId);
  return batch !== undefined && (await ctx.store.indexCount(ended)) >= batch.members.length;
}
