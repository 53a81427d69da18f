import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { payloadOf } from '../../inbound/payloads/index.js';

export function register(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ context }) => {
    const { event } = payloadOf(context, 'homeOpenedEvent');
    if (event.tab !== 'home') return;
    await deps.home.opened(event.user);
  });
}
