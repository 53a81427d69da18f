import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { type Payload, payloadOf } from '../../inbound/payloads/index.js';

/** Whose App Home to publish: the person who opened its Home tab (its Messages and About tabs need nothing). */
export const homeViewer = (event: Payload<'homeOpenedEvent'>['event']): string | undefined => (event.tab === 'home' ? event.user : undefined);

export function register(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ context }) => {
    const viewer = homeViewer(payloadOf(context, 'homeOpenedEvent').event);
    if (viewer) await deps.home.opened(viewer);
  });
}
