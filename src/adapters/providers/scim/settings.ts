import type { Secret } from '../../../config/secret.js';
import type { ProviderSettings } from '../types.js';
import type { ScimVariables } from './env.js';

export interface ScimSettings extends ProviderSettings {
  token?: Secret;
}

/** Without a token the instance stays in dry run: its URL alone is what names it. */
export function settingsFor(variables: ScimVariables) {
  return (env: Readonly<Record<string, unknown>>): ScimSettings => {
    const token = env[variables.token] as Secret | undefined;
    return { baseUrl: String(env[variables.url]).replace(/\/+$/, ''), configured: token !== undefined, token };
  };
}
