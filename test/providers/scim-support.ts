import type { HttpClient } from '../../src/adapters/http/types.js';
import { createDiscovery } from '../../src/adapters/providers/discovery.js';
import { scimInstance } from '../../src/adapters/providers/scim/index.js';
import type { ScimSettings } from '../../src/adapters/providers/scim/settings.js';
import type { AnyProvider } from '../../src/adapters/providers/types.js';
import { Secret } from '../../src/config/secret.js';
import type { CapturedLogs } from '../support/logs.js';

/** An instance named `name`, as SCIM_<NAME>_URL would make it (its URL is given per call, as settings). */
export const instance = (name = 'ACME', env: Record<string, string> = {}) => scimInstance(name, { [`SCIM_${name}_URL`]: 'http://127.0.0.1:9', ...env });

export const settingsOf = (provider: AnyProvider, baseUrl: string, token?: string): ScimSettings =>
  provider.settings({ [`SCIM_${provider.id.toUpperCase()}_URL`]: baseUrl, [`SCIM_${provider.id.toUpperCase()}_TOKEN`]: token === undefined ? undefined : new Secret(token) }) as ScimSettings;

/** Asks the service for its form, as the bot does at start-up; the status it ends in. */
export async function discover(provider: AnyProvider, settings: ScimSettings, http: HttpClient, logs: CapturedLogs, timeoutMs?: number) {
  const discovery = createDiscovery({ http, log: logs.log, providers: [provider], settingsOf: () => settings, timeoutMs });
  await discovery.refresh();
  return discovery.status()[0]!;
}

let counter = 0;
/** Form values for a new person each call. */
export const person = (changes: Record<string, string | string[]> = {}) => {
  counter += 1;
  return {
    'name.givenName': 'Isaac',
    'name.familyName': 'Brock',
    'emails[primary]': `isaac.brock${counter}@example.com`,
    ...changes,
  };
};

export const parse = (provider: AnyProvider, values: Record<string, string | string[]>) => provider.input.parse(provider.fromForm(values));
