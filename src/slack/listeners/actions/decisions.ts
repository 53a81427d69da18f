import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { mayReject } from '../../../domain/policy.js';
import { IDS } from '../../blocks/ids.js';
import { rejectModal } from '../../blocks/modal.js';
import { trusted } from '../../blocks/text.js';
import type { SlackDeps } from '../../deps.js';
import { tellPrivately } from '../../tell.js';

type ButtonArgs = Parameters<Parameters<App['action']>[1]>[0] & { body: BlockAction<ButtonAction>; action: ButtonAction };

/**
 * Approve, Reject, Cancel, Retry, Mark as done. Each acks first; the domain decides; a
 * refusal is told privately to the person who clicked and changes nothing. Provisioning
 * runs after the ack, on the click that completed the approvals.
 */
export function registerDecisions(app: App, deps: SlackDeps): void {
  const { lifecycle } = deps;

  // The domain's refusals are its own sentences; the only ids in them come from configuration.
  const refuse = (args: ButtonArgs, why: string) =>
    tellPrivately(
      args.client,
      { user: args.body.user.id, channel: args.body.channel?.id, threadTs: args.body.message?.thread_ts },
      trusted(why),
    );

  const handle = (actionId: string, run: (args: ButtonArgs, id: string, user: string) => Promise<void>) =>
    app.action<BlockAction<ButtonAction>>(actionId, async (args) => {
      await args.ack();
      await run(args as ButtonArgs, args.action.value ?? '', args.body.user.id);
    });

  handle(IDS.approve, async (args, id, user) => {
    const result = await lifecycle.approve(id, user);
    if (!result.ok) return refuse(args, result.why);
    if (result.remaining === 0) await lifecycle.provision(id, user);
  });

  handle(IDS.reject, async (args, id, user) => {
    const request = await lifecycle.get(id);
    if (!request) return refuse(args, 'This request no longer exists.');
    const verdict = await mayReject(deps.config, deps.directory, request, user);
    if (!verdict.ok) return refuse(args, verdict.why);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: rejectModal(id, request.target) });
  });

  handle(IDS.cancel, async (args, id, user) => {
    const result = await lifecycle.cancel(id, user);
    if (!result.ok) await refuse(args, result.why);
  });

  handle(IDS.retry, async (args, id, user) => {
    const result = await lifecycle.retry(id, user);
    if (!result.ok) return refuse(args, result.why);
    await lifecycle.provision(id, user);
  });

  handle(IDS.markDone, async (args, id, user) => {
    const result = await lifecycle.markDone(id, user);
    if (!result.ok) await refuse(args, result.why);
  });
}
