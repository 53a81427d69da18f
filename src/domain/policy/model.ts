/**
 * The access policy as the domain holds it (SPEC §8), whether it came from the variables or a
 * policy file: per provider, who may ask, who approves and how many, rules, escalation and
 * privileged values, with the defaults already applied; and the people it names.
 */

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

export type Verdict = { ok: true } | { ok: false; why: string };

/** SPEC §2: the provider's own approvers, else the default ones; undefined = the workspace's admins and owners. */
export function approversFor(policy: AccessPolicy, provider: string): ApproverSet | undefined {
  return policyFor(policy, provider).approvers;
}

/** A condition set under which the bot approves by itself (SPEC §8). Every condition must hold. */
export interface AutoApproveRule {
  name: string;
  /** Users and groups the requester must belong to; absent = anyone who may ask. */
  requesterIn?: ApproverSet;
  /** Field id → the values it may hold; a multi-value field must hold only listed values. */
  fields: Readonly<Record<string, readonly string[]>>;
  /** Every address the provider receives must be in one of these domains (ASCII, lower case). */
  emailDomains?: readonly string[];
}

/** Values of privilege-bearing fields that need more than an ordinary request (SPEC §8 `privileged:`). */
export interface Privileged {
  /** Field id → the values that are privileged. */
  values: Readonly<Record<string, readonly string[]>>;
  /** Approvals a request holding one of them needs. */
  requiredApprovals: number;
  /** `refuse`: a CSV or preset may not hold one; it is asked for on its own. */
  inBulk: 'allow' | 'refuse';
}

export interface Escalation {
  afterMs: number;
  to: ApproverSet;
}

/** One provider's policy with the defaults already applied. */
export interface ProviderPolicy {
  /** Where requests are posted; absent = the channel where `/adduser` was typed. */
  requestsChannel?: string;
  /** Absent = the workspace's admins and owners. */
  approvers?: ApproverSet;
  requiredApprovals: number;
  ttlMs: number;
  /** Who may ask; absent = everyone. */
  requesters?: ApproverSet;
  autoApprove: readonly AutoApproveRule[];
  escalate?: Escalation;
  privileged?: Privileged;
}

/** Field id → value(s) a preset supplies for one provider's account. */
export type PresetAccount = Readonly<Record<string, string | readonly string[]>>;

export interface Preset {
  label: string;
  accounts: Readonly<Record<string, PresetAccount>>;
}

/** The policy in force: from the environment, or from a policy file (then `hash` names the file's content). */
export interface AccessPolicy {
  source: 'environment' | 'file';
  /** First 12 hex digits of the file's SHA-256, recorded with each decision. */
  hash?: string;
  defaults: ProviderPolicy;
  providers: Readonly<Record<string, ProviderPolicy>>;
  presets: Readonly<Record<string, Preset>>;
}

export const policyFor = (policy: AccessPolicy, provider: string): ProviderPolicy =>
  policy.providers[provider] ?? policy.defaults;

/** The shortest time to live or escalation delay any provider has: the sweep runs often enough for it. */
export const shortestDeadline = (policy: AccessPolicy): number =>
  Math.min(...[policy.defaults, ...Object.values(policy.providers)].flatMap((rules) => [rules.ttlMs, rules.escalate?.afterMs ?? Infinity]));

/** Whether `user` is one of `set`'s users or a member of one of its groups. */
export async function isIn(set: ApproverSet, directory: Pick<Directory, 'groupMembers'>, user: string): Promise<boolean> {
  if (set.users.includes(user)) return true;
  for (const group of set.groups) {
    if ((await directory.groupMembers(group)).includes(user)) return true;
  }
  return false;
}

