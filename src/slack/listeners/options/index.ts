import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { registerLookups } from './lookups.js';

export function register(app: App, deps: SlackDeps): void {
  registerLookups(app, deps);
}
