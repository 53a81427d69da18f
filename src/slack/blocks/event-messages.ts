import type { AuditRecord } from '../../domain/audit.js';
import type { LifecycleEvent } from '../../domain/events.js';
import { clip, escape, user } from './text.js';

const quote = (text: string) => `>${escape(text).replace(/\n/g, '\n>')}`;

/**
 * The thread reply for an event, or undefined when the parent message already says it all.
 * `remaining` is how many approvals were still needed after an `approved` event.
 */
export function threadReply(event: LifecycleEvent & { remaining?: number }, providerLabel: string): string | undefined {
  const { request, audit } = event;
  const provider = escape(providerLabel);
  switch (audit.action) {
    case 'requested':
      return undefined;
    case 'approved': {
      const remaining = event.remaining ?? 0;
      if (remaining > 0) {
        return `:ballot_box_with_check: ${user(audit.actor)} approved. ${remaining} more approval${remaining === 1 ? '' : 's'} needed.`;
      }
      return `:white_check_mark: ${user(audit.actor)} approved. ${request.dryRun ? 'Dry run: preparing the request without sending it.' : `Creating the account in ${provider}…`}`;
    }
    case 'provisioning':
      return undefined;
    case 'retried':
      return `:repeat: ${user(audit.actor)} chose *Retry*: sending the create request to ${provider} again.`;
    case 'succeeded':
      if (request.outcome?.kind === 'created') {
        return `:tada: Account created in ${provider}: user id \`${escape(request.outcome.providerUserId)}\` for *${escape(request.target)}*.`;
      }
      if (request.outcome?.kind === 'dry_run') {
        return clip(
          `:test_tube: ${escape(request.outcome.message)} This is the exact request that would have been sent (secrets masked):\n\`\`\`${request.wireRequest ?? ''}\`\`\``,
          3_900,
        );
      }
      return `:white_check_mark: ${user(audit.actor)} marked the request as done after checking ${provider}.`;
    case 'failed':
      return `:x: ${provider} did not create the account: ${quote(audit.error ?? 'no reason given')}`;
    case 'unknown':
      return [
        `:warning: *Outcome unknown.* ${escape(audit.error ?? '')}`,
        `The request may have reached ${provider}, so the account may exist. An approver should check ${provider}, then choose *Mark as done* if the user is there or *Retry the create* if not. The bot never repeats it by itself.`,
      ].join('\n');
    case 'rejected':
      return `:no_entry: ${user(audit.actor)} rejected the request.${audit.reason ? `\n${quote(audit.reason)}` : ''}`;
    case 'cancelled':
      return `:leftwards_arrow_with_hook: ${user(audit.actor)} cancelled the request.`;
    case 'expired':
      return ':hourglass: The request expired without enough approvals. Ask again with /adduser if it is still needed.';
  }
}

/** One audit-channel line per lifecycle event, linking to the request's thread. */
export function auditMessage(record: AuditRecord, providerLabel: string, threadLink: string | undefined): string {
  const parts = [
    `\`${record.requestId}\` *${record.action}*`,
    `by ${record.actor.startsWith('U') || record.actor.startsWith('W') ? user(record.actor) : escape(record.actor)}`,
    escape(providerLabel),
    escape(record.target),
  ];
  if (record.providerUserId) parts.push(`provider user id \`${escape(record.providerUserId)}\``);
  if (record.dryRun) parts.push('dry run');
  if (threadLink) parts.push(`<${threadLink}|thread>`);
  const lines = [parts.join(' · ')];
  if (record.reason) lines.push(quote(record.reason));
  if (record.error) lines.push(`error: ${escape(record.error)}`);
  return clip(lines.join('\n'), 3_000);
}
