import type { AllMiddlewareArgs, App } from '@slack/bolt';
import type { Logger } from 'pino';
import { isBatchId } from '../../../domain/batch/batch.js';
import type { BatchDecision } from '../../../domain/lifecycle/index.js';
import { mayReject } from '../../../domain/policy/decisions.js';
import type { AccessRequest } from '../../../domain/requests/request.js';
import { batchTitle } from '../../blocks/batch-message.js';
import { IDS } from '../../blocks/ids.js';
import { rejectModal } from '../../blocks/modal.js';
import { trusted } from '../../blocks/text.js';
import type { SlackDeps } from '../deps.js';
import { type Payload, payloadOf } from '../../inbound/payloads/index.js';
import { tellPrivately } from '../reply/tell.js';
import { clickOf } from './click.js';
import { labelIn } from '../../../adapters/providers/types.js';
import { isStoreUnavailable } from '../../../adapters/store/unavailable.js';

type Click = Payload<'decisionAction'>;

/** What a click the store could not take is answered, privately. */
export const CLICK_NOT_RECORDED = 'Your click was not recorded: the bot cannot reach its store right now, so nothing changed. Please click again in a minute.';

/**
 * A click the store could not take is told so, privately: with no offline queue and no retry,
 * nothing of it happens later, so the person clicks again once the store is back.
 */
async function toldIfUnrecorded(log: Logger, click: Click, run: () => Promise<unknown>, tell: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    log.warn({ reason: error.reason, action: click.actions[0].action_id }, 'a click could not be recorded: the store is unavailable');
    await tell();
  }
}

/**
 * Approve, Reject, Cancel, Retry, Mark as done. Each acks first; the domain decides; a
 * refusal is told privately to the person who clicked and changes nothing. Provisioning
 * runs after the ack, on the click that completed the approvals.
 */
export function registerDecisions(app: App, deps: SlackDeps): void {
  const { lifecycle, requests } = deps;
  const labelOf = labelIn(deps.providers);

  /** What a Reject click would decide: the request, or a batch's pending members; and what the dialog names. */
  async function rejectable(id: string): Promise<{ requests: AccessRequest[]; target: string } | undefined> {
    if (!isBatchId(id)) {
      const request = await requests.get(id);
      return request && { requests: [request], target: request.target };
    }
    const found = await requests.batchOf(id);
    if (!found) return undefined;
    return { requests: found.members.filter((member) => member.state === 'pending'), target: batchTitle(found.batch, found.members, labelOf) };
  }

  // The domain's refusals are its own sentences; the only ids in them come from configuration.
  const refuse = (client: AllMiddlewareArgs['client'], click: Click, why: string) => tellPrivately(client, clickOf(click).where, trusted(why));

  const handle = (actionId: string, run: (client: AllMiddlewareArgs['client'], click: Click, id: string, user: string) => Promise<void>) =>
    app.action(actionId, async ({ ack, client, context }) => {
      await ack();
      const click = payloadOf(context, 'decisionAction');
      const { id, user } = clickOf(click);
      await toldIfUnrecorded(deps.log, click, () => run(client, click, id, user), () => refuse(client, click, CLICK_NOT_RECORDED));
    });

  /** A batch decision that left some accounts to other approvers is told to the person who clicked. */
  const leftOver = (client: AllMiddlewareArgs['client'], click: Click, result: BatchDecision) =>
    result.ok && result.skipped.length > 0 ? refuse(client, click, `Done for ${result.moved.length} of the accounts. ${result.skipped.join(' ')}`) : undefined;

  handle(IDS.approve, async (client, click, id, user) => {
    if (isBatchId(id)) {
      // A CSV's accounts are read in the file in its thread: until it is there, nobody has seen what they would grant.
      if ((await requests.getBatch(id))?.kind === 'csv' && !(await deps.threads.accountsListed(id))) {
        return refuse(client, click, 'Every account of this request is being posted in its thread as a file: approve once you have read it (it takes a few seconds).');
      }
      const result = await lifecycle.approveBatch(id, user);
      if (!result.ok) return refuse(client, click, result.why);
      await leftOver(client, click, result);
      await Promise.all(result.provision.map((member) => lifecycle.provision(member, user)));
      return;
    }
    const result = await lifecycle.approve(id, user);
    if (!result.ok) return refuse(client, click, result.why);
    if (result.remaining === 0) await lifecycle.provision(id, user);
  });

  app.action(IDS.reject, async ({ ack, client, context }) => {
    await ack();
    const click = payloadOf(context, 'dialogAction');
    const { id, user } = clickOf(click);
    await toldIfUnrecorded(deps.log, click, async () => {
      const found = await rejectable(id);
      if (!found) return refuse(client, click, 'This request no longer exists.');
      const verdicts = await Promise.all(found.requests.map((request) => mayReject(deps.policy(), deps.directory, request, user)));
      const refusal = verdicts.find((verdict) => !verdict.ok);
      if (!verdicts.some((verdict) => verdict.ok)) return refuse(client, click, refusal && !refusal.ok ? refusal.why : 'This request is already decided.');
      await client.views.open({ trigger_id: click.trigger_id, view: rejectModal(id, found.target) });
    }, () => refuse(client, click, CLICK_NOT_RECORDED));
  });

  handle(IDS.cancel, async (client, click, id, user) => {
    const result = isBatchId(id) ? await lifecycle.cancelBatch(id, user) : await lifecycle.cancel(id, user);
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
