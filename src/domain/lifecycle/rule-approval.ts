import { policyFor } from '../policy/model.js';
import { type Admission, admit } from '../policy/admission.js';
import type { AccessRequest } from '../requests/request.js';
import { type Core, move, record } from './core.js';
import type { Judged } from './form-check.js';
import { provision } from './provision.js';

/** What the policy in force decides of a request now: admission is judged again at the moment a rule would approve. */
export function admitNow(core: Core, request: Pick<AccessRequest, 'provider' | 'requester'>, judged: Judged, label: string): Promise<Admission> {
  const { deps } = core;
  return admit(policyFor(deps.policy(), request.provider), deps.directory, { requester: request.requester, ...judged }, label);
}

/** SPEC §8: a rule approved it at submission; the bot is the approver and the rule the reason. */
export async function approveByRule(core: Core, request: AccessRequest, rule: string, policyHash: string | undefined): Promise<AccessRequest | undefined> {
  const { deps } = core;
  if (!(await deps.policyAgreed()).ok) return undefined;
  const actor = deps.botActor();
  const reason = `Approved by the policy rule "${rule}"`;
  const approved = await move(core, request, ['pending'], {
    state: 'approved',
    owner: deps.liveness.instanceId,
    decision: { by: actor, at: core.now().toISOString(), reason },
  });
  if (!approved) return undefined;
  await record(core, approved, 'approved', actor, { reason, policy: policyHash });
  void provision(core, approved.id, actor);
  return approved;
}
