import type { App } from '@slack/bolt';
import { IDS } from '../../blocks/ids.js';
import { metadataOf } from '../../blocks/modal.js';
import { providersFor } from '../../forms/askable.js';
import type { SlackDeps } from '../deps.js';
import { slackError } from '../../workspace/reachability.js';
import { type Payload, payloadOf } from '../../inbound/payloads/index.js';
import { formView } from '../../forms/request-form.js';

/** What a choice in the form's first select asks: rebuild this view (its hash guards against a stale one) at that choice. */
export function selectionOf(payload: Payload<'providerSelectAction'>) {
  const { view, actions, user } = payload;
  return { viewId: view.id, hash: view.hash, choice: actions[0].selected_option.value, channel: metadataOf(view.private_metadata).channel ?? '', user: user.id };
}

/**
 * Choosing a provider rebuilds the modal in place. The view's hash makes Slack refuse an
 * update based on a stale view (the person changed their mind twice quickly); the later
 * selection's own update wins, so a hash_conflict is expected and ignored.
 */
export function registerProviderSelect(app: App, deps: SlackDeps): void {
  app.action(IDS.providerSelect, async ({ ack, context, client, logger }) => {
    await ack();
    const { viewId, hash, choice, channel, user } = selectionOf(payloadOf(context, 'providerSelectAction'));
    try {
      await client.views.update({ view_id: viewId, hash, view: formView(deps, { offered: await providersFor(deps, user), choice, channel }) });
    } catch (error) {
      if (slackError(error) !== 'hash_conflict') throw error;
      logger.debug('views.update hash_conflict: a newer provider choice is on its way');
    }
  });
}
