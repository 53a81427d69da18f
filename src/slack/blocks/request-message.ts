import type { types } from '@slack/bolt';
import type { Outcome } from '../../adapters/providers/outcome.js';
import type { AccessRequest, RequestState } from '../../domain/requests/request.js';
import type { Marked } from './grants.js';
import { IDS } from './ids.js';
import { code, date, joinMd, md, type Mrkdwn, mrkdwn, plain, quote, trusted, user } from './text.js';

const STATE_LABEL: Record<RequestState, string> = {
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

/** Where a request stands, in words; an invitation is not yet an account, and a dry run created nothing, so each says so. */
export function stateLabel(request: Pick<AccessRequest, 'state' | 'outcome'>): string {
  if (request.state === 'succeeded' && request.outcome?.kind === 'created' && request.outcome.invited) return ':email: Invitation sent';
  if (request.state === 'succeeded' && request.outcome?.kind === 'dry_run') return ':test_tube: Dry run: nothing was created';
  return STATE_LABEL[request.state];
}

/** "user id `123`", or "invitation id `123`" for a provider that invites. */
export const createdId = (outcome: Extract<Outcome, { kind: 'created' }>): Mrkdwn => md`${outcome.invited ? 'invitation' : 'user'} id ${code(outcome.providerUserId)}`;

/** What failed after the account was made (a group not joined), a line each after the success; nothing when all went through. */
export const createdWarnings = (outcome: Extract<Outcome, { kind: 'created' }>): Mrkdwn =>
  outcome.warnings ? md`\n${joinMd(outcome.warnings.map((warning) => md`:warning: ${warning}`), '\n')}` : md``;

export interface RequestView {
  request: AccessRequest;
  providerLabel: string;
  approvedBy: readonly string[];
  requiredApprovals: number;
  /** Mentions of the approvers, built from configuration (validated Slack ids). */
  approversText: string;
  /** The values the policy marks as privileged, each by its field's label. */
  privileged?: readonly Marked[];
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
  const { id } = request;
  if (request.state === 'pending') {
    return { type: 'actions', block_id: `decide:${id}`, elements: [button('Approve', IDS.approve, id, 'primary'), button('Reject', IDS.reject, id, 'danger'), button('Cancel request', IDS.cancel, id)] };
  }
  if (request.state === 'unknown') {
    return { type: 'actions', block_id: `resolve:${id}`, elements: [button('Retry the create', IDS.retry, id, 'danger'), button('Mark as done', IDS.markDone, id, 'primary')] };
  }
  return undefined;
}

function detailSections(request: AccessRequest): types.SectionBlock[] {
  const fields = [
    md`*Requested by*\n${user(request.requester)}`,
    ...request.details.map((detail) => md`*${detail.label}*\n${detail.value || '—'}`),
  ].map((text) => mrkdwn(text, 2_000));
  const sections: types.SectionBlock[] = [];
  // A section holds at most ten fields.
  for (let i = 0; i < fields.length; i += 10) sections.push({ type: 'section', fields: fields.slice(i, i + 10) });
  return sections;
}

function statusLine(view: RequestView): Mrkdwn {
  const { request } = view;
  const parts = [md`*${stateLabel(request)}*`];
  if (request.state === 'pending') {
    const remaining = Math.max(0, view.requiredApprovals - view.approvedBy.length);
    parts.push(md`needs ${remaining} approval${remaining === 1 ? '' : 's'} from ${trusted(view.approversText)}`);
    if (view.approvedBy.length > 0) parts.push(md`approved so far by ${joinMd(view.approvedBy.map(user), ', ')}`);
    parts.push(md`expires ${date(request.expiresAt)}`);
  } else if (request.decision) {
    const verb = request.state === 'rejected' ? 'rejected' : request.state === 'cancelled' ? 'cancelled' : 'decided';
    parts.push(md`${verb} by ${user(request.decision.by)}`);
  }
  if (request.outcome?.kind === 'created') parts.push(md`${view.providerLabel} ${createdId(request.outcome)}`);
  return joinMd(parts, ' · ');
}

/** The parent message of a request's thread, in its current state. */
export function requestMessage(view: RequestView): { text: string; blocks: types.KnownBlock[] } {
  const { request } = view;
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(md`*New ${view.providerLabel} account* for *${request.target}* · ${code(request.id)}${request.dryRun ? ' · :test_tube: dry run' : ''}`),
    },
    ...detailSections(request),
    ...(view.privileged?.length
      ? [{ type: 'section' as const, text: mrkdwn(md`:warning: *Privileged* (the policy asks more for these): ${joinMd(view.privileged.map((one) => md`${one.field} *${one.value}*`), ', ')}`) }]
      : []),
    { type: 'section', text: mrkdwn(md`*Reason*\n${quote(request.reason)}`) },
    { type: 'context', elements: [mrkdwn(statusLine(view))] },
  ];
  const buttons = requestButtons(request);
  if (buttons) blocks.push(buttons);
  // Slack reads this notification text as mrkdwn too: it is built like the blocks.
  const state = stateLabel(request).replace(/^:[a-z_]+: /, '');
  return { text: md`${view.providerLabel} account request ${request.id} for ${request.target}: ${state}`.text, blocks };
}
