import { randomUUID } from 'node:crypto';
import { isStoreUnavailable } from '../../../adapters/store/unavailable.js';
import type { App } from '@slack/bolt';
import { policyFor } from '../../../domain/policy/model.js';
import { createChannelAccess } from '../../workspace/channel-access.js';
import type { SlackDeps } from '../deps.js';
import { payloadOf } from '../../inbound/payloads/index.js';
import { CREATE_ACCOUNT, describeErrors, stepRequest } from './inputs.js';

/**
 * SPEC §10: the "Create an account" step. Its inputs become an ordinary request, submitted as
 * if `requester` had used the form: same schema, policy, request message, thread and audit.
 * The step then stays in progress; the outbox completes it once the request is settled
 * (notifier.ts). Input that cannot become a request fails the step at once, nothing stored.
 * Acknowledged once the request is stored, as the form's submission is, so a crash before
 * then leaves Slack to deliver the event again.
 */
export function registerCreateAccount(app: App, deps: SlackDeps): void {
  const access = createChannelAccess(deps.log);

  app.function(CREATE_ACCOUNT, { autoAcknowledge: false }, async ({ ack, fail, client, context }) => {
    const { event } = payloadOf(context, 'functionExecutedEvent');
    const execution = event.function_execution_id;
    const refuse = async (error: string) => {
      await ack();
      deps.log.info({ functionExecutionId: execution, problem: error }, 'a workflow step could not file its request');
      await fail({ error }).catch((failure: unknown) => deps.log.warn({ err: failure, functionExecutionId: execution }, 'Slack did not take the step’s failure'));
    };

    const policy = deps.policy();
    const asked = stepRequest(event.inputs, deps.providers, policy.presets);
    if (!asked.ok) return refuse(asked.error);
    const { requester, provider, form } = asked;
    // No typing channel to fall back on: the step files where the policy says requests go.
    const channel = policyFor(policy, provider.id).requestsChannel;
    if (!channel) {
      return refuse(`No requests channel is set for ${provider.label} requests, so no approver would see this one: set ADDUSER_REQUESTS_CHANNEL, or requests_channel in the policy file.`);
    }
    const refusal = await access.refusal(client, channel);
    if (refusal) return refuse(refusal);

    // Slack delivers an event again when its ack was late, or when the store could not take it
    // (answered 503): one execution files one request, and a failed attempt gives its claim back.
    const claim = deps.claim(`function-execution:${execution}`, randomUUID());
    const result = await deps.lifecycle
      .submit({
        requester,
        provider: provider.id,
        form,
        channel,
        workflow: { functionExecutionId: execution, ...(event.workflow_execution_id && { workflowExecutionId: event.workflow_execution_id }) },
        // The token is kept before the request exists, so no completion can ever lack it.
        admit: async () => {
          if (!(await claim.take())) return false;
          await deps.functionTokens.keep(execution, event.bot_access_token);
          return true;
        },
      })
      .catch((error: unknown) => {
        if (isStoreUnavailable(error)) claim.release();
        throw error;
      });
    if (!result.ok) return refuse(describeErrors(result.errors, provider));
    await ack();
  });

  // A step this app does not (or no longer) declares would otherwise wait in progress for ever.
  app.event('function_executed', async ({ ack, fail, context }) => {
    const { event } = payloadOf(context, 'functionExecutedEvent');
    if (event.function.callback_id === CREATE_ACCOUNT) return;
    await ack();
    deps.log.warn({ callbackId: event.function.callback_id }, 'a workflow ran a step this app does not have');
    await fail({ error: `This app has no step "${event.function.callback_id}": its only step is "${CREATE_ACCOUNT}". Update the workflow to the app's current steps.` });
  });
}
