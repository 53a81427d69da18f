import type { types } from '@slack/bolt';
import type { AuditRecord } from '../../domain/audit.js';
import { type Batch, type BatchCounts, batchCounts } from '../../domain/batch/batch.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import { type GrantWords, grantLines, privilegedLines } from './grants.js';
import { IDS } from './ids.js';
import { button, createdId, createdWarnings, requestButtons, stateLabel } from './request-message.js';
import { code, date, joinMd, md, type Mrkdwn, mrkdwn, quote, trusted, user } from './text.js';

/** Accounts listed by name in the request message; the rest are counted (a message holds 50 blocks and 3,000 characters a text). */
export const LISTED_ACCOUNTS = 20;
/** The list's share of a section's 3,000 characters (the rest: who asked, and the count of the others). */
const LIST_BUDGET = 2_800;

export interface BatchView extends GrantWords {
  batch: Batch;
  members: readonly AccessRequest[];
  /** Who has approved each member so far, by member id. */
  approvedBy: ReadonlyMap<string, readonly string[]>;
  labelOf: (provider: string) => string;
  /** Approvals a member needs (more when it holds a privileged value). */
  requiredApprovals: (member: AccessRequest) => number;
  /** Mentions of a provider's approvers, built from configuration (validated Slack ids). */
  approversText: (provider: string) => string;
  /** A CSV batch whose accounts file is not in its thread yet: nobody may approve what they cannot see. */
  listing?: boolean;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

const providersOf = (members: readonly AccessRequest[]) => [...new Set(members.map((member) => member.provider))];

/** "3 accounts for Jill Valentine" or "48 new DigiCert CertCentral accounts". */
export function batchTitle(batch: Batch, members: readonly AccessRequest[], labelOf: (provider: string) => string): string {
  const providers = providersOf(members);
  if (batch.kind === 'csv' && providers.length === 1) return `${plural(members.length, `new ${labelOf(providers[0]!)} account`)}`;
  return `${plural(members.length, 'account')}${batch.person ? ` for ${batch.person}` : ''}`;
}

/** Counts in the words people read: only the ones that are not zero. */
export function progressText(counts: BatchCounts): string {
  const parts: string[] = [];
  if (counts.created > 0) parts.push(`${counts.created} created`);
  if (counts.dryRun > 0) parts.push(`${counts.dryRun} dry run${counts.dryRun === 1 ? '' : 's'} (nothing created)`);
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.unknown > 0) parts.push(`${counts.unknown} unknown`);
  if (counts.running > 0) parts.push(`${counts.running} in progress`);
  if (counts.pending > 0) parts.push(`${counts.pending} waiting for approval`);
  if (counts.stopped > 0) parts.push(`${counts.stopped} not created`);
  return parts.join(' · ');
}

/** Where a batch stands in one phrase: "Pending approval" while every member waits, else its counts. */
export function batchStateText(members: readonly Pick<AccessRequest, 'state'>[]): string {
  const counts = batchCounts(members);
  return counts.pending === counts.total ? 'Pending approval' : progressText(counts);
}

function accountLine(member: AccessRequest, labelOf: (provider: string) => string): Mrkdwn {
  const created = member.outcome?.kind === 'created' ? md` · ${createdId(member.outcome)}` : md``;
  return md`• ${labelOf(member.provider)} · *${member.target}* · ${trusted(stateLabel(member))}${created}${member.dryRun ? ' · dry run' : ''}`;
}

/** What still has to happen before the pending members can go: approvals per provider. */
function waitingFor(view: BatchView, pending: readonly AccessRequest[]): Mrkdwn[] {
  return providersOf(pending).map((provider) => {
    const remaining = Math.max(...pending.filter((member) => member.provider === provider).map((member) => view.requiredApprovals(member) - (view.approvedBy.get(member.id)?.length ?? 0)), 0);
    return md`${view.labelOf(provider)} needs ${plural(remaining, 'approval')} from ${trusted(view.approversText(provider))}`;
  });
}

