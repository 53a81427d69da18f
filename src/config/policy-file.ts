import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { z } from 'zod';
import { findProvider, providers as builtIn } from '../adapters/providers/registry.js';
import { type AnyProvider, type FieldSpec, policyFields } from '../adapters/providers/types.js';
import { type AccessPolicy, type ProviderPolicy } from '../domain/policy/model.js';
import { normalDomain, privilegedIn } from '../domain/policy/admission.js';
import type { ApproverSet } from '../domain/policy/model.js';
import { parseDuration } from './duration.js';

/** One problem in a policy file, where a person can find it. */
export interface PolicyProblem {
  line?: number;
  key: string;
  message: string;
}

export type PolicyFileResult = { ok: true; policy: AccessPolicy } | { ok: false; problems: PolicyProblem[] };

// The YAML parser is loaded when a policy file is read, not at every start: most installs have none.
const require = createRequire(import.meta.url);
const yaml = (): typeof Yaml => require('yaml') as typeof Yaml;

const USER = /^[UW][A-Z0-9]{2,}$/;
const GROUP = /^S[A-Z0-9]{2,}$/;

const people = (what: string) =>
  z
    .array(
      z.string().refine((id) => USER.test(id) || GROUP.test(id), {
        error: (issue) => `${JSON.stringify(issue.input)} is not a user id (U…/W…) or a user-group id (S…)`,
      }),
      { error: `${what} must be a list of user ids (U…/W…) and user-group ids (S…)` },
    )
    .transform((ids): ApproverSet => ({ users: ids.filter((id) => !GROUP.test(id)), groups: ids.filter((id) => GROUP.test(id)) }));

const duration = z.string({ error: 'must be a duration like 8h, 30m or 3d' }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a duration like 8h, 30m or 3d` });
  return ms ?? 0;
});

const APPROVALS = { error: 'must be a whole number from 1 to 10' };

const commonShape = {
  requests_channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, { error: 'must be a channel id like C0123456789 (not a #name)' }).optional(),
  approvers: people('approvers').optional(),
  required_approvals: z.number(APPROVALS).int(APPROVALS).min(1, APPROVALS).max(10, APPROVALS).optional(),
  ttl: duration.optional(),
  // An empty list would read as "everyone" to some and "nobody" to others: a typo must never loosen the policy.
  requesters: people('requesters')
    .refine((set) => set.users.length + set.groups.length > 0, { error: 'names nobody: list who may ask, or leave the key out for everyone' })
    .optional(),
  escalate: z.strictObject({ after: duration, to: people('escalate.to').refine((set) => set.users.length + set.groups.length > 0, { error: 'names nobody' }) }).optional(),
};

/** Values a field accepts in a rule or a preset: its documented choices when it has them. */
const fieldValue = (field: FieldSpec) => {
  const choices = field.options?.map((option) => option.value);
  const noWildcard = z.string().refine((value) => value !== '*', { error: 'wildcards are not allowed: list the values themselves' });
  return choices?.length ? noWildcard.pipe(z.enum(choices as [string, ...string[]], { error: `must be one of: ${choices.join(', ')}` })) : noWildcard;
};

const MANY_VALUES: readonly FieldSpec['kind'][] = ['multi_select', 'checkboxes'];

const ruleFields = (provider: AnyProvider) =>
  z.strictObject(
    Object.fromEntries(
      policyFields(provider).filter((field) => field.kind !== 'password').map((field) => [field.id, z.array(fieldValue(field)).min(1).optional()]),
    ),
  );

const presetFields = (provider: AnyProvider) =>
  z.strictObject(
    Object.fromEntries(
      policyFields(provider)
        .filter((field) => field.kind !== 'password')
        .map((field) => [field.id, (MANY_VALUES.includes(field.kind) ? z.array(fieldValue(field)) : fieldValue(field)).optional()]),
    ),
  );

/** A domain as rules compare it (lower case, IDNA `xn--` form); anything else is not a domain. */
const domain = z.string().transform((text, ctx) => {
  const normal = normalDomain(text);
  if (!normal || !/^[a-z0-9.-]+\.[a-z0-9-]{2,}$/.test(normal)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a domain like example.com` });
  return normal ?? '';
});

/** SPEC §8: the values of a provider's privilege-bearing fields that need more than an ordinary request. */
const privilegedSection = (provider: AnyProvider) =>
  z.strictObject({
    values: z
      .strictObject(Object.fromEntries(policyFields(provider).filter((field) => provider.privilegeFields.includes(field.id)).map((field) => [field.id, z.array(fieldValue(field)).min(1).optional()])))
      .refine((values) => Object.values(values).some(Boolean), { error: 'name at least one field and its privileged values' }),
    required_approvals: z.number(APPROVALS).int(APPROVALS).min(1, APPROVALS).max(10, APPROVALS).optional(),
    in_bulk: z.enum(['allow', 'refuse'], { error: 'must be allow or refuse' }).default('allow'),
  });

