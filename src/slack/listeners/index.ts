import type { App } from '@slack/bolt';
import type { SlackDeps } from './deps.js';
import * as actions from './actions/index.js';
import * as commands from './commands/index.js';
import * as events from './events/index.js';
import * as functions from './functions/index.js';
import * as options from './options/index.js';
import * as views from './views/index.js';

/** Each surface registers its own listeners, as in Slack's Bolt templates. */
export function registerListeners(app: App, deps: SlackDeps): void {
  app.use(async ({ body, next }) => {
    const payload = body as { type?: string; command?: string };
    deps.metrics.slackRequest(payload.command ? 'command' : (payload.type ?? 'unknown'));
    await next();
  });
  commands.register(app, deps);
  views.register(app, deps);
  actions.register(app, deps);
  options.register(app, deps);
  events.register(app, deps);
  functions.register(app, deps);
}