function statusLine(view: BatchView): Mrkdwn {
  const pending = view.members.filter((member) => member.state === 'pending');
  const counts = batchCounts(view.members);
  const parts: Mrkdwn[] = [];
  if (pending.length === view.members.length) {
    parts.push(md`*:hourglass_flowing_sand: Pending approval*`, ...waitingFor(view, pending));
    const approvers = [...new Set(pending.flatMap((member) => view.approvedBy.get(member.id) ?? []))];
    if (approvers.length > 0) parts.push(md`approved so far by ${joinMd(approvers.map(user), ', ')}`);
    parts.push(md`expires ${date(pending[0]!.expiresAt)}`);
  } else {
    parts.push(md`*${progressText(counts)}*`);
    if (pending.length > 0) parts.push(...waitingFor(view, pending));
    const deciders = [...new Set(view.members.flatMap((member) => (member.decision && member.state !== 'pending' ? [member.decision.by] : [])))];
    if (deciders.length > 0) parts.push(md`decided by ${joinMd(deciders.map(user), ', ')}`);
  }
  return joinMd(parts, ' · ');
}

/** The buttons of the batch as a whole: Approve, Reject and Cancel decide every member still pending. */
function batchButtons(view: BatchView): types.ActionsBlock | undefined {
  if (view.listing || !view.members.some((member) => member.state === 'pending')) return undefined;
  const { id } = view.batch;
  return {
    type: 'actions',
    block_id: `decide:${id}`,
    elements: [button('Approve', IDS.approve, id, 'primary'), button('Reject', IDS.reject, id, 'danger'), button('Cancel request', IDS.cancel, id)],
  };
}

/** A member's row in its CSV file (header = row 1), as the person's spreadsheet numbers it. */
export const rowOf = (batch: Batch, member: AccessRequest): number => batch.rows?.[member.batch?.index ?? -1] ?? (member.batch?.index ?? 0) + 2;

/** The parent message of a batch's thread: every account (the first 20), the reason, progress and the decision buttons. */
export function batchMessage(view: BatchView): { text: string; blocks: types.KnownBlock[] } {
  const { batch, members, labelOf } = view;
  const title = batchTitle(batch, members, labelOf);
  const preset = batch.preset ? md` (preset ${code(batch.preset)})` : md``;
  // Whole lines only, within the section's 3,000 characters, so the count of the rest is never cut off.
  const listed: Mrkdwn[] = [];
  let used = 0;
  for (const member of members.slice(0, LISTED_ACCOUNTS)) {
    const line = accountLine(member, labelOf);
    if (used + line.text.length > LIST_BUDGET) break;
    listed.push(line);
    used += line.text.length + 1;
  }
  if (members.length > listed.length) listed.push(md`…and ${members.length - listed.length} more`);
  const grants = grantLines(members, view);
  const privileged = privilegedLines(members, view, (member) => (batch.kind === 'csv' ? rowOf(batch, member) : undefined));
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: mrkdwn(md`*${title}*${preset} · ${code(batch.id)}`) },
    { type: 'section', text: mrkdwn(md`*Requested by* ${user(batch.requester)}\n${joinMd(listed, '\n')}`) },
    ...(grants.length > 0 ? [{ type: 'section' as const, text: mrkdwn(md`*What they grant*\n${joinMd(grants, '\n')}`) }] : []),
    ...(privileged.length > 0 ? [{ type: 'section' as const, text: mrkdwn(md`*Privileged* (the policy asks more for these)\n${joinMd(privileged, '\n')}`) }] : []),
    { type: 'section', text: mrkdwn(md`*Reason*\n${quote(batch.reason)}`) },
    { type: 'context', elements: [mrkdwn(view.listing ? md`:hourglass_flowing_sand: Posting every account in the thread as a file; Approve and Reject follow once it is there.` : statusLine(view))] },
  ];
  const buttons = batchButtons(view);
  if (buttons) blocks.push(buttons);
  return { text: md`Account request ${batch.id}: ${title}: ${batchStateText(members)}`.text, blocks };
}

/**
 * The thread reply for a decision on the batch (every member's record of it says the same):
 * who approved and what happens now, or who rejected or cancelled it.
 */
