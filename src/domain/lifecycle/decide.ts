import { policyFor, type Verdict } from '../policy/model.js';
import { crashPoint } from '../crash-points.js';
import type { DecisionResult } from './types.js';
import { approvalsNeeded, isApprover, mayApprove, mayCancel, mayReject, mayResolveUnknown } from '../policy/decisions.js';
import type { AccessRequest } from '../requests/request.js';
import { type Core, keepForReveal, move, record, refusedBecauseMoved } from './core.js';
import { approvalMarkKey, approvalsKey, BATCH } from '../requests/keys.js';

/** People's decisions (approve, reject, cancel, after unknown: retry or mark as done) and the bot's (expire, escalate). */

/**
 * The request a person decides, once this replica decides under the policy in force and `may`
 * lets them; else why not.
 */
export async function decidable(core: Core, id: string, may: (request: AccessRequest) => Verdict | Promise<Verdict>): Promise<{ ok: true; request: AccessRequest } | { ok: false; why: string }> {
  const agreed = await core.deps.policyAgreed();
  if (!agreed.ok) return agreed;
  const request = await core.requests.get(id);
  if (!request) return { ok: false, why: 'This request no longer exists.' };
  const verdict = await may(request);
  return verdict.ok ? { ok: true, request } : verdict;
}

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

export async function expireRequest(core: Core, request: AccessRequest, actor: string): Promise<AccessRequest | undefined> {
  if (request.state !== 'pending') return undefined;
  const expired = await move(core, request, ['pending'], { state: 'expired' });
  if (expired) await record(core, expired, 'expired', actor);
  return expired;
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

export async function reject(core: Core, id: string, user: string, reason: string): Promise<DecisionResult> {
  const { deps } = core;
  const decided = await decidable(core, id, (request) => mayReject(deps.policy(), deps.directory, request, user));
  if (!decided.ok) return decided;
  const { request } = decided;
  const rejected = await move(core, request, ['pending'], {
    state: 'rejected',
    decision: { by: user, at: core.now().toISOString(), reason },
  });
  if (!rejected) return refusedBecauseMoved(core, id);
  await record(core, rejected, 'rejected', user, { reason, policy: deps.policy().hash });
  return { ok: true, request: rejected };
}

export async function cancel(core: Core, id: string, user: string): Promise<DecisionResult> {
  const request = await core.requests.get(id);
  if (!request) return { ok: false, why: 'This request no longer exists.' };
  const verdict: Verdict = mayCancel(request, user);
  if (!verdict.ok) return verdict;
  const cancelled = await move(core, request, ['pending'], { state: 'cancelled', decision: { by: user, at: core.now().toISOString() } });
  if (!cancelled) return refusedBecauseMoved(core, id);
  await record(core, cancelled, 'cancelled', user);
  return { ok: true, request: cancelled };
}

export async function expire(core: Core, id: string, actor: string): Promise<AccessRequest | undefined> {
  const request = await core.requests.get(id);
  return request && expireRequest(core, request, actor);
}

/** After `unknown`: an approver decides the create should be sent again. */
export async function retry(core: Core, id: string, user: string): Promise<DecisionResult> {
  const { deps } = core;
  const decided = await decidable(core, id, (request) => mayResolveUnknown(deps.policy(), deps.directory, request, user));
  if (!decided.ok) return decided;
  const { request } = decided;
  const approved = await move(core, request, ['unknown'], {
    state: 'approved',
    owner: deps.liveness.instanceId,
    decision: { by: user, at: core.now().toISOString() },
  });
  if (!approved) return refusedBecauseMoved(core, id);
  await record(core, approved, 'retried', user);
  return { ok: true, request: approved };
}

/** After `unknown`: an approver checked the provider and the user exists. */
export async function markDone(core: Core, id: string, user: string): Promise<DecisionResult> {
  const { deps } = core;
  const decided = await decidable(core, id, (request) => mayResolveUnknown(deps.policy(), deps.directory, request, user));
  if (!decided.ok) return decided;
  const { request } = decided;
  // The account exists with the password the bot generated: the requester still needs it.
  await keepForReveal(core, request);
  const done = await move(core, request, ['unknown'], { state: 'succeeded', decision: { by: user, at: core.now().toISOString(), reason: 'marked as done' } });
  if (!done) return refusedBecauseMoved(core, id);
  await record(core, done, 'succeeded', user, { reason: 'Marked as done by an approver after an unknown outcome' });
  return { ok: true, request: done };
}

/**
 * SPEC §8: a request still pending at its escalation time escalates once (a versioned move,
 * so of several replicas one does it) to the people the policy names then, who may decide
 * it from that moment as well as its approvers.
 */
export async function escalateDue(core: Core): Promise<number> {
  const { deps } = core;
  let escalated = 0;
  if (!(await deps.policyAgreed()).ok) return escalated;
  for (const request of await core.index.escalating(core.requests.get, BATCH)) {
    const to = policyFor(deps.policy(), request.provider).escalate?.to ?? { users: [], groups: [] };
    const moved = await move(core, request, ['pending'], { escalatedTo: { users: [...to.users], groups: [...to.groups] } });
    if (!moved) continue;
    await record(core, moved, 'escalated', deps.botActor(), { policy: deps.policy().hash });
    escalated += 1;
  }
  return escalated;
}
