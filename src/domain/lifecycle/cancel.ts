import type { Verdict } from '../policy/model.js';
import type { DecisionResult } from './types.js';
import { mayCancel } from '../policy/decisions.js';
import { type Core, move, record } from './core.js';
import { refusedBecauseMoved } from './decision.js';

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
