import { privilegedIn } from './admission.js';
import { type AccessPolicy, type ApproverSet, type Directory, isIn, policyFor, approversFor, type Verdict } from './model.js';
import type { AccessRequest } from '../requests/request.js';

/* Who may decide a request once it is filed (approve, reject, cancel, settle an unknown outcome), and how many approvals it needs. */

export function describeApprovers(set: ApproverSet | undefined): string {
  if (!set) return 'workspace admins and owners';
  const people = [...set.users.map((id) => `<@${id}>`), ...set.groups.map((id) => `<!subteam^${id}>`)];
  return people.join(', ');
}

/** Approvals `request` needs under `policy`: its provider's, or the `privileged:` number when it holds a privileged value. */
export function approvalsNeeded(policy: AccessPolicy, request: Pick<AccessRequest, 'provider' | 'privileges'>): number {
  const rules = policyFor(policy, request.provider);
  const privileged = rules.privileged && request.privileges && privilegedIn(rules, request.privileges).length > 0;
  return privileged ? Math.max(rules.requiredApprovals, rules.privileged!.requiredApprovals) : rules.requiredApprovals;
}

/** `escalatedTo`: the people a request escalated to, who may decide it as well as its approvers. */
export async function isApprover(
  policy: AccessPolicy,
  directory: Directory,
  provider: string,
  user: string,
  escalatedTo?: ApproverSet,
): Promise<boolean> {
  if (escalatedTo && (await isIn(escalatedTo, directory, user))) return true;
  const set = approversFor(policy, provider);
  if (!set) return directory.isAdminOrOwner(user);
  return isIn(set, directory, user);
}

/**
 * Whether `user` may approve `request` now. The requester's own approval never counts, even
 * when they are an approver: that is the point of asking someone else.
 */
export async function mayApprove(
  policy: AccessPolicy,
  directory: Directory,
  request: AccessRequest,
  user: string,
  approvedBy: readonly string[],
): Promise<Verdict> {
  if (request.state !== 'pending') return { ok: false, why: `This request is already ${request.state}.` };
  if (user === request.requester) {
    return { ok: false, why: 'You cannot approve your own request: another approver has to.' };
  }
  if (!(await isApprover(policy, directory, request.provider, user, request.escalatedTo))) {
    const who = describeApprovers(approversFor(policy, request.provider));
    return { ok: false, why: `Only approvers can approve this request (${who}).` };
  }
  const remaining = approvalsNeeded(policy, request) - approvedBy.length;
  // Enough approvals yet still pending: the click that completed them was cut off before the
  // request moved on (the store went away), so this click finishes it.
  if (approvedBy.includes(user) && remaining > 0) {
    return { ok: false, why: `You have already approved this request; it needs ${remaining} more approval${remaining === 1 ? '' : 's'} from someone else.` };
  }
  return { ok: true };
}

export async function mayReject(
  policy: AccessPolicy,
  directory: Directory,
  request: AccessRequest,
  user: string,
): Promise<Verdict> {
  if (request.state !== 'pending') return { ok: false, why: `This request is already ${request.state}.` };
  if (user === request.requester) return { ok: false, why: 'To withdraw your own request, use Cancel.' };
  if (!(await isApprover(policy, directory, request.provider, user, request.escalatedTo))) {
    return { ok: false, why: `Only approvers can reject this request (${describeApprovers(approversFor(policy, request.provider))}).` };
  }
  return { ok: true };
}

export function mayCancel(request: AccessRequest, user: string): Verdict {
  if (user !== request.requester) return { ok: false, why: 'Only the person who asked can cancel this request.' };
  if (request.state !== 'pending') return { ok: false, why: `This request is already ${request.state}.` };
  return { ok: true };
}

/** Retry and Mark as done after an unknown outcome: approvers only, the requester included if they are one. */
export async function mayResolveUnknown(
  policy: AccessPolicy,
  directory: Directory,
  request: AccessRequest,
  user: string,
): Promise<Verdict> {
  if (request.state !== 'unknown') return { ok: false, why: `This request is ${request.state}, not waiting for a decision.` };
  if (!(await isApprover(policy, directory, request.provider, user, request.escalatedTo))) {
    return { ok: false, why: 'Only approvers can retry or close a request whose outcome is unknown.' };
  }
  return { ok: true };
}
