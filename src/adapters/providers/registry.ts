import { checkcentral } from './checkcentral/index.js';
import { digicert } from './digicert/index.js';
import { github } from './github/index.js';
import { google } from './google/index.js';
import { okta } from './okta/index.js';
import { smscentral } from './smscentral/index.js';
import type { AnyProvider } from './types.js';

/** Every provider the bot offers, in the order the modal lists them. One line per provider. */
export const providers: readonly AnyProvider[] = [checkcentral, smscentral, digicert, okta, google, github];

export function findProvider(id: string): AnyProvider | undefined {
  const wanted = id.trim().toLowerCase();
  return providers.find((provider) => provider.id === wanted);
}
