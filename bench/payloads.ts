// What Slack sends the bot when people act in a benchmark: the CSV form submitted, Approve clicked.
import { type FakeSlackFile, newTriggerId } from '../test/support/fake-slack.js';
import { payloadBody } from '../test/support/slack-requests.js';

/** The CSV form's submission, as Slack sends it, with `file` in its file_input. */
export const csvSubmission = (viewId: string, file: FakeSlackFile, reason: string) =>
  payloadBody({
    type: 'view_submission',
    team: { id: 'TTEAM0001' },
    user: { id: file.user, team_id: 'TTEAM0001' },
    api_app_id: 'AAPP00001',
    view: {
      id: viewId,
      hash: 'h',
      type: 'modal',
      team_id: 'TTEAM0001',
      callback_id: 'adduser_csv',
      private_metadata: JSON.stringify({ channel: 'CREQUESTS1', provider: 'checkcentral' }),
      blocks: [{ type: 'input', block_id: 'csv_file' }, { type: 'input', block_id: 'reason' }],
      state: { values: { csv_file: { csv_file: { type: 'file_input', files: [file] } }, reason: { 'field:reason': { type: 'plain_text_input', value: reason } } } },
    },
  });

/** `approver`'s click on Approve of a request (or batch) message in the requests channel. */
export const approveClick = (approver: string, id: string, messageTs: string) =>
  payloadBody({
    type: 'block_actions',
    user: { id: approver, team_id: 'TTEAM0001' },
    team: { id: 'TTEAM0001' },
    api_app_id: 'AAPP00001',
    trigger_id: newTriggerId(),
    container: { type: 'message', message_ts: messageTs, channel_id: 'CREQUESTS1' },
    channel: { id: 'CREQUESTS1' },
    actions: [{ type: 'button', action_id: 'request_approve', block_id: `decide:${id}`, value: id, action_ts: '1' }],
  });
