import type { AuditRecord } from './audit.js';
import type { AccessRequest } from './requests/request.js';

/**
 * Something that happened to a request, after the store and the audit log have it. The
 * audit record is the durable fact: the Slack layer delivers each record once it can,
 * so an event that was never announced (a crash, Slack down) is still delivered later.
 */
export interface LifecycleEvent {
  request: AccessRequest;
  audit: AuditRecord;
}

/** The domain's only way out to people: a port the Slack layer implements. */
export interface Notifier {
  /** Must not block on Slack: the caller may still owe Slack an ack. */
  publish(event: LifecycleEvent): void;
}
