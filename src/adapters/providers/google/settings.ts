import type { ProviderSettings } from '../types.js';
import type { ServiceAccount } from './schema.js';

export interface GoogleSettings extends ProviderSettings {
  account?: ServiceAccount;
  /** The admin the service account acts as (domain-wide delegation): the assertion's `sub`. */
  subject?: string;
}

export function settings(env: { GOOGLE_SERVICE_ACCOUNT_FILE?: ServiceAccount; GOOGLE_ADMIN_SUBJECT?: string; GOOGLE_API_URL: string }): GoogleSettings {
  return {
    baseUrl: env.GOOGLE_API_URL.replace(/\/+$/, ''),
    configured: env.GOOGLE_SERVICE_ACCOUNT_FILE !== undefined && env.GOOGLE_ADMIN_SUBJECT !== undefined,
    account: env.GOOGLE_SERVICE_ACCOUNT_FILE,
    subject: env.GOOGLE_ADMIN_SUBJECT,
  };
}
