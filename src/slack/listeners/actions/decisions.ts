import type { AllMiddlewareArgs, App } from '@slack/bolt';
import { mayReject } from '../../../domain/policy.js';
import { IDS } from '../../blocks/ids.js';
import { rejectModal } from '../../blocks/modal.js';
import { trusted } from '../../blocks/text.js';
import type { SlackDeps } from '../../deps.js';
import { type Payload, payloadOf } from '../../payloads/index.js';
import { tellPrivately } from '../../tell.js';

type Click = Payload<'decisionAction'>;

/**
 * Approve, Reject, Cancel, Retry, Mark as done. Each acks first; the domain decides; a
 * refusal is told privately to the person who clicked and changes nothing. Provisioning
 * runs after the ack, on the click that completed the approvals.
 */
export function registerDecisions(app: App, deps: SlackDeps): void {
  const { lifecycle } = deps;

  // The domain's refusals are its own sentences; the only ids in them come from configuration.
  const refuse = (client: AllMiddlewareArgs['client'], click: Click, why: string) =>
    tellPrivately(client, { user: click.user.id, channel: click.channel?.id, threadTs: click.message?.thread_ts }, trusted(why));

  const handle = (actionId: string, run: (client: AllMiddlewareArgs['client'], click: Click, id: string, user: string) => Promise<void>) =>
    app.action(actionId, async ({ ack, client, context }) => {
      await ack();
      const click = payloadOf(context, 'decisionAction');
      await run(client, click, click.actions[0].value, click.user.id);
    });

  handle(IDS.approve, async (client, click, id, user) => {
    const result = await lifecycle.approve(id, user);
    if (!result.ok) return refuse(client, click, result.why);
    if (result.remaining === 0) await lifecycle.provision(id, user);
  });

  app.action(IDS.reject, async ({ ack, client, context }) => {
    await ack();
    const click = payloadOf(context, 'dialogAction');
    const [id, user] = [click.actions[0].value, click.user.id];
    const request = await lifecycle.get(id);
    if (!request) return refuse(client, click, 'This request no longer exists.');
    const verdict = await mayReject(deps.policy(), deps.directory, request, user);
    if (!verdict.ok) return refuse(client, click, verdict.why);
    await client.views.open({ trigger_id: click.trigger_id, view: rejectModal(id, request.target) });
  });

  handle(IDS.cancel, async (client, click, id, user) => {
    const result = await lifecycle.cancel(id, user);
    if (!result.ok) await refuse(client, click, result.why);
  });

  handle(IDS.retry, async (client, click, id, user) => {
    const result = await lifecycle.retry(id, user);
    if (!result.ok) return refuse(client, click, result.why);
    await lifecycle.provision(id, user);
  });

  handle(IDS.markDone, async (client, click, id, user) => {
    const result = await lifecycle.markDone(id, user);
    if (!result.ok) await refuse(client, click, result.why);
  });
}
