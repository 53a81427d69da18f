import { crashPoint } from '../crash-points.js';
import type { DecisionResult } from './types.js';
import { approvalsNeeded, isApprover, mayApprove } from '../policy/decisions.js';
import type { AccessRequest } from '../requests/request.js';
import { type Core, move, record } from './core.js';
import { decidable, refusedBecauseMoved } from './decision.js';
import { expireRequest } from './expire.js';
import { approvalMarkKey, approvalsKey } from '../requests/keys.js';
import { isStoreUnavailable } from '../../adapters/store/unavailable.js';
import { untilStored } from './until-stored.js';

/**
 * The approvals that count under the policy in force now: a person removed from the approvers
 * since they approved no longer counts, so the last approval re-checks every earlier one.
 */
async function counted(core: Core, request: AccessRequest): Promise<string[]> {
  const { deps } = core;
  const policy = deps.policy();
  const all = await core.requests.approvers(request.id);
  const still = await Promise.all(all.map((user) => user !== request.requester && isApprover(policy, deps.directory, request.provider, user, request.escalatedTo)));
  return all.filter((_, index) => still[index]);
}

/**
 * Counts `user`'s approval once: the number of approvals so far, or undefined when it was counted
 * before. A click the store failed part-way is never stuck as "already approved": a mark whose
 * approval the store refused is given back, and an approval counted before the request could move
 * on lets this click move it.
 */
async function countApproval(core: Core, request: AccessRequest, user: string, needed: number): Promise<number | undefined> {
  const { deps, now } = core;
  const mark = approvalMarkKey(request.id, user);
  if (!(await deps.store.add(mark, true))) {
    const approvals = await counted(core, request);
    return approvals.includes(user) && approvals.length >= needed ? approvals.length : undefined;
  }
  try {
    return await deps.store.append(approvalsKey(request.id), { user, at: now().toISOString() });
  } catch (error) {
    if (isStoreUnavailable(error)) void core.background.run(untilStored(core, request.id, () => deps.store.delete(mark)).then(() => undefined));
    throw error;
  }
}

export async function approve(core: Core, id: string, user: string): Promise<DecisionResult> {
  const { deps, now } = core;
  const decided = await decidable(core, id, async (request) => {
    if (request.state === 'pending' && Date.parse(request.expiresAt) <= now().getTime()) {
      // The sweep may not have come by yet: the deadline is the record's, not the sweep's.
      await expireRequest(core, request, 'adduser-bot');
      return { ok: false, why: 'This request has expired: it can no longer be approved. Ask again with /adduser if it is still needed.' };
    }
    return mayApprove(deps.policy(), deps.directory, request, user, await core.requests.approvers(id));
  });
  if (!decided.ok) return decided;
  const { request } = decided;
  const needed = approvalsNeeded(deps.policy(), request);
  const count = await countApproval(core, request, user, needed);
  if (count === undefined) return { ok: false, why: 'You have already approved this request.' };
  const remaining = Math.max(0, needed - (count < needed ? count : (await counted(core, request)).length));
  if (remaining > 0) {
    await record(core, request, 'approved', user, { policy: deps.policy().hash });
    return { ok: true, request, remaining };
  }
  const approved = await move(core, request, ['pending'], {
    state: 'approved',
    owner: deps.liveness.instanceId,
    decision: { by: user, at: now().toISOString() },
  });
  if (!approved) return refusedBecauseMoved(core, id);
  crashPoint('after-approval');
  void core.background.run(record(core, approved, 'approved', user, { policy: deps.policy().hash }));
  return { ok: true, request: approved, remaining: 0 };
}
