import type { DecisionResult } from './types.js';
import { mayReject } from '../policy/decisions.js';
import { type Core, move, record } from './core.js';
import { decidable, refusedBecauseMoved } from './decision.js';

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
