import type { App } from '@slack/bolt';
import { isBatchId } from '../../../domain/batch/batch.js';
import { IDS } from '../../blocks/ids.js';
import { formValues } from '../../forms/state.js';
import type { SlackDeps } from '../deps.js';
import { payloadOf } from '../../inbound/payloads/index.js';

/** The reject dialog's submit: the reason is required, and a refusal shows on the reason field. */
export function registerRejectSubmit(app: App, deps: SlackDeps): void {
  app.view(IDS.rejectModal, async ({ ack, context }) => {
    const body = payloadOf(context, 'rejectSubmission');
    const { view } = body;
    const requestId = view.private_metadata;
    const reason = String(formValues(view.state.values)[IDS.rejectReasonBlock] ?? '').trim();
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { [IDS.rejectReasonBlock]: 'Say why, so the requester knows what to change.' } });
      return;
    }
    // Slack shows its own error after 3 s without an ack: a failure must reach the dialog instead.
    const decided = isBatchId(requestId) ? deps.lifecycle.rejectBatch(requestId, body.user.id, reason) : deps.lifecycle.reject(requestId, body.user.id, reason);
    const result = await decided.catch((error: unknown) => {
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
