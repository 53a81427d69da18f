import { policyFor } from '../policy/model.js';
import { crashPoint } from '../crash-points.js';
import type { DecisionResult } from './types.js';
import { type Verdict } from '../policy/model.js';
import { approvalsNeeded, isApprover, mayApprove, mayCancel, mayReject, mayResolveUnknown } from '../policy/decisions.js';
import type { AccessRequest } from '../requests/request.js';
import type { Core } from './core.js';
import { approvalMarkKey, approvalsKey, BATCH } from '../requests/keys.js';

/** People's decisions (approve, reject, cancel, after unknown: retry or mark as done) and the bot's (expire, escalate). */
export function deciding(core: Core) {
  const { deps, store, now, index, record, inBackground, move, get, approvers, refusedBecauseMoved, keepForReveal } = core;
  const { directory } = deps;

  /**
   * The approvals that count under the policy in force now: a person removed from the approvers
   * since they approved no longer counts, so the last approval re-checks every earlier one.
   */
  async function counted(request: AccessRequest): Promise<string[]> {
    const policy = deps.policy();
    const all = await approvers(request.id);
    const still = await Promise.all(all.map((user) => user !== request.requester && isApprover(policy, directory, request.provider, user, request.escalatedTo)));
    return all.filter((_, index) => still[index]);
  }

  async function expire(request: AccessRequest, actor: string): Promise<AccessRequest | undefined> {
    if (request.state !== 'pending') return undefined;
    const expired = await move(request, ['pending'], { state: 'expired' });
    if (expired) await record(expired, 'expired', actor);
    return expired;
  }

  return {
    async approve(id: string, user: string): Promise<DecisionResult> {
      const agreed = await deps.policyAgreed();
      if (!agreed.ok) return agreed;
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      if (request.state === 'pending' && Date.parse(request.expiresAt) <= now().getTime()) {
        // The sweep may not have come by yet: the deadline is the record's, not the sweep's.
        await expire(request, 'adduser-bot');
        return { ok: false, why: 'This request has expired: it can no longer be approved. Ask again with /adduser if it is still needed.' };
      }
      const verdict = await mayApprove(deps.policy(), directory, request, user, await approvers(id));
      if (!verdict.ok) return verdict;
      if (!(await store.add(approvalMarkKey(id, user), true))) {
        return { ok: false, why: 'You have already approved this request.' };
      }
      const count = await store.append(approvalsKey(id), { user, at: now().toISOString() });
      const needed = approvalsNeeded(deps.policy(), request);
      const remaining = Math.max(0, needed - (count < needed ? count : (await counted(request)).length));
      if (remaining > 0) {
        await record(request, 'approved', user, { policy: deps.policy().hash });
        return { ok: true, request, remaining };
      }
      const approved = await move(request, ['pending'], {
        state: 'approved',
        owner: deps.liveness.instanceId,
        decision: { by: user, at: now().toISOString() },
      });
      if (!approved) return refusedBecauseMoved(id);
      crashPoint('after-approval');
      void inBackground(record(approved, 'approved', user, { policy: deps.policy().hash }));
      return { ok: true, request: approved, remaining: 0 };
    },

    async reject(id: string, user: string, reason: string): Promise<DecisionResult> {
      const agreed = await deps.policyAgreed();
      if (!agreed.ok) return agreed;
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      const verdict = await mayReject(deps.policy(), directory, request, user);
      if (!verdict.ok) return verdict;
      const rejected = await move(request, ['pending'], {
        state: 'rejected',
        decision: { by: user, at: now().toISOString(), reason },
      });
      if (!rejected) return refusedBecauseMoved(id);
      await record(rejected, 'rejected', user, { reason, policy: deps.policy().hash });
      return { ok: true, request: rejected };
    },

    async cancel(id: string, user: string): Promise<DecisionResult> {
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      const verdict: Verdict = mayCancel(request, user);
      if (!verdict.ok) return verdict;
      const cancelled = await move(request, ['pending'], { state: 'cancelled', decision: { by: user, at: now().toISOString() } });
      if (!cancelled) return refusedBecauseMoved(id);
      await record(cancelled, 'cancelled', user);
      return { ok: true, request: cancelled };
    },

    async expire(id: string, actor: string): Promise<AccessRequest | undefined> {
      const request = await get(id);
      return request && expire(request, actor);
    },

    /** After `unknown`: an approver decides the create should be sent again. */
    async retry(id: string, user: string): Promise<DecisionResult> {
      const agreed = await deps.policyAgreed();
      if (!agreed.ok) return agreed;
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      const verdict = await mayResolveUnknown(deps.policy(), directory, request, user);
      if (!verdict.ok) return verdict;
      const approved = await move(request, ['unknown'], {
        state: 'approved',
        owner: deps.liveness.instanceId,
        decision: { by: user, at: now().toISOString() },
      });
      if (!approved) return refusedBecauseMoved(id);
      await record(approved, 'retried', user);
      return { ok: true, request: approved };
    },

    /** After `unknown`: an approver checked the provider and the user exists. */
    async markDone(id: string, user: string): Promise<DecisionResult> {
      const agreed = await deps.policyAgreed();
      if (!agreed.ok) return agreed;
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      const verdict = await mayResolveUnknown(deps.policy(), directory, request, user);
      if (!verdict.ok) return verdict;
      // The account exists with the password the bot generated: the requester still needs it.
      await keepForReveal(request);
      const done = await move(request, ['unknown'], { state: 'succeeded', decision: { by: user, at: now().toISOString(), reason: 'marked as done' } });
      if (!done) return refusedBecauseMoved(id);
      await record(done, 'succeeded', user, { reason: 'Marked as done by an approver after an unknown outcome' });
      return { ok: true, request: done };
    },

    /**
     * SPEC §8: a request still pending at its escalation time escalates once (a versioned move,
     * so of several replicas one does it) to the people the policy names then, who may decide
     * it from that moment as well as its approvers.
     */
    async escalateDue(): Promise<number> {
      let escalated = 0;
      if (!(await deps.policyAgreed()).ok) return escalated;
      for (const request of await index.escalating(get, BATCH)) {
        const to = policyFor(deps.policy(), request.provider).escalate?.to ?? { users: [], groups: [] };
        const moved = await move(request, ['pending'], { escalatedTo: { users: [...to.users], groups: [...to.groups] } });
        if (!moved) continue;
        await record(moved, 'escalated', deps.botActor(), { policy: deps.policy().hash });
        escalated += 1;
      }
      return escalated;
    },
  };
}
