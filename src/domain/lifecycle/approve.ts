import { crashPoint } from '../crash-points.js';
import type { DecisionResult } from './types.js';
import { approvalsNeeded, isApprover, mayApprove } from '../policy/decisions.js';
import type { AccessRequest } from '../requests/request.js';
import { type Core, move, record } from './core.js';
import { decidable, refusedBecauseMoved } from './decision.js';
import { expireRequest } from './expire.js';
import { approvalMarkKey, approvalsKey } from '../requests/keys.js';

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
  if (!(await deps.store.add(approvalMarkKey(id, user), true))) {
    return { ok: false, why: 'You have already approved this request.' };
  }
  const count = await deps.store.append(approvalsKey(id), { user, at: now().toISOString() });
  const needed = approvalsNeeded(deps.policy(), request);
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
