import type { DecisionResult } from './types.js';
import { mayResolveUnknown } from '../policy/decisions.js';
import { type Core, move, record } from './core.js';
import { decidable, refusedBecauseMoved } from './decision.js';
import { keepForReveal } from './reveal.js';

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
