import type { AllMiddlewareArgs, App } from '@slack/bolt';
import { isStoreUnavailable } from '../../../adapters/store/unavailable.js';
import { IDS } from '../../blocks/ids.js';
import { revealModal } from '../../blocks/modal.js';
import { md } from '../../blocks/text.js';
import type { SlackDeps } from '../deps.js';
import { type Payload, payloadOf } from '../../inbound/payloads/index.js';
import { tellPrivately } from '../reply/tell.js';
import { type ClickOf, clickOf } from './click.js';

/**
 * Show the password: only the requester, only once. The secret is forgotten only after the
 * modal opened, so a click whose modal Slack refused (an expired trigger) can be repeated.
 */
export function registerReveal(app: App, deps: SlackDeps): void {
  app.action(IDS.reveal, async ({ ack, client, context }) => {
    await ack();
    const click = payloadOf(context, 'dialogAction');
    const { id, user, where } = clickOf(click);
    try {
      await reveal(deps, client, click, { id, user, where });
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      deps.log.warn({ reason: error.reason, requestId: id }, 'a password could not be shown: the store is unavailable');
      await tellPrivately(client, where, md`The password cannot be shown right now: the bot cannot reach its store. It is still kept; click again in a minute.`);
    }
  });
}

/** The password, to the requester only, then forgotten. */
async function reveal(deps: SlackDeps, client: AllMiddlewareArgs['client'], click: Payload<'dialogAction'>, { id, user, where }: ClickOf): Promise<void> {
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
  // Shown: a store that cannot take the forgetting now keeps it until its time to live ends, which the person need not hear about.
  await deps.lifecycle.forgetRevealed(id).catch((error: unknown) => {
    if (!isStoreUnavailable(error)) throw error;
    deps.log.warn({ reason: error.reason, requestId: id }, 'a shown password could not be forgotten yet: the store is unavailable; it lapses with its time to live');
  });
}
