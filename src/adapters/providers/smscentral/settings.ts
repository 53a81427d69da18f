import type { Secret } from '../../../config/secret.js';
import type { Choice, ProviderSettings } from '../types.js';

export interface SmsCentralSettings extends ProviderSettings {
  username?: string;
  password?: Secret;
  accounts?: Choice[];
}

export function settings(env: {
  SMSCENTRAL_USERNAME?: string;
  SMSCENTRAL_PASSWORD?: Secret;
  SMSCENTRAL_BASE_URL: string;
  SMSCENTRAL_ACCOUNTS?: Choice[];
}): SmsCentralSettings {
  return {
    baseUrl: env.SMSCENTRAL_BASE_URL.replace(/\/+$/, ''),
    configured: Boolean(env.SMSCENTRAL_USERNAME) && env.SMSCENTRAL_PASSWORD !== undefined,
    username: env.SMSCENTRAL_USERNAME,
    password: env.SMSCENTRAL_PASSWORD,
    accounts: env.SMSCENTRAL_ACCOUNTS,
  };
}
