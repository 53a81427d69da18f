import { policyFor } from '../policy/model.js';
import { type Core, move, record } from './core.js';
import { BATCH } from '../requests/keys.js';

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
