import { domainToASCII } from 'node:url';
import { type AccessPolicy, type AutoApproveRule, type Directory, isIn, policyFor, type ProviderPolicy, type Verdict } from './model.js';

/* Who may ask, and what the rules decide of a request when it is filed (SPEC §8), judged on what the provider will receive. */

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

/**
 * What the rules look at in a request: who asks, the submitted fields (privilege-bearing ones as
 * the provider receives them) and every address the provider receives, never a login that only
 * looks like one.
 */
export interface RuleInput {
  requester: string;
  fields: Readonly<Record<string, string | readonly string[] | undefined>>;
  recipients: readonly string[];
}

/**
 * A domain as rules compare it: lower case, IDNA (`xn--`) form, no trailing dot; undefined when
 * it is not a domain at all. Compared whole, never by suffix.
 */
export function normalDomain(domain: string): string | undefined {
  const ascii = domainToASCII(domain.trim().toLowerCase().replace(/\.$/, ''));
  return ascii.includes('.') ? ascii : undefined;
}

const domainOf = (address: string) => {
  const at = address.lastIndexOf('@');
  return at > 0 ? normalDomain(address.slice(at + 1)) : undefined;
};

const valuesOf = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);

/** The values of `fields` the policy marks as privileged, field by field. */
export function privilegedIn(rules: ProviderPolicy, fields: RuleInput['fields']): { field: string; value: string }[] {
  const marked = rules.privileged?.values ?? {};
  return Object.entries(marked).flatMap(([field, values]) => valuesOf(fields[field]).filter((value) => values.includes(value)).map((value) => ({ field, value })));
}

/** Why `rule` does not hold for `input`, or undefined when every condition holds. */
export async function ruleMismatch(
  rule: AutoApproveRule,
  directory: Pick<Directory, 'groupMembers'>,
  input: RuleInput,
): Promise<string | undefined> {
  for (const [field, allowed] of Object.entries(rule.fields)) {
    const values = valuesOf(input.fields[field]);
    if (values.length === 0) return `${field} is empty`;
    const outside = values.find((one) => !allowed.includes(one));
    if (outside !== undefined) return `${field} is ${outside}, not one of ${allowed.join(', ')}`;
  }
  if (rule.emailDomains) {
    if (input.recipients.length === 0) return 'the account has no email address to judge';
    for (const address of input.recipients) {
      const domain = domainOf(address);
      if (!domain || !rule.emailDomains.includes(domain)) return `${address} is not at ${rule.emailDomains.join(' or ')}`;
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
  // A privileged value always waits for people, whatever a rule says.
  const privileged = privilegedIn(rules, input.fields).map(({ field, value }) => `${field} ${value}`);
  if (privileged.length > 0) return { kind: 'approval', misses: rules.autoApprove.map((rule) => ({ rule: rule.name, why: `${privileged.join(', ')} is privileged: people approve it` })) };
  for (const rule of rules.autoApprove) {
    const why = await ruleMismatch(rule, directory, input);
    if (why === undefined) return { kind: 'auto', rule };
    misses.push({ rule: rule.name, why });
  }
  return { kind: 'approval', misses };
}
