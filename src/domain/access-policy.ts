import type { ApproverSet, Directory, Verdict } from './policy.js';

/** A condition set under which the bot approves by itself (SPEC §8). Every condition must hold. */
export interface AutoApproveRule {
  name: string;
  /** Users and groups the requester must belong to; absent = anyone who may ask. */
  requesterIn?: ApproverSet;
  /** Field id → the values it may hold; a multi-value field must hold only listed values. */
  fields: Readonly<Record<string, readonly string[]>>;
  /** The new account's email must be in one of these domains. */
  emailDomains?: readonly string[];
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

export async function mayAsk(
  rules: ProviderPolicy,
  directory: Pick<Directory, 'groupMembers'>,
  user: string,
  providerLabel: string,
): Promise<Verdict> {
  if (!rules.requesters || (await isIn(rules.requesters, directory, user))) return { ok: true };
  return { ok: false, why: `You are not among the people who may ask for ${providerLabel} accounts. Ask your IT team if you need one.` };
}

/** The providers (of `ids`) `user` may ask for accounts in, in the order given. */
export async function askable(
  policy: AccessPolicy,
  directory: Pick<Directory, 'groupMembers'>,
  user: string,
  ids: readonly string[],
): Promise<string[]> {
  const allowed: string[] = [];
  for (const id of ids) {
    const { requesters } = policyFor(policy, id);
    if (!requesters || (await isIn(requesters, directory, user))) allowed.push(id);
  }
  return allowed;
}

/** What the rules look at in a request: who asks, the submitted fields, the new account's email. */
export interface RuleInput {
  requester: string;
  fields: Readonly<Record<string, string | readonly string[] | undefined>>;
  email?: string;
}

const domainOf = (email: string | undefined) => {
  const at = email?.lastIndexOf('@') ?? -1;
  return at > 0 ? email!.slice(at + 1).toLowerCase() : undefined;
};

/** Why `rule` does not hold for `input`, or undefined when every condition holds. */
export async function ruleMismatch(
  rule: AutoApproveRule,
  directory: Pick<Directory, 'groupMembers'>,
  input: RuleInput,
): Promise<string | undefined> {
  for (const [field, allowed] of Object.entries(rule.fields)) {
    const value = input.fields[field];
    const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
    if (values.length === 0) return `${field} is empty`;
    const outside = values.find((one) => !allowed.includes(one));
    if (outside !== undefined) return `${field} is ${outside}, not one of ${allowed.join(', ')}`;
  }
  if (rule.emailDomains) {
    const domain = domainOf(input.email);
    if (!domain || !rule.emailDomains.includes(domain)) {
      return `the email's domain is ${domain ?? 'missing'}, not ${rule.emailDomains.join(' or ')}`;
    }
  }
  if (rule.requesterIn && !(await isIn(rule.requesterIn, directory, input.requester))) {
    return 'the requester is not in the rule\'s users or groups';
  }
  return undefined;
}

/** When a request created at `createdAt` escalates, if its provider's policy escalates at all. */
export function escalationDueAt(rules: ProviderPolicy, createdAt: string): number | undefined {
  return rules.escalate ? Date.parse(createdAt) + rules.escalate.afterMs : undefined;
}

/** What submitting such a request would do: refused, approved by a rule, or waiting for people. */
export type Admission =
  | { kind: 'refused'; why: string }
  | { kind: 'auto'; rule: AutoApproveRule }
  | { kind: 'approval'; misses: readonly { rule: string; why: string }[] };

export async function admit(
  rules: ProviderPolicy,
  directory: Pick<Directory, 'groupMembers'>,
  input: RuleInput,
  providerLabel: string,
): Promise<Admission> {
  const asking = await mayAsk(rules, directory, input.requester, providerLabel);
  if (!asking.ok) return { kind: 'refused', why: asking.why };
  const misses: { rule: string; why: string }[] = [];
  for (const rule of rules.autoApprove) {
    const why = await ruleMismatch(rule, directory, input);
    if (why === undefined) return { kind: 'auto', rule };
    misses.push({ rule: rule.name, why });
  }
  return { kind: 'approval', misses };
}
