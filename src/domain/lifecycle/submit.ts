import type { FormValues } from '../../adapters/providers/types.js';
import { isStoreUnavailable } from '../../adapters/store/unavailable.js';
import { crashPoint } from '../crash-points.js';
import type { SubmitResult } from './types.js';
import type { AccessRequest } from '../requests/request.js';
import type { Core } from './core.js';
import { announce, draft, keep } from './filing.js';
import { validate } from './form-check.js';
import { admitMore } from './limits.js';
import { admitNow, approveByRule } from './rule-approval.js';

/**
 * SPEC §3: validates with the provider's schema; only a valid request is stored. `admit`
 * runs once the form is valid and may refuse a delivery it has already seen.
 */
export async function submit(
  core: Core,
  args: {
    requester: string;
    provider: string;
    form: FormValues;
    channel: string;
    admit?: () => Promise<boolean>;
    /** Filed by a workflow's step rather than the form: the step's execution waits for the outcome. */
    workflow?: AccessRequest['workflow'];
  },
): Promise<SubmitResult> {
  const { deps } = core;
  const checked = validate(core, args.provider, args.form);
  if (!checked.ok) return { ok: false, errors: checked.errors };
  const agreed = await deps.policyAgreed();
  if (!agreed.ok) return { ok: false, errors: { provider: agreed.why } };
  const { provider, judged } = checked;
  const admission = await admitNow(core, { provider: provider.id, requester: args.requester }, judged, provider.label);
  if (admission.kind === 'refused') return { ok: false, errors: { provider: admission.why } };
  const refusal = await admitMore(core, args.requester);
  if (refusal) return { ok: false, errors: { provider: refusal } };
  if (args.admit && !(await args.admit())) return { ok: true, duplicate: true };
  const request = draft(core, checked, args, core.now());
  await keep(core, request);
  crashPoint('after-store');
  try {
    await announce(core, request);
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    // Stored, so it is filed: recovery announces it once the store is back, as after a crash here.
    deps.log.warn({ requestId: request.id, reason: error.reason }, 'a stored request waits for the store to be announced');
    return { ok: true, request };
  }
  crashPoint('after-submit');
  if (admission.kind !== 'auto') return { ok: true, request };
  const again = await admitNow(core, request, judged, provider.label);
  return { ok: true, request: (again.kind === 'auto' && (await approveByRule(core, request, again.rule.name, deps.policy().hash))) || request };
}
