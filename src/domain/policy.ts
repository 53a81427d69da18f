import type { AccessRequest } from './request.js';

export interface ApproverSet {
  users: readonly string[];
  groups: readonly string[];
}

/** What the policy needs to know about people; the Slack layer answers from users.info and usergroups. */
export interface Directory {
  /** An admin or owner of the bot's own workspace who is a full member of it (no guest, no Slack Connect stranger). */
  isAdminOrOwner(user: string): Promise<boolean>;
  groupMembers(group: string): Promise<readonly string[]>;
}

export interface PolicyConfig {
  approvers: { all: ApproverSet | undefined; byProvider: Record<string, ApproverSet | undefined> };
  requiredApprovals: number;
}

export type Verdict = { ok: true } | { ok: false; why: string };

/** SPEC §2: the provider's own list, else ADDUSER_APPROVERS, else the workspace's admins and owners. */
export function approversFor(config: PolicyConfig, provider: string): ApproverSet | undefined {
  return config.approvers.byProvider[provider] ?? config.approvers.all;
}

export function describeApprovers(set: ApproverSet | undefined): string {
  if (!set) return 'workspace admins and owners';
  const people = [...set.users.map((id) => `<@${id}>`), ...set.groups.map((id) => `<!subteam^${id}>`)];
  return people.join(', ');
}

export async function isApprover(
  config: PolicyConfig,
  directory: Directory,
  provider: string,
  user: string,
): Promise<boolean> {
  const set = approversFor(config, provider);
  if (!set) return directory.isAdminOrOwner(user);
  if (set.users.includes(user)) return true;
  for (const group of set.groups) {
    if ((await directory.groupMembers(group)).includes(user)) return true;
  }
  return false;
}

/**
 * Whether `user` may approve `request` now. The requester's own approval never counts, even
 * when they are an approver: that is the point of asking someone else.
 */
export async function mayApprove(
  config: PolicyConfig,
  directory: Directory,
  request: AccessRequest,
  user: string,
  approvedBy: readonly string[],
): Promise<Verdict> {
  if (request.state !== 'pending') return { ok: false, why: `This request is already ${request.state}.` };
  if (user === request.requester) {
    return { ok: false, why: 'You cannot approve your own request: another approver has to.' };
  }
  if (!(await isApprover(config, directory, request.provider, user))) {
    const who = describeApprovers(approversFor(config, request.provider));
    return { ok: false, why: `Only approvers can approve this request (${who}).` };
  }
  if (approvedBy.includes(user)) {
    const remaining = config.requiredApprovals - approvedBy.length;
    return { ok: false, why: `You have already approved this request; it needs ${remaining} more approval${remaining === 1 ? '' : 's'} from someone else.` };
  }
  return { ok: true };
}

export async function mayReject(
  config: PolicyConfig,
  directory: Directory,
  request: AccessRequest,
  user: string,
): Promise<Verdict> {
  if (request.state !== 'pending') return { ok: false, why: `This request is already ${request.state}.` };
  if (user === request.requester) return { ok: false, why: 'To withdraw your own request, use Cancel.' };
  if (!(await isApprover(config, directory, request.provider, user))) {
    return { ok: false, why: `Only approvers can reject this request (${describeApprovers(approversFor(config, request.provider))}).` };
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
  config: PolicyConfig,
  directory: Directory,
  request: AccessRequest,
  user: string,
): Promise<Verdict> {
  if (request.state !== 'unknown') return { ok: false, why: `This request is ${request.state}, not waiting for a decision.` };
  if (!(await isApprover(config, directory, request.provider, user))) {
    return { ok: false, why: 'Only approvers can retry or close a request whose outcome is unknown.' };
  }
  return { ok: true };
}