const providerSection = (provider: AnyProvider) =>
  z.strictObject({
    ...commonShape,
    privileged: privilegedSection(provider).optional(),
    auto_approve: z
      .array(
        z.strictObject({
          name: z.string().trim().min(1, { error: 'a rule needs a name (it is shown in the thread and the audit record)' }),
          requester_in: people('requester_in').optional(),
          fields: ruleFields(provider).refine((fields) => Object.values(fields).some(Boolean), {
            error: 'a rule must name at least one field and the values it approves',
          }),
          email_domain: z.array(domain).min(1).optional(),
        }),
      )
      .optional(),
  });

const fileSchema = (providers: readonly AnyProvider[]) => z.strictObject({
  version: z.literal(1, { error: 'must be 1' }),
  defaults: z.strictObject(commonShape).optional(),
  providers: z.strictObject(Object.fromEntries(providers.map((provider) => [provider.id, providerSection(provider).optional()]))).optional(),
  presets: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'a preset name is lower-case letters, digits and dashes (it is typed after /adduser)' }),
      z.strictObject({
        label: z.string().trim().min(1),
        accounts: z
          .strictObject(Object.fromEntries(providers.map((provider) => [provider.id, presetFields(provider).optional()])))
          .refine((accounts) => Object.values(accounts).some(Boolean), { error: 'a preset needs at least one account' }),
      }),
    )
    .optional(),
});

type FileShape = z.output<ReturnType<typeof fileSchema>>;
type SectionShape = Partial<z.output<ReturnType<typeof providerSection>>>;

const DEFAULT_TTL_MS = 72 * 3_600_000;

const defined = <T>(record: Readonly<Record<string, T | undefined>>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).filter((entry): entry is [string, T] => entry[1] !== undefined));

/** A preset's accounts in the order the file lists them (the schema's output follows the providers' order). */
function inFileOrder<T>(accounts: Readonly<Record<string, T>>, raw: unknown): Record<string, T> {
  const listed = raw !== null && typeof raw === 'object' ? Object.keys(raw) : [];
  const ids = [...listed.filter((id) => Object.hasOwn(accounts, id)), ...Object.keys(accounts).filter((id) => !listed.includes(id))];
  return Object.fromEntries(ids.map((id) => [id, accounts[id]!]));
}

function resolve(file: FileShape, hash: string, providers: readonly AnyProvider[], raw: { presets?: Record<string, { accounts?: unknown }> } = {}): AccessPolicy {
  const base: SectionShape = file.defaults ?? {};
  const merge = (own: SectionShape): ProviderPolicy => {
    const escalate = own.escalate ?? base.escalate;
    const requiredApprovals = own.required_approvals ?? base.required_approvals ?? 1;
    return {
      requestsChannel: own.requests_channel ?? base.requests_channel,
      approvers: own.approvers ?? base.approvers,
      requiredApprovals,
      ttlMs: own.ttl ?? base.ttl ?? DEFAULT_TTL_MS,
      requesters: own.requesters ?? base.requesters,
      autoApprove: (own.auto_approve ?? []).map((rule) => ({
        name: rule.name,
        requesterIn: rule.requester_in,
        fields: defined(rule.fields),
        emailDomains: rule.email_domain,
      })),
      escalate: escalate && { afterMs: escalate.after, to: escalate.to },
      // Unsaid, a privileged value needs one approval more than the provider's requests.
      privileged: own.privileged && {
        values: defined(own.privileged.values),
        requiredApprovals: own.privileged.required_approvals ?? Math.min(10, requiredApprovals + 1),
        inBulk: own.privileged.in_bulk,
      },
    };
  };
  const sections: Record<string, SectionShape | undefined> = file.providers ?? {};
  return {
    source: 'file',
    hash,
    defaults: merge({}),
    providers: Object.fromEntries(providers.map((provider) => [provider.id, merge(sections[provider.id] ?? {})])),
    presets: Object.fromEntries(
      Object.entries(file.presets ?? {}).map(([name, preset]) => [
        name,
        {
          label: preset.label,
          accounts: inFileOrder(Object.fromEntries(Object.entries(defined(preset.accounts)).map(([id, fields]) => [id, defined(fields)])), raw.presets?.[name]?.accounts),
        },
      ]),
    ),
  };
}

