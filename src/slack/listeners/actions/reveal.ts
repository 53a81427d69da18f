import type { App } from '@slack/bolt';
import { IDS } from '../../blocks/ids.js';
import { revealModal } from '../../blocks/modal.js';
import { md } from '../../blocks/text.js';
import type { SlackDeps } from '../deps.js';
import { payloadOf } from '../../inbound/payloads/index.js';
import { tellPrivately } from '../reply/tell.js';
import { clickOf } from './click.js';

/**
 * Show the password: only the requester, only once. The secret is forgotten only after the
 * modal opened, so a click whose modal Slack refused (an expired trigger) can be repeated.
 */
export function registerReveal(app: App, deps: SlackDeps): void {
  app.action(IDS.reveal, async ({ ack, client, context }) => {
    await ack();
    const click = payloadOf(context, 'dialogAction');
    const { id, user, where } = clickOf(click);
    const request = await deps.requests.get(id);
    if (!request || request.requester !== user) {
      await tellPrivately(client, where, md`Only the person who asked for this account can see its password.`);
      return;
    }
    const shown = await deps.lifecycle.peekRevealed(id);
    if (!shown) {
      await tellPrivately(client, where, md`The password was already shown once, and the bot no longer keeps it. Set a new one with the provider if it is lost.`);
      return;
    }
    await client.views.open({ trigger_id: click.trigger_id, view: revealModal(id, shown) });
    await deps.lifecycle.forgetRevealed(id);
  });
}
