import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { registerAdduser } from './adduser.js';

export function register(app: App, deps: SlackDeps): void {
  registerAdduser(app, deps);
}
