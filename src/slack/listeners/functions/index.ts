import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { registerCreateAccount } from './create-account.js';

export function register(app: App, deps: SlackDeps): void {
  registerCreateAccount(app, deps);
}
