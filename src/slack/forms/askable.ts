import type { AnyProvider } from '../../adapters/providers/types.js';
import { askable } from '../../domain/policy/admission.js';
import type { SlackDeps } from '../listeners/deps.js';

/** Past this the modal opens with every provider: the trigger_id lasts 3 s, and submit checks again. */
const BUDGET_MS = 1_000;

/**
 * The providers this person may ask for, for the modal's choices. Group lookups are cached,
 * but a slow Slack must not cost the person their modal; the submit refuses what they may not ask.
 */
export async function providersFor(deps: Pick<SlackDeps, 'policy' | 'directory' | 'providers' | 'log'>, user: string): Promise<readonly AnyProvider[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, BUDGET_MS, undefined)));
  const allowed = await Promise.race([
    askable(deps.policy(), deps.directory, user, deps.providers.map((provider) => provider.id)).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'could not check who may ask; offering every provider');
      return undefined;
    }),
    late,
  ]).finally(() => clearTimeout(timer));
  return allowed ? deps.providers.filter((provider) => allowed.includes(provider.id)) : deps.providers;
}
