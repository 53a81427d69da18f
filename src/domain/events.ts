import type { AuditRecord } from './audit.js';
import type { AccessRequest } from './request.js';

/**
 * Something that happened to a request, after the store and the audit log have it. The
 * Slack layer turns each into a thread reply, a parent update and an audit-channel message.
 */
export interface LifecycleEvent {
  request: AccessRequest;
  audit: AuditRecord;
  /** Approvals so far and still needed, for `approved` events while more are required. */
  approvals?: { by: readonly string[]; remaining: number };
  /** Generated secrets to show once, privately, to the requester (SMS Central's new password). */
  privateToRequester?: { label: string; value: string }[];
}

/** The domain's only way out to people: a port the Slack layer implements. */
export interface Notifier {
  /** Must not block on Slack: the caller may still owe Slack an ack. */
  publish(event: LifecycleEvent): void;
}
