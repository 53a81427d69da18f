import type { Verdict } from '../policy/model.js';
import type { DecisionResult } from './types.js';
import type { AccessRequest } from '../requests/request.js';
import type { Core } from './core.js';

/**
 * What people's decisions (approve, reject, cancel; after unknown: retry or mark as done) share;
 * the bot's own are expire.ts and escalate.ts.
 */

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

export async function refusedBecauseMoved(core: Core, id: string): Promise<DecisionResult> {
  const current = await core.requests.get(id);
  return { ok: false, why: `This request is already ${current?.state ?? 'gone'}.` };
}
