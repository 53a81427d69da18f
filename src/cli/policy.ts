import { webApi } from '@slack/bolt';
import { findProvider, providersIn } from '../adapters/providers/registry.js';
import { policyFields } from '../adapters/providers/types.js';
import { formatProblems, readPolicyFile } from '../config/policy-file.js';
import { policyVariablesSchema } from '../config/schema.js';
import { serviceUrl } from '../config/url.js';
import { type AccessPolicy, policyFor } from '../domain/policy/model.js';
import { admit } from '../domain/policy/admission.js';
import { fail, out, readArgs } from './args.js';
import { describeForms } from './forms.js';
import { approversSentence, describePolicy, escalationSentence, idsOnly, type Names, privilegedWords } from './policy-words.js';

const USAGE = `Usage: npm run policy -- <command>
  check [FILE]
      Validates the policy file (FILE, else ADDUSER_POLICY_FILE; without either, the policy
      variables) and prints, per provider, who may ask, who approves, how many, rules and
      escalation; then each SCIM instance's fields (its CSV columns), as its service describes
      them. Exit 0 when valid, 1 with every problem by line and key.
  explain --provider P --requester U… [--field NAME=VALUE …] [--email ADDRESS …] [--file FILE]
      What would happen to such a request: refused, auto-approved by which rule, or who must
      approve and how many; which of its fields carry addresses a rule's email_domain judges
      (every one, with --email for each), and which of its values are privileged. With
      SLACK_BOT_TOKEN set, user groups are expanded and ids named.`;

const { positionals, values } = readArgs(
  {
    provider: { type: 'string' },
    requester: { type: 'string' },
    field: { type: 'string', multiple: true },
    email: { type: 'string', multiple: true },
    file: { type: 'string' },
  },
  USAGE,
);
const [command, fileArgument] = positionals;

const environment = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));
const registry = providersIn(environment);
if (registry.problems.length > 0) fail(`The SCIM instance variables have problems:\n${registry.problems.map((problem) => `  - ${problem.message}`).join('\n')}`, 1);
const providers = registry.providers;

function loadPolicy(path: string | undefined): AccessPolicy {
  if (path) {
    const read = readPolicyFile(path, providers);
    if (!read.ok) fail(formatProblems(path, read.problems), 1);
    return read.policy;
  }
  const parsed = policyVariablesSchema(providers).safeParse(environment);
  if (!parsed.success) fail(`The policy variables have problems:\n${parsed.error.issues.map((issue) => `  - ${issue.message}`).join('\n')}`, 1);
  return parsed.data;
}

/** Groups are expanded and ids named through Slack when a token is at hand; else groups count as empty, and we say so. */
function slackLookups() {
  const token = process.env.SLACK_BOT_TOKEN?.trim();
  const unexpanded = new Set<string>();
  if (!token) {
    return {
      names: idsOnly,
      directory: { groupMembers: async (group: string) => (unexpanded.add(group), [] as string[]) },
      unexpanded,
    };
  }
  const apiUrl = serviceUrl('SLACK_API_URL', 'https://slack.com/api/').safeParse(process.env.SLACK_API_URL || undefined);
  if (!apiUrl.success) fail(apiUrl.error.issues[0]!.message);
  const client = new webApi.WebClient(token, { slackApiUrl: apiUrl.data.endsWith('/') ? apiUrl.data : `${apiUrl.data}/`, retryConfig: { retries: 1 } });
  const handles = client.usergroups.list({}).then(
    (result) => new Map((result.usergroups ?? []).map((group) => [group.id ?? '', group.handle ?? ''])),
    () => new Map<string, string>(),
  );
  const names: Names = {
    user: async (id) => {
      const found = await client.users.info({ user: id }).catch(() => undefined);
      const name = found?.user?.profile?.display_name || found?.user?.real_name || found?.user?.name;
      return name ? `${name} (${id})` : id;
    },
    group: async (id) => {
      const handle = (await handles).get(id);
      return handle ? `@${handle} (${id})` : id;
    },
  };
  return {
    names,
    directory: { groupMembers: async (group: string) => (await client.usergroups.users.list({ usergroup: group })).users ?? [] },
    unexpanded,
  };
}

const policyPath = values.file ?? fileArgument ?? (process.env.ADDUSER_POLICY_FILE?.trim() || undefined);

switch (command) {
  case 'check': {
    const policy = loadPolicy(policyPath);
    const { names } = slackLookups();
    for (const line of await describePolicy(policy, providers, names)) out(line);
    for (const line of await describeForms(providers, environment)) out(line);
    break;
  }
  case 'explain': {
    const provider = values.provider ? findProvider(values.provider, providers) : undefined;
    if (!provider) fail(`--provider must be one of: ${providers.map((one) => one.id).join(', ')}\n${USAGE}`);
    const requester = values.requester?.trim() ?? '';
    if (!/^[UW][A-Z0-9]{2,}$/.test(requester)) fail(`--requester must be a user id (U…/W…)\n${USAGE}`);
    const fields: Record<string, string | string[]> = {};
    for (const pair of values.field ?? []) {
      const at = pair.indexOf('=');
      if (at <= 0) fail(`--field takes NAME=VALUE, not ${JSON.stringify(pair)}`);
      const name = pair.slice(0, at);
      const spec = policyFields(provider).find((field) => field.id === name);
      if (!spec) fail(`${provider.id} has no field ${JSON.stringify(name)}; its fields are ${policyFields(provider).map((field) => field.id).join(', ')}`);
      const value = pair.slice(at + 1);
      fields[name] = spec.kind === 'multi_select' || spec.kind === 'checkboxes' ? value.split(',').filter(Boolean) : value;
    }
    const policy = loadPolicy(policyPath);
    const rules = policyFor(policy, provider.id);
    const { names, directory, unexpanded } = slackLookups();
    // Addresses typed as fields count like the provider would receive them, with any given by --email.
    const recipients = [...(values.email ?? []), ...provider.mailFields.flatMap((id) => [fields[id] ?? []].flat().filter((value) => value.includes('@')))];
    const verdict = await admit(rules, directory, { requester, fields, recipients }, provider.label);
    const who = await names.user(requester);
    out(`A rule's email_domain judges every address ${provider.label} receives: ${provider.mailFields.join(', ')}${recipients.length > 0 ? ` (here: ${recipients.join(', ')})` : ' (none given: use --email or --field)'}.`);
    for (const line of privilegedWords(rules, fields)) out(line);
    if (verdict.kind === 'refused') out(`Refused: ${who} may not ask for ${provider.label} accounts (${verdict.why})`);
    else if (verdict.kind === 'auto') out(`Auto-approved by the rule "${verdict.rule.name}": the bot approves at submission, nobody has to.`);
    else {
      for (const miss of verdict.misses) out(`Rule "${miss.rule}" does not apply: ${miss.why}.`);
      out(`Waits for people. ${await approversSentence(rules, names)}`);
      const escalation = await escalationSentence(rules, names);
      if (escalation) out(escalation);
    }
    if (unexpanded.size > 0) {
      out(`Note: user groups ${[...unexpanded].join(', ')} were not expanded (set SLACK_BOT_TOKEN to check membership); they counted as empty.`);
    }
    break;
  }
  default:
    fail(`Unknown command ${JSON.stringify(command)}.\n${USAGE}`);
}
