import { z } from 'zod';
import { type AccessRequest, readableId } from '../requests/request.js';

/**
 * SPEC §9: several ordinary requests (one per account) behind one request message, one thread
 * and one decision. The batch only groups them: each member keeps its own state, audit records,
 * provider call and outcome, so provisioning, recovery and expiry never need to know of it.
 */
export const batchSchema = z.object({
  id: z.string(),
  /** A policy-file preset for one person, or a CSV of people for one provider. */
  kind: z.enum(['preset', 'csv']),
  /** The preset's name, for a preset batch. */
  preset: z.string().optional(),
  /** Who the accounts are for (a preset batch: the person's name or email). */
  person: z.string().optional(),
  requester: z.string(),
  reason: z.string(),
  channel: z.string(),
  /** The member requests' ids, in the order they were asked for (a CSV's row order). */
  members: z.array(z.string()),
  /** A CSV batch: each member's row in the uploaded file, so the results file names the same rows. */
  rows: z.array(z.number().int().positive()).optional(),
  createdAt: z.string(),
});
export type Batch = z.infer<typeof batchSchema>;

/** The most accounts one batch may hold (a CSV's rows): one request message and thread must stay readable. */
export const BATCH_MAX_ACCOUNTS = 200;

export const newBatchId = () => readableId('AB');

export const isBatchId = (id: string) => id.startsWith('AB-');

/** A batch's progress in the words the request message and /adduser status use. */
export interface BatchCounts {
  total: number;
  /** Waiting for approval. */
  pending: number;
  /** Approved, being created. */
  running: number;
  created: number;
  /** Succeeded as a dry run: nothing was created. */
  dryRun: number;
  failed: number;
  unknown: number;
  /** Rejected, cancelled or expired: never sent. */
  stopped: number;
}

export function batchCounts(members: readonly Pick<AccessRequest, 'state' | 'outcome'>[]): BatchCounts {
  const counts: BatchCounts = { total: members.length, pending: 0, running: 0, created: 0, dryRun: 0, failed: 0, unknown: 0, stopped: 0 };
  for (const { state, outcome } of members) {
    if (state === 'pending') counts.pending += 1;
    else if (state === 'approved' || state === 'provisioning') counts.running += 1;
    else if (state === 'succeeded' && outcome?.kind === 'dry_run') counts.dryRun += 1;
    else if (state === 'succeeded') counts.created += 1;
    else if (state === 'failed') counts.failed += 1;
    else if (state === 'unknown') counts.unknown += 1;
    else counts.stopped += 1;
  }
  return counts;
}

/** Nothing waits for a decision, a provider or an approver's check of an unknown outcome: the results can be told. */
export const batchSettled = (counts: BatchCounts) => counts.pending === 0 && counts.running === 0 && counts.unknown === 0;
