import { type Config, envSchema } from './schema.js';
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
  const parsed = envSchema.safeParse(values);
  // Checked here rather than in the schema so it is reported with every other problem at once.
  const transport =
    values.SLACK_APP_TOKEN || values.SLACK_SIGNING_SECRET
      ? []
      : [{ path: ['SLACK_SIGNING_SECRET'], message: 'SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN to run in Socket Mode instead)' }];
  if (parsed.success && transport.length === 0) return { ok: true, config: parsed.data };
  const issues = [...(parsed.success ? [] : parsed.error.issues), ...transport];
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

