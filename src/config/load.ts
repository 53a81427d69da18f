import { providersIn } from '../adapters/providers/registry.js';
import type { AnyProvider } from '../adapters/providers/types.js';
import { readPolicyFile } from './policy-file.js';
import { type Config, envSchema, policyVariableNames } from './schema.js';
import { Secret } from './secret.js';

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

/** Blank values (a copied .env.example) mean "not set", so defaults apply. */
function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== ''),
  );
}

/**
 * Reads SPEC §2's configuration. On failure, one message lists every problem by variable
 * name and points at .env.example; it never echoes a value, since values may be secrets.
 */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const values = withoutBlanks(env);
  const registry = providersIn(values);
  const parsed = envSchema(registry.providers).safeParse(values);
  // Checked here rather than in the schema so it is reported with every other problem at once.
  const transport =
    values.SLACK_APP_TOKEN || values.SLACK_SIGNING_SECRET
      ? []
      : [{ path: ['SLACK_SIGNING_SECRET'], message: 'SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN to run in Socket Mode instead)' }];
  const { policy, issues: policyIssues } = policyFile(values, registry.providers);
  const instances = registry.problems.map((problem) => ({ path: [problem.variable], message: problem.message }));
  if (parsed.success && transport.length === 0 && policyIssues.length === 0 && instances.length === 0) {
    return { ok: true, config: policy ? { ...parsed.data, policy } : parsed.data };
  }
  const issues = [...(parsed.success ? [] : parsed.error.issues), ...transport, ...instances, ...policyIssues];
  const problems = issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || 'configuration';
    return issue.message.includes(variable) ? `  - ${issue.message}` : `  - ${variable}: ${issue.message}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return {
    ok: false,
    message: [
      `adduser-bot cannot start: the configuration has ${count}:`,
      ...problems,
      'Set these in the environment or in a .env file; .env.example lists every variable with what it means.',
    ].join('\n'),
  };
}

/** SPEC §8: the file replaces the policy variables; both at once is ambiguous, so it is refused. */
function policyFile(values: Record<string, string>, providers: readonly AnyProvider[]) {
  const path = values.ADDUSER_POLICY_FILE?.trim();
  if (!path) return { policy: undefined, issues: [] };
  const clash = policyVariableNames(providers).filter((name) => values[name] !== undefined);
  const issues: { path: string[]; message: string }[] = [];
  if (clash.length > 0) {
    issues.push({
      path: ['ADDUSER_POLICY_FILE'],
      message: `ADDUSER_POLICY_FILE replaces ${clash.join(', ')}: set the policy in the file or in the variables, not both`,
    });
  }
  const read = readPolicyFile(path, providers);
  if (!read.ok) {
    for (const problem of read.problems) {
      issues.push({
        path: ['ADDUSER_POLICY_FILE'],
        message: `ADDUSER_POLICY_FILE ${path}${problem.line ? ` line ${problem.line}` : ''}, ${problem.key}: ${problem.message}`,
      });
    }
  }
  return { policy: read.ok ? read.policy : undefined, issues };
}

/** Every configured secret value, so the logger can mask them wherever they turn up. */
export function secretValues(config: Config): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (value instanceof Secret) found.push(value.reveal());
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(config);
  return found;
}

