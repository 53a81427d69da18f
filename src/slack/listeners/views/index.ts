import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { registerCsvSubmit } from './csv-submit.js';
import { registerRejectSubmit } from './reject-submit.js';
import { registerRequestSubmit } from './request-submit.js';

export function register(app: App, deps: SlackDeps): void {
  registerRequestSubmit(app, deps);
  registerCsvSubmit(app, deps);
  registerRejectSubmit(app, deps);
}
