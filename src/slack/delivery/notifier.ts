import type { Logger } from 'pino';
import type { AuditLog, AuditRecord } from '../../domain/audit.js';
import type { Notifier } from '../../domain/events.js';
import { runBatchStep } from './batch-steps.js';
import type { DeliveryContext } from './context.js';
import { completeWorkflowStep } from './function-completion.js';
import { Outbox, type StepKind, type StepResult, type Undeliverable } from './outbox.js';
import { postParent, renderRequest, updateParent } from './parent.js';
import { stepsOf } from './plan.js';
import { anchorLine, auditLine, escalationDms, offerReveal, replyInThread, requesterDm } from './request-steps.js';

export interface SlackNotifierDeps extends DeliveryContext {
  audit: AuditLog;
  /** Counts a message Slack refused for good (for /metrics). */
  onUndeliverable?: (entry: Undeliverable) => void;
  /** This process, for delivery claims; a claim held by a dead process is taken over. */
  instanceId: string;
  alive: (instance: string) => Promise<boolean>;
  log: Logger;
}

/** One step of one record: every step reads the request as it is now, so a late delivery never shows a stale state. */
async function runStep(ctx: DeliveryContext, kind: StepKind, record: AuditRecord): Promise<StepResult> {
  // About the whole chain, not the record's request.
  if (kind === 'anchor') return anchorLine(ctx, record);
  const now = await ctx.current(record.requestId);
  if (!now) return 'skipped';
  const { request, approvedBy } = now;
  if (request.batch) return runBatchStep(ctx, kind, record, request);
  switch (kind) {
    case 'request_message':
      return postParent(ctx, request.id, request.channel, () => renderRequest(ctx, request.id));
    case 'thread_reply':
      return replyInThread(ctx, record, request, approvedBy);
    case 'parent_update':
      return updateParent(ctx, request);
    case 'reveal':
      return offerReveal(ctx, request);
    case 'requester_dm':
      return requesterDm(ctx, record, request);
    case 'escalation_dm':
      return escalationDms(ctx, request);
    case 'audit_line':
      return auditLine(ctx, record, request);
    case 'workflow_completion':
      return completeWorkflowStep(ctx, request);
    case 'batch_results':
      return 'skipped';
    case 'home':
      if (!ctx.refreshHome) return 'skipped';
      await ctx.refreshHome(request);
      return 'delivered';
  }
}

/**
 * The domain's Notifier port, implemented for Slack: each audit record owes the steps plan.ts
 * names, which the durable outbox (outbox.ts) files and delivers once each. A failed delivery
 * never touches the request itself, so it can never re-run provisioning.
 */
export function createSlackNotifier(deps: SlackNotifierDeps): Notifier & {
  /** Owes the audit channel a line anchoring the chain at `record` (audit-anchors.ts decides when). */
  anchor: (record: AuditRecord) => Promise<unknown>;
  sweep: () => Promise<void>;
  idle: () => Promise<void>;
  drain: (withinMs: number) => Promise<void>;
} {
  const outbox = new Outbox({
    store: deps.store,
    audit: deps.audit,
    stepsOf,
    run: (kind, record) => runStep(deps, kind, record),
    onUndeliverable: deps.onUndeliverable,
    instanceId: deps.instanceId,
    alive: deps.alive,
    log: deps.log,
  });
  return {
    publish(event) {
      void outbox.publish(event.audit);
    },
    anchor: (record) => outbox.file(record, 'anchor'),
    sweep: () => outbox.sweep(),
    idle: () => outbox.idle(),
    drain: (withinMs) => outbox.drain(withinMs),
  };
}
