import type { AuditRecord } from '../../domain/audit.js';
import type { DeliveryContext } from './context.js';
import { NotYet, type StepResult } from './outbox.js';

/**
 * How a batch's many member records become few, well-paced messages: a decision every member
 * records is said by the first member's step to get there; updates (the parent's progress, App
 * Homes, the accounts' outcomes) go one at a time, each a pause after the last, each showing
 * everything recorded before it; the end is noticed without reading every member.
 */

/** How often each kind of batch update may go: a 200-account batch must not mean 200 edits or 200 lines. */
export const EVERY_MS = { parent_update: 2_000, home: 5_000, outcomes: 1_500 } as const;
export type Paced = keyof typeof EVERY_MS;
/** Longer than one update can take: updates never overlap. */
const UPDATE_LEASE_MS = 60_000;
export const MARK_TTL_MS = 30 * 86_400_000;

/** Whether this record's step is the one that says `what` for its batch: the first to ask is, and stays so through its retries. */
export async function first(ctx: DeliveryContext, batchId: string, what: string, record: AuditRecord): Promise<boolean> {
  const key = `slack:batch:${batchId}:said:${what}`;
  if (await ctx.store.add(key, record.seq, MARK_TTL_MS)) return true;
  return (await ctx.store.get<number>(key)) === record.seq;
}

const shownKey = (batchId: string, what: Paced) => `slack:batch:${batchId}:${what}:shown-seq`;

/** The audit log's sequence number up to which `what` of the batch has been shown. */
export const shownUpTo = async (ctx: DeliveryContext, batchId: string, what: Paced) => (await ctx.store.get<number>(shownKey(batchId, what))) ?? 0;

async function markShown(ctx: DeliveryContext, batchId: string, what: Paced, seq: number): Promise<void> {
  if ((await shownUpTo(ctx, batchId, what)) < seq) await ctx.store.set(shownKey(batchId, what), seq, MARK_TTL_MS);
}

/**
 * Runs `show` for `record` unless an update showed it already ('skipped'): one update of `what`
 * at a time (the lease lasts the whole update, so an older one cannot land after a newer one), and
 * the next no sooner than its pause after (NotYet, retried when the pause ends). `show` gets the
 * audit head read before it ran and says up to which sequence number it showed (or had nothing to
 * show): a failed update throws and marks nothing, so it is retried, not taken as shown.
 */
export async function paced(ctx: DeliveryContext, batchId: string, what: Paced, record: AuditRecord, show: (head: number) => Promise<{ result: StepResult; shownTo: number }>): Promise<StepResult> {
  const { store } = ctx;
  const slot = `slack:batch:${batchId}:${what}:slot`;
  if ((await shownUpTo(ctx, batchId, what)) >= record.seq) return 'skipped';
  if (!(await store.add(slot, record.seq, UPDATE_LEASE_MS))) throw new NotYet(`the ${what} of batch ${batchId} is being updated, or was moments ago`, Date.now() + EVERY_MS[what]);
  try {
    const { result, shownTo } = await show(await ctx.auditHead());
    await markShown(ctx, batchId, what, shownTo);
    // More was recorded than one update could show: this record's turn comes with the next.
    if (shownTo < record.seq) throw new NotYet(`the ${what} of batch ${batchId} shows more next time`, Date.now() + EVERY_MS[what]);
    return result;
  } finally {
    // The lease becomes the pause in one write: between a delete and an add, another step took
    // the free slot and updated the message again at once.
    await store.set(slot, record.seq, EVERY_MS[what]);
  }
}

/** An update that shows the batch as it is now: everything recorded up to the head read before it. */
export const throttled = (ctx: DeliveryContext, batchId: string, what: Paced, record: AuditRecord, show: () => Promise<StepResult>) =>
  paced(ctx, batchId, what, record, async (head) => ({ result: await show(), shownTo: head }));

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
