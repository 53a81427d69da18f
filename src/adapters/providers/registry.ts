import { checkcentral } from './checkcentral/index.js';
import { digicert } from './digicert/index.js';
import { github } from './github/index.js';
import { google } from './google/index.js';
import { okta } from './okta/index.js';
import { type InstanceProblem, scimInstances } from './scim/instances.js';
import { smscentral } from './smscentral/index.js';
import type { AnyProvider } from './types.js';

/** Every built-in provider, in the order the modal lists them. One line per provider. */
export const providers: readonly AnyProvider[] = [checkcentral, smscentral, digicert, okta, google, github];

/** Words `/adduser` reads in place of a provider id (`/adduser help`): no provider may be called so. */
const COMMAND_WORDS = ['help', 'status', 'audit', 'csv'];

/**
 * The providers an environment offers: the built-ins, then one per SCIM 2.0 service it names
 * (SPEC §12), built once from the variables; or what is wrong with those names.
 */
export function providersIn(env: Readonly<Record<string, string | undefined>>): { providers: readonly AnyProvider[]; problems: InstanceProblem[] } {
  const scim = scimInstances(env, [...providers.map((provider) => provider.id), ...COMMAND_WORDS]);
  return { providers: [...providers, ...scim.instances], problems: scim.problems };
}

export function findProvider(id: string, among: readonly AnyProvider[] = providers): AnyProvider | undefined {
  const wanted = id.trim().toLowerCase();
  return among.find((provider) => provider.id === wanted);
}
