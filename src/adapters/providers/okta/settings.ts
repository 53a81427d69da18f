import type { Secret } from '../../../config/secret.js';
import type { ProviderSettings } from '../types.js';

export interface OktaSettings extends ProviderSettings {
  apiToken?: Secret;
}

export function settings(env: { OKTA_ORG_URL?: string; OKTA_API_TOKEN?: Secret }): OktaSettings {
  return {
    // Okta's own placeholder, so a dry run without an org still shows the request's shape.
    baseUrl: (env.OKTA_ORG_URL ?? 'https://{yourOktaDomain}').replace(/\/+$/, ''),
    configured: env.OKTA_ORG_URL !== undefined && env.OKTA_API_TOKEN !== undefined,
    apiToken: env.OKTA_API_TOKEN,
  };
}
