import type { types } from '@slack/bolt';
import type { AccessRequest, RequestState } from '../../domain/request.js';
import { IDS } from './ids.js';
import { clip, dateText, escape, plain, user } from './text.js';

export const STATE_LABEL: Record<RequestState, string> = {
  pending: ':hourglass_flowing_sand: Pending approval',
  approved: ':white_check_mark: Approved, creating the account',
  provisioning: ':gear: Creating the account',
  succeeded: ':tada: Account created',
  failed: ':x: Failed',
  unknown: ':warning: Outcome unknown',
  rejected: ':no_entry: Rejected',
  cancelled: ':leftwards_arrow_with_hook: Cancelled',
  expired: ':hourglass: Expired',
};

export interface RequestView {
  request: AccessRequest;
  providerLabel: string;
  approvedBy: readonly string[];
  requiredApprovals: number;
  approversText: string;
}

export const button = (text: string, action_id: string, value: string, style?: 'primary' | 'danger'): types.Button => ({
  type: 'button',
  text: plain(text, 75),
  action_id,
  value,
  ...(style && { style }),
});

/** The buttons a request offers in its current state: none once it is decided. */
export function requestButtons(request: AccessRequest): types.ActionsBlock | undefined {
  if (request.state === 'pending') {
    return {
      type: 'actions',
      block_id: `decide:${request.id}`,
      elements: [
        button('Approve', IDS.approve, request.id, 'primary'),
        button('Reject', IDS.reject, request.id, 'danger'),
        button('Cancel request', IDS.cancel, request.id),
      ],
    };
  }
  if (request.state === 'unknown') {
    return {
      type: 'actions',
      block_id: `resolve:${request.id}`,
      elements: [
        button('Retry the create', IDS.retry, request.id, 'danger'),
        button('Mark as done', IDS.markDone, request.id, 'primary'),
      ],
    };
  }
  return undefined;
}

function detailSections(request: AccessRequest): types.SectionBlock[] {
  const fields = [
    { label: 'Requested by', value: user(request.requester) },
    ...request.details.map((detail) => ({ label: detail.label, value: escape(detail.value) })),
  ].map(({ label, value }) => ({ type: 'mrkdwn' as const, text: clip(`*${escape(label)}*\n${value || '—'}`, 2_000) }));
  const sections: types.SectionBlock[] = [];
  // A section holds at most ten fields.
  for (let i = 0; i < fields.length; i += 10) sections.push({ type: 'section', fields: fields.slice(i, i + 10) });
  return sections;
}

function statusLine(view: RequestView): string {
  const { request } = view;
  const parts = [`*${STATE_LABEL[request.state]}*`];
  if (request.state === 'pending') {
    const remaining = Math.max(0, view.requiredApprovals - view.approvedBy.length);
    parts.push(`needs ${remaining} approval${remaining === 1 ? '' : 's'} from ${view.approversText}`);
    if (view.approvedBy.length > 0) parts.push(`approved so far by ${view.approvedBy.map(user).join(', ')}`);
    parts.push(`expires ${dateText(request.expiresAt)}`);
  } else if (request.decision) {
    const verb = request.state === 'rejected' ? 'rejected' : request.state === 'cancelled' ? 'cancelled' : 'decided';
    parts.push(`${verb} by ${user(request.decision.by)}`);
  }
  if (request.outcome?.kind === 'created') parts.push(`${view.providerLabel} user id \`${escape(request.outcome.providerUserId)}\``);
  return parts.join(' · ');
}

/** The parent message of a request's thread, in its current state. */
export function requestMessage(view: RequestView): { text: string; blocks: types.KnownBlock[] } {
  const { request } = view;
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*New ${escape(view.providerLabel)} account* for *${escape(request.target)}* · \`${request.id}\`${request.dryRun ? ' · :test_tube: dry run' : ''}`,
      },
    },
    ...detailSections(request),
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Reason*\n>${escape(request.reason).replace(/\n/g, '\n>')}`, 3_000) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(statusLine(view), 3_000) }] },
  ];
  const buttons = requestButtons(request);
  if (buttons) blocks.push(buttons);
  return {
    text: `${view.providerLabel} account request ${request.id} for ${request.target}: ${STATE_LABEL[request.state].replace(/^:[a-z_]+: /, '')}`,
    blocks,
  };
}
