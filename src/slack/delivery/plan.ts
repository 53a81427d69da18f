import type { AuditRecord } from '../../domain/audit.js';
import type { StepKind } from './outbox.js';

/**
 * What Slack is owed for each audit record: the outbox files these steps once per record and
 * delivers each on its own. A pure function of the record, so the whole table can be read (and
 * tested) in one place.
 */

/** The decisions people and the bot take on a whole batch: every pending member records the same one. */
export const BATCH_DECISIONS: ReadonlySet<AuditRecord['action']> = new Set(['requested', 'approved', 'rejected', 'cancelled', 'expired', 'escalated']);
/** An account's own events: each is said of that account in the batch's thread. */
export const ACCOUNT_EVENTS: ReadonlySet<AuditRecord['action']> = new Set(['succeeded', 'failed', 'unknown', 'retried', 'late_answer']);
/** Records that end an account for good, after which the batch may have nothing left waiting (`unknown` waits for an approver). */
export const MAY_END: ReadonlySet<AuditRecord['action']> = new Set(['succeeded', 'failed', 'rejected', 'cancelled', 'expired']);
/** The records the requester of a request filed on its own hears of by DM (a cancel is their own doing; an approval says nothing new yet). */
const TELLS_REQUESTER: ReadonlySet<AuditRecord['action']> = new Set(['succeeded', 'failed', 'unknown', 'rejected', 'expired']);
/** The records after which a request's outcome is settled for its workflow step; `unknown` waits for an approver. */
const ENDS_WORKFLOW_STEP: ReadonlySet<AuditRecord['action']> = new Set(['succeeded', 'failed', 'rejected', 'cancelled', 'expired']);

/** A request filed on its own: its message, thread, DMs, audit line and App Homes. */
function requestSteps(record: AuditRecord): StepKind[] {
  const tail: StepKind[] = ['audit_line', 'home'];
  if (record.action === 'requested') return ['request_message', 'requester_dm', ...tail];
  const steps: StepKind[] = ['thread_reply', 'parent_update'];
  if (record.action === 'succeeded') steps.push('reveal');
  if (record.action === 'escalated') steps.push('escalation_dm');
  if (TELLS_REQUESTER.has(record.action)) steps.push('requester_dm');
  if (record.via === 'workflow' && ENDS_WORKFLOW_STEP.has(record.action)) steps.push('workflow_completion');
  return [...steps, ...tail];
}

/** One account of a batch: the batch's message and thread say it, once for what every member records alike. */
function batchMemberSteps(record: AuditRecord): StepKind[] {
  if (record.action === 'requested') return ['request_message', 'requester_dm', 'audit_line', 'home'];
  const steps: StepKind[] = ['parent_update'];
  if (BATCH_DECISIONS.has(record.action) || ACCOUNT_EVENTS.has(record.action)) steps.unshift('thread_reply');
  if (record.action === 'succeeded') steps.push('reveal');
  if (record.action === 'escalated') steps.push('escalation_dm');
  if (record.action !== 'provisioning') steps.push('audit_line');
  if (MAY_END.has(record.action)) steps.push('batch_results', 'requester_dm');
  return [...steps, 'home'];
}

/** The steps `record` owes, in the order they should go out. */
export const stepsOf = (record: AuditRecord): StepKind[] => (record.batchId ? batchMemberSteps(record) : requestSteps(record));
