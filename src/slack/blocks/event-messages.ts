import type { AuditRecord } from '../../domain/audit.js';
import type { LifecycleEvent } from '../../domain/events.js';
import { createdId, createdWarnings } from './request-message.js';
import { channel as channelLink, clipMd, code, codeBlock, group, joinMd, link, md, type Mrkdwn, quote, user } from './text.js';

/**
 * The thread reply for an event, or undefined when the parent message already says it all.
 * `remaining` is how many approvals were still needed after an `approved` event.
 */
export function threadReply(event: LifecycleEvent & { remaining?: number }, provider: string): Mrkdwn | undefined {
  const { request, audit } = event;
  switch (audit.action) {
    case 'requested':
      return undefined;
    case 'approved': {
      const remaining = event.remaining ?? 0;
      // Only the bot's own approval carries a reason: the policy rule that approved.
      if (audit.reason) {
        return md`:robot_face: ${audit.reason}: nobody had to approve it. ${request.dryRun ? 'Dry run: preparing the request without sending it.' : `Creating the account in ${provider}…`}`;
      }
      if (remaining > 0) {
        return md`:ballot_box_with_check: ${user(audit.actor)} approved. ${remaining} more approval${remaining === 1 ? '' : 's'} needed.`;
      }
      return request.dryRun
        ? md`:white_check_mark: ${user(audit.actor)} approved. Dry run: preparing the request without sending it.`
        : md`:white_check_mark: ${user(audit.actor)} approved. Creating the account in ${provider}…`;
    }
    case 'provisioning':
      return undefined;
    case 'retried':
      return md`:repeat: ${user(audit.actor)} chose *Retry*: sending the create request to ${provider} again.`;
    case 'succeeded':
      if (request.outcome?.kind === 'created' && request.outcome.invited) {
        return md`:email: ${provider} sent the invitation: ${createdId(request.outcome)} for *${request.target}*. The account exists once they accept it.`;
      }
      if (request.outcome?.kind === 'created') {
        return md`:tada: Account created in ${provider}: ${createdId(request.outcome)} for *${request.target}*.${createdWarnings(request.outcome)}`;
      }
      if (request.outcome?.kind === 'dry_run') {
        // clipMd closes the fence it cuts into.
        return clipMd(
          md`:test_tube: ${request.outcome.message} This is the exact request that would have been sent (secrets masked):\n${codeBlock(request.wireRequest ?? '')}`,
          3_900,
        );
      }
      return md`:white_check_mark: ${user(audit.actor)} marked the request as done after checking ${provider}.`;
    case 'failed':
      return md`:x: ${provider} did not create the account: ${quote(audit.error ?? 'no reason given')}`;
    case 'unknown':
      return md`:warning: *Outcome unknown.* ${audit.error ?? ''}\nThe request may have reached ${provider}, so the account may exist. An approver should check ${provider}, then choose *Mark as done* if the user is there or *Retry the create* if not. The bot never repeats it by itself.`;
    case 'escalated': {
      const to = request.escalatedTo;
      const people = to ? [...to.users.map((id) => user(id)), ...to.groups.map((id) => group(id))] : [];
      return people.length > 0
        ? md`:arrow_double_up: Still waiting for approval: escalated to ${joinMd(people, ', ')}, who may approve or reject it too.`
        : md`:arrow_double_up: Still waiting for approval, and the policy no longer names anyone to escalate to.`;
    }
    case 'late_answer':
      return audit.providerUserId
        ? md`:information_source: A late answer from ${provider} to an earlier create call: it created user id ${code(audit.providerUserId)} for *${request.target}*. Check ${provider} before anything else is sent.`
        : md`:information_source: A late answer from ${provider} to an earlier create call: ${quote(audit.error ?? 'no reason given')}`;
    case 'rejected':
      return audit.reason
        ? md`:no_entry: ${user(audit.actor)} rejected the request.\n${quote(audit.reason)}`
        : md`:no_entry: ${user(audit.actor)} rejected the request.`;
    case 'cancelled':
      return md`:leftwards_arrow_with_hook: ${user(audit.actor)} cancelled the request.`;
    case 'expired':
      return md`:hourglass: The request expired without enough approvals. Ask again with /adduser if it is still needed.`;
  }
}

/** One audit-channel line per lifecycle event, linking to the request's thread. */
export function auditMessage(record: AuditRecord, providerLabel: string, threadLink: string | undefined): Mrkdwn {
  const parts: Mrkdwn[] = [md`${code(record.requestId)} *${record.action}*`, md`by ${user(record.actor)}`, md`${providerLabel}`, md`${record.target}`];
  if (record.providerUserId) parts.push(md`provider user id ${code(record.providerUserId)}`);
  if (record.dryRun) parts.push(md`dry run`);
  if (threadLink) parts.push(link(threadLink, 'thread'));
  const lines = [joinMd(parts, ' · ')];
  if (record.reason) lines.push(quote(record.reason));
  if (record.error) lines.push(md`error: ${record.error}`);
  for (const warning of record.warnings ?? []) lines.push(md`warning: ${warning}`);
  return clipMd(joinMd(lines, '\n'), 3_000);
}

/**
 * The audit chain's head, posted outside the store: the line an auditor points
 * `npm run audit -- verify --anchor` at, to check the store's chain was not rewritten up to here.
 */
export function anchorMessage(record: Pick<AuditRecord, 'seq' | 'hash' | 'at'>): Mrkdwn {
  return md`:link: Audit log head: record ${String(record.seq)} (${record.at}), hash ${code(record.hash)}. Check the store against it: ${code(`npm run audit -- verify --anchor ${record.seq}:${record.hash}`)}`;
}

/**
 * The requester's DM once a request or a batch (`subject` says which) is filed: where it waits
 * for approval, or, when Slack refused its channel, that it is kept and what to do about it.
 */
export function filedDm(id: string, subject: Mrkdwn, posted: { channel: string; permalink?: string } | { unpostedIn: string; reason: string }): Mrkdwn {
  if ('unpostedIn' in posted) {
    return md`Your request ${code(id)} ${subject} is saved, but I could not post it in ${channelLink(posted.unpostedIn)} for approval (Slack said: ${posted.reason}). Ask an admin to invite me there with ${code('/invite @adduser')}, then ask again.`;
  }
  const where = posted.permalink ? link(posted.permalink, md`in ${channelLink(posted.channel)}`) : md`in ${channelLink(posted.channel)}`;
  return md`Your request ${code(id)} ${subject} is waiting for approval ${where}. You will hear here when it is decided.`;
}
