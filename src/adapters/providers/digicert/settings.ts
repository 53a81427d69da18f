import type { Secret } from '../../../config/secret.js';
import type { ProviderSettings } from '../types.js';

export interface DigiCertSettings extends ProviderSettings {
  apiKey?: Secret;
}

export function settings(env: { DIGICERT_API_KEY?: Secret; DIGICERT_BASE_URL: string }): DigiCertSettings {
  return {
    baseUrl: env.DIGICERT_BASE_URL.replace(/\/+$/, ''),
    configured: env.DIGICERT_API_KEY !== undefined,
    apiKey: env.DIGICERT_API_KEY,
  };
}
