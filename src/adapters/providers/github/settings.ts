import type { Secret } from '../../../config/secret.js';
import type { ProviderSettings } from '../types.js';

export interface GitHubSettings extends ProviderSettings {
  token?: Secret;
  org?: string;
}

/** Both the token and the organisation are needed: without either, the provider stays in dry run. */
export function settings(env: { GITHUB_TOKEN?: Secret; GITHUB_ORG?: string; GITHUB_API_URL: string }): GitHubSettings {
  return {
    baseUrl: env.GITHUB_API_URL.replace(/\/+$/, ''),
    configured: env.GITHUB_TOKEN !== undefined && Boolean(env.GITHUB_ORG),
    token: env.GITHUB_TOKEN,
    org: env.GITHUB_ORG,
  };
}
