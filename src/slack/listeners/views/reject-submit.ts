import type { App } from '@slack/bolt';
import { isStoreUnavailable } from '../../../adapters/store/unavailable.js';
import { isBatchId } from '../../../domain/batch/batch.js';
import { IDS } from '../../blocks/ids.js';
import { formValues } from '../../forms/state.js';
import type { SlackDeps } from '../deps.js';
import { type Payload, payloadOf } from '../../inbound/payloads/index.js';

/** What the reject dialog decides: whose request, who rejects and why; or why it cannot go yet. */
export function rejectionOf(body: Payload<'rejectSubmission'>): { id: string; user: string; reason: string } | { error: string } {
  const { view } = body;
  const reason = String(formValues(view.state.values)[IDS.rejectReasonBlock] ?? '').trim();
  if (reason.length < 3) return { error: 'Say why, so the requester knows what to change.' };
  return { id: view.private_metadata, user: body.user.id, reason };
}

/** The reject dialog's submit: the reason is required, and a refusal shows on the reason field. */
export function registerRejectSubmit(app: App, deps: SlackDeps): void {
  app.view(IDS.rejectModal, async ({ ack, context }) => {
    const rejection = rejectionOf(payloadOf(context, 'rejectSubmission'));
    if ('error' in rejection) {
      await ack({ response_action: 'errors', errors: { [IDS.rejectReasonBlock]: rejection.error } });
      return;
    }
    const { id: requestId, user, reason } = rejection;
    // Slack shows its own error after 3 s without an ack: a failure must reach the dialog instead.
    const decided = isBatchId(requestId) ? deps.lifecycle.rejectBatch(requestId, user, reason) : deps.lifecycle.reject(requestId, user, reason);
    const result = await decided.catch((error: unknown) => {
      if (isStoreUnavailable(error)) {
        deps.log.warn({ reason: error.reason, requestId }, 'a rejection could not be recorded: the store is unavailable');
        return { ok: false as const, why: 'Your rejection was not recorded: the bot cannot reach its store right now, so nothing changed. Please submit again in a minute.' };
      }
      deps.log.error({ err: error, requestId }, 'rejecting failed');
      return { ok: false as const, why: 'Something went wrong on our side, and nothing was changed. Try again in a moment.' };
    });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [IDS.rejectReasonBlock]: result.why } });
      return;
    }
    await ack();
  });
}
