import type { AnyProvider } from '../../adapters/providers/types.js';
import type { Config } from '../../config/schema.js';

/** Why a provider will not really be called, in words for the modal; undefined when it will be. */
export function dryRunNotice(config: Config, provider: AnyProvider): string | undefined {
  if (config.dryRun) return 'ADDUSER_DRY_RUN is on. Approving shows the exact request instead of sending it.';
  if (!config.providers[provider.id]?.configured) {
    return `${provider.label} credentials are not configured, so approving shows the exact request instead of sending it.`;
  }
  return undefined;
}
