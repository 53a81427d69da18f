import { type AccessPolicy, type AutoApproveRule, policyFor, type ProviderPolicy } from '../domain/policy/model.js';
import { privilegedIn, type RuleInput } from '../domain/policy/admission.js';
import { formatDuration } from '../config/duration.js';
import type { ApproverSet } from '../domain/policy/model.js';

/** How ids read in sentences: just the ids offline, names too when Slack can be asked. */
export interface Names {
  user(id: string): Promise<string>;
  group(id: string): Promise<string>;
}

export const idsOnly: Names = { user: async (id) => id, group: async (id) => id };

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

async function people(set: ApproverSet, names: Names): Promise<string> {
  const groups = await Promise.all(set.groups.map(async (group) => `members of ${await names.group(group)}`));
  const all = [...(await Promise.all(set.users.map(names.user))), ...groups];
  return all.length <= 1 ? (all[0] ?? 'nobody') : `${all.slice(0, -1).join(', ')} or ${all.at(-1)}`;
}

async function ruleWords(rule: AutoApproveRule, names: Names): Promise<string> {
  const conditions = Object.entries(rule.fields).map(([field, values]) => `${field} is ${values.join(' or ')}`);
  if (rule.emailDomains) conditions.push(`every address the account receives is at ${rule.emailDomains.join(' or ')}`);
  if (rule.requesterIn) conditions.push(`the requester is among ${await people(rule.requesterIn, names)}`);
  return `"${rule.name}" approves by itself when ${conditions.join(', and ')}.`;
}

export const approversSentence = async (rules: ProviderPolicy, names: Names) =>
  `Who approves: ${rules.approvers ? await people(rules.approvers, names) : 'the workspace admins and owners'}; ${plural(rules.requiredApprovals, 'approval')} needed, never the requester's own.`;

export const escalationSentence = async (rules: ProviderPolicy, names: Names) =>
  rules.escalate && `Still pending after ${formatDuration(rules.escalate.afterMs)}: ${await people(rules.escalate.to, names)} may approve too, and are told.`;

/** What `privileged:` marks, in words. */
const privilegedSentence = (rules: ProviderPolicy) =>
  rules.privileged &&
  `Privileged: ${Object.entries(rules.privileged.values).map(([field, values]) => `${field} ${values.join(' or ')}`).join('; ')}: ${plural(Math.max(rules.requiredApprovals, rules.privileged.requiredApprovals), 'approval')}, never by a rule${rules.privileged.inBulk === 'refuse' ? ', never in a CSV or preset' : ''}.`;

/** The privileged values a request's fields hold, and what they need. */
export function privilegedWords(rules: ProviderPolicy, fields: RuleInput['fields']): string[] {
  const sentence = privilegedSentence(rules);
  if (!sentence) return ['No values are marked privileged for this provider.'];
  const held = privilegedIn(rules, fields);
  return [sentence, held.length > 0 ? `This request holds ${held.map(({ field, value }) => `${field} ${value}`).join(', ')}: it waits for people.` : 'This request holds no privileged value.'];
}

/** One provider's policy in sentences: who may ask, who approves and how many, rules, escalation. */
export async function describeProvider(label: string, rules: ProviderPolicy, names: Names = idsOnly): Promise<string[]> {
  const lines = [
    `${label}:`,
    `  Who may ask: ${rules.requesters ? await people(rules.requesters, names) : 'everyone in the workspace'}.`,
    `  ${await approversSentence(rules, names)}`,
    `  Requests are posted in ${rules.requestsChannel ?? 'the channel where /adduser was typed'} and expire after ${formatDuration(rules.ttlMs)}.`,
  ];
  for (const rule of rules.autoApprove) lines.push(`  Rule ${await ruleWords(rule, names)}`);
  const privileged = privilegedSentence(rules);
  if (privileged) lines.push(`  ${privileged}`);
  const escalation = await escalationSentence(rules, names);
  if (escalation) lines.push(`  ${escalation}`);
  return lines;
}

export async function describePolicy(policy: AccessPolicy, providers: readonly { id: string; label: string }[], names: Names = idsOnly) {
  const lines = [policy.source === 'file' ? `Policy file, version ${policy.hash}.` : 'Policy from the environment variables (no policy file).'];
  for (const provider of providers) lines.push(...(await describeProvider(provider.label, policyFor(policy, provider.id), names)));
  for (const [name, preset] of Object.entries(policy.presets)) {
    lines.push(`Preset ${name} ("${preset.label}"): ${Object.keys(preset.accounts).join(', ')}.`);
  }
  return lines;
}
