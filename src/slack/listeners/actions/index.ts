import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { registerDecisions } from './decisions.js';
import { registerProviderSelect } from './provider-select.js';
import { registerReveal } from './reveal.js';

export function register(app: App, deps: SlackDeps): void {
  registerProviderSelect(app, deps);
  registerDecisions(app, deps);
  registerReveal(app, deps);
}
