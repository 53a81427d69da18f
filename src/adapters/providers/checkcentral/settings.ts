import type { Secret } from '../../../config/secret.js';
import type { ProviderSettings } from '../types.js';

export interface CheckCentralSettings extends ProviderSettings {
  apiToken?: Secret;
}

export function settings(env: { CHECKCENTRAL_API_TOKEN?: Secret; CHECKCENTRAL_BASE_URL: string }): CheckCentralSettings {
  return {
    baseUrl: env.CHECKCENTRAL_BASE_URL.replace(/\/+$/, ''),
    configured: env.CHECKCENTRAL_API_TOKEN !== undefined,
    apiToken: env.CHECKCENTRAL_API_TOKEN,
  };
}
