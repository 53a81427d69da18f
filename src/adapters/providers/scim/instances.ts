import type { AnyProvider } from '../types.js';
import { SCIM_VARIABLES } from './env.js';
import { scimInstance } from './index.js';

const VARIABLE = /^SCIM_([A-Z][A-Z0-9]*)_(URL|TOKEN|LABEL|RATE_LIMIT)$/;

export interface InstanceProblem {
  variable: string;
  message: string;
}

/**
 * The SCIM instances an environment names, one per `SCIM_<NAME>_URL`, in the order of their
 * names; and every variable that names none, or a name no provider may have (`taken`).
 */
export function scimInstances(env: Readonly<Record<string, string | undefined>>, taken: readonly string[]): { instances: AnyProvider[]; problems: InstanceProblem[] } {
  const problems: InstanceProblem[] = [];
  const names = new Set<string>();
  const keys = Object.keys(env).filter((key) => key.startsWith('SCIM_') && env[key]?.trim());
  for (const key of keys) {
    const match = VARIABLE.exec(key);
    if (!match) problems.push({ variable: key, message: `${key} is not a SCIM instance variable: they are ${SCIM_VARIABLES.join(', ')}, <NAME> being letters and digits` });
    else if (match[2] === 'URL') names.add(match[1]!);
  }
  for (const key of keys) {
    const name = VARIABLE.exec(key)?.[1];
    if (name && !names.has(name)) problems.push({ variable: key, message: `${key} is set but SCIM_${name}_URL is not, so it names no SCIM instance` });
  }
  const instances = [...names].sort().flatMap((name) => {
    const id = name.toLowerCase();
    if (!taken.includes(id)) return [scimInstance(name, env)];
    problems.push({ variable: `SCIM_${name}_URL`, message: `SCIM_${name}_URL: "${id}" is taken (built-in providers and /adduser's own words are ${taken.join(', ')}); give the instance another name` });
    return [];
  });
  return { instances, problems };
}