export function batchDecisionReply(record: AuditRecord, view: BatchView): Mrkdwn | undefined {
  const { members, labelOf } = view;
  const pending = members.filter((member) => member.state === 'pending');
  // What this approval sent on: the members whose deciding approval it was (the message may be read after later ones).
  const going = members.filter((member) => member.state !== 'pending' && member.decision?.by === record.actor && !['rejected', 'cancelled', 'expired'].includes(member.state)).length;
  const after = pending.length > 0 ? md` ${joinMd(waitingFor(view, pending), '; ')}.` : md``;
  switch (record.action) {
    case 'approved':
      if (record.reason) return md`:robot_face: ${record.reason}: nobody had to approve it. Creating ${plural(members.length, 'account')}…`;
      return going > 0
        ? md`:white_check_mark: ${user(record.actor)} approved. Creating ${plural(going, 'account')}…${after}`
        : md`:ballot_box_with_check: ${user(record.actor)} approved.${after}`;
    case 'rejected': {
      // An approver may reject only the accounts of providers they approve: the rest still wait.
      const rejected = members.filter((member) => member.state === 'rejected' && member.decision?.by === record.actor).length;
      const what = pending.length > 0 ? md`rejected ${plural(rejected, 'account')}.${after}` : md`rejected the request.`;
      return record.reason ? md`:no_entry: ${user(record.actor)} ${what}\n${quote(record.reason)}` : md`:no_entry: ${user(record.actor)} ${what}`;
    }
    case 'cancelled':
      return md`:leftwards_arrow_with_hook: ${user(record.actor)} cancelled the request.`;
    case 'expired':
      return md`:hourglass: The ${labelOf(record.provider)} accounts expired without enough approvals. Ask again with /adduser if they are still needed.`;
    default:
      return undefined;
  }
}

/** One account's outcome, as its own line in the batch's thread; an unknown one carries its own Retry / Mark as done. */
export function accountOutcome(record: AuditRecord, member: AccessRequest, provider: string): { text: string; blocks?: types.KnownBlock[] } | undefined {
  const who = md`${provider} · *${member.target}*`;
  switch (record.action) {
    case 'succeeded': {
      const outcome = member.outcome;
      if (outcome?.kind === 'created') return { text: md`:tada: ${who}: ${outcome.invited ? 'invitation sent' : 'created'}, ${createdId(outcome)}${createdWarnings(outcome)}`.text };
      if (outcome?.kind === 'dry_run') return { text: md`:test_tube: ${who}: dry run, nothing was sent.`.text };
      return { text: md`:white_check_mark: ${who}: ${user(record.actor)} marked it as done after checking ${provider}.`.text };
    }
    case 'failed':
      return { text: md`:x: ${who}: not created.\n${quote(record.error ?? 'no reason given')}`.text };
    case 'unknown': {
      const text = md`:warning: ${who}: *outcome unknown.* ${record.error ?? ''} Check ${provider}, then choose *Mark as done* if the user is there or *Retry the create* if not.`;
      const buttons = requestButtons(member);
      return { text: text.text, blocks: [{ type: 'section', text: mrkdwn(text) }, ...(buttons && member.state === 'unknown' ? [buttons] : [])] };
    }
    case 'retried':
      return { text: md`:repeat: ${who}: ${user(record.actor)} chose *Retry*: sending the create to ${provider} again.`.text };
    case 'late_answer':
      return {
        text: record.providerUserId
          ? md`:information_source: ${who}: a late answer to an earlier create: it created user id ${code(record.providerUserId)}. Check ${provider} before anything else is sent.`.text
          : md`:information_source: ${who}: a late answer to an earlier create: ${quote(record.error ?? 'no reason given')}`.text,
      };
    default:
      return undefined;
  }
}

/** One audit-channel line once a batch is done: its accounts' outcomes summed up (each failure has had its own line). */
export function batchSummaryLine(batch: Batch, members: readonly AccessRequest[], labelOf: (provider: string) => string, threadLink: Mrkdwn | undefined): Mrkdwn {
  const parts = [md`${code(batch.id)} *done*`, md`${batchTitle(batch, members, labelOf)}`, md`${progressText(batchCounts(members))}`];
  if (threadLink) parts.push(threadLink);
  return joinMd(parts, ' · ');
}

/** One audit-channel line for a decision on a whole batch (its members' records say the same). */
export function batchAuditMessage(record: AuditRecord, view: BatchView, threadLink: Mrkdwn | undefined): Mrkdwn {
  const parts = [md`${code(view.batch.id)} *${record.action}*`, md`by ${user(record.actor)}`, md`${batchTitle(view.batch, view.members, view.labelOf)}`];
  if (threadLink) parts.push(threadLink);
  const lines = [joinMd(parts, ' · ')];
  if (record.reason) lines.push(quote(record.reason));
  return joinMd(lines, '\n');
}