/** Problems the schema cannot see alone: numbers that can never be met, an escalation after expiry, a preset that cannot be filled. */
function coherence(policy: AccessPolicy, providers: readonly AnyProvider[]): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const [id, rules] of Object.entries(policy.providers)) {
    const approvers = rules.approvers;
    for (const [key, needed] of [['required_approvals', rules.requiredApprovals], ['privileged.required_approvals', rules.privileged?.requiredApprovals ?? 0]] as const) {
      if (approvers && approvers.groups.length === 0 && approvers.users.length < needed) {
        problems.push({
          key: `providers.${id}.${key}`,
          message: `${id} needs ${needed} approvals but only ${approvers.users.length} approver${approvers.users.length === 1 ? '' : 's'} can give them`,
        });
      }
    }
    if (rules.escalate && rules.escalate.afterMs >= rules.ttlMs) {
      problems.push({ key: `providers.${id}.escalate.after`, message: `${id} escalates after its requests have already expired (ttl)` });
    }
    // A rule that names a privileged value could never approve it: say so rather than let it look like it does.
    rules.autoApprove.forEach((rule, index) => {
      const marked = privilegedIn(rules, rule.fields).map(({ field, value }) => `${field} ${value}`);
      if (marked.length > 0) {
        problems.push({ key: `providers.${id}.auto_approve.${index}.fields`, message: `rule "${rule.name}" approves ${marked.join(', ')}, which privileged marks: privileged values always wait for people` });
      }
    });
  }
  // A preset's form asks only the person's details: every other field an account needs, the preset must give.
  const person = { email: 'someone@example.com', first_name: 'Some', last_name: 'One', username: 'someone' };
  for (const [name, preset] of Object.entries(policy.presets)) {
    for (const [id, values] of Object.entries(preset.accounts)) {
      const provider = findProvider(id, providers);
      if (!provider) continue;
      const fromPerson = Object.keys(provider.fromPerson(person));
      const missing = policyFields(provider).filter((field) => !field.optional && !field.generateIfBlank && values[field.id] === undefined && !fromPerson.includes(field.id));
      if (missing.length > 0) {
        problems.push({
          key: `presets.${name}.accounts.${id}`,
          message: `${provider.label} needs ${missing.map((field) => `${field.id} (${field.label})`).join(', ')}, which no person detail gives: set ${missing.length === 1 ? 'it' : 'them'} in the preset`,
        });
      }
    }
  }
  return problems;
}

/** The line of the node at `path`, or of the nearest parent that exists (an unknown key: the key itself). */
function lineOf(doc: Yaml.Document.Parsed, counter: Yaml.LineCounter, path: readonly PropertyKey[], unknownKey?: string): number | undefined {
  const { isMap, isScalar } = yaml();
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    if (!node || typeof node !== 'object') continue;
    if (unknownKey !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === unknownKey);
      const start = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (start !== undefined) return counter.linePos(start).line;
    }
    const range = (node as { range?: [number, number, number] }).range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}

const keyOf = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(file)';

/** Reads and validates a policy file for these providers: the policy, or every problem with its line and key. */
export function parsePolicy(text: string, providers: readonly AnyProvider[] = builtIn): PolicyFileResult {
  const { LineCounter, parseDocument } = yaml();
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        line: error.linePos?.[0].line ?? (error.pos ? counter.linePos(error.pos[0]).line : undefined),
        key: '(yaml)',
        message: error.message.split('\n')[0]!,
      })),
    };
  }
  const raw: unknown = doc.toJS();
  const parsed = fileSchema(providers).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue): PolicyProblem[] => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          line: lineOf(doc, counter, issue.path, key),
          key: keyOf([...issue.path, key]),
          message: unknownKeyMessage(issue.path, key, providers),
        }));
      }
      // A bad map key is found by the key itself, not by the value under it.
      const line = issue.code === 'invalid_key' ? lineOf(doc, counter, issue.path.slice(0, -1), String(issue.path.at(-1))) : lineOf(doc, counter, issue.path);
      return [{ line, key: keyOf(issue.path), message: issue.message }];
    });
    return { ok: false, problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
  }
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const policy = resolve(parsed.data, hash, providers, raw as Parameters<typeof resolve>[3]);
  const problems = coherence(policy, providers).map((problem) => ({ ...problem, line: lineOf(doc, counter, problem.key.split('.')) }));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy };
}

function unknownKeyMessage(path: readonly PropertyKey[], key: string, providers: readonly AnyProvider[]): string {
  const parent = path.at(-1);
  if ((path.length === 1 && parent === 'providers') || parent === 'accounts') {
    return `unknown provider ${JSON.stringify(key)}; the providers are ${providers.map((provider) => provider.id).join(', ')}`;
  }
  const provider = providers.find((one) => path.includes(one.id));
  if (provider && (parent === 'fields' || path.at(-2) === 'accounts')) {
    const ids = policyFields(provider).filter((field) => field.kind !== 'password').map((field) => field.id);
    return `unknown field ${JSON.stringify(key)} for ${provider.id}; its fields are ${ids.join(', ')}`;
  }
  return `unknown key ${JSON.stringify(key)} (a typo must not silently loosen the policy)`;
}

export function readPolicyFile(path: string, providers: readonly AnyProvider[] = builtIn): PolicyFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read';
    return { ok: false, problems: [{ key: '(file)', message: `${path}: ${why}` }] };
  }
  return parsePolicy(text, providers);
}

export function formatProblems(path: string, problems: readonly PolicyProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [
    `The policy file ${path} has ${count}:`,
    ...problems.map((problem) => `  - ${problem.line ? `line ${problem.line}, ` : ''}${problem.key}: ${problem.message}`),
  ].join('\n');
}
