import type { Batch } from '../batch/batch.js';
import type { DecisionResult } from './types.js';
import type { AccessRequest } from '../requests/request.js';
import type { Core } from './core.js';
import { approve } from './approve.js';
import { cancel } from './cancel.js';
import { reject } from './reject.js';

export type BatchDecision =
  | {
      ok: true;
      batch: Batch;
      /** Members this decision moved (approved: those whose approvals are complete or counted). */
      moved: AccessRequest[];
      /** Members approved for good by this click: their provider calls are the caller's to start. */
      provision: string[];
      /** Why members were left as they were (another provider's approvers decide them), one line per reason. */
      skipped: string[];
    }
  | { ok: false; why: string };

/**
 * SPEC §9: a decision on the batch is that decision on each pending member, each one atomic as
 * ever: an approver counts for the members whose providers they may approve.
 *
 * The decision on every pending member. Refusals that hold for every member come back as the
 * batch's refusal; a refusal for some members only is said alongside what moved.
 */
async function decideBatch(core: Core, id: string, run: (member: AccessRequest) => Promise<DecisionResult>): Promise<BatchDecision> {
  const found = await core.requests.batchOf(id);
  if (!found) return { ok: false, why: 'This request no longer exists.' };
  const { batch, members } = found;
  const pending = members.filter((member) => member.state === 'pending');
  if (pending.length === 0) return { ok: false, why: 'This request is already decided.' };
  const results = await Promise.all(pending.map(run));
  const moved: AccessRequest[] = [];
  const provision: string[] = [];
  const skipped = new Set<string>();
  for (const result of results) {
    if (!result.ok) {
      skipped.add(result.why);
      continue;
    }
    moved.push(result.request);
    if (result.remaining === 0) provision.push(result.request.id);
  }
  if (moved.length === 0) return { ok: false, why: [...skipped].join(' ') };
  return { ok: true, batch, moved, provision, skipped: [...skipped] };
}

export const approveBatch = (core: Core, id: string, user: string) => decideBatch(core, id, (member) => approve(core, member.id, user));
export const rejectBatch = (core: Core, id: string, user: string, reason: string) => decideBatch(core, id, (member) => reject(core, member.id, user, reason));
export const cancelBatch = (core: Core, id: string, user: string) => decideBatch(core, id, (member) => cancel(core, member.id, user));
