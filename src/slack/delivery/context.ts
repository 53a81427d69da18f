import type { webApi } from '@slack/bolt';
import type { Store } from '../../adapters/store/types.js';
import type { AuditRecord } from '../../domain/audit.js';
import type { Batch } from '../../domain/batch/batch.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import type { Marked } from '../blocks/grants.js';
import type { FunctionTokens } from './function-tokens.js';
import type { Threads } from './threads.js';

/** A batch and its members as they are now, with each member's approvers so far. */
export interface BatchNow {
  batch: Batch;
  members: AccessRequest[];
  approvedBy: Map<string, string[]>;
}

/**
 * What every delivery step is handed: where to send (the client, the audit channel), how to
 * name things, what the policy says of a request now, and how to read the request, its batch
 * and its thread as they are now, so a late delivery never shows a stale state. Steps are
 * given this data and never call back into the lifecycle.
 */
export interface DeliveryContext {
  client: webApi.WebClient;
  store: Store;
  threads: Threads;
  auditChannel: string | undefined;
  labelOf: (provider: string) => string;
  fieldLabel: (provider: string, field: string) => string;
  /** Approvals a request needs under the policy in force (more when it holds a privileged value). */
  requiredApprovals: (request: AccessRequest) => number;
  /** Mentions of a provider's approvers, built from configuration (validated Slack ids). */
  approversText: (provider: string) => string;
  /** The values of a request the policy in force marks as privileged (`privileged:`). */
  privileged: (request: AccessRequest) => readonly Marked[];
  /** The request and its approvers as they are now. */
  current: (id: string) => Promise<{ request: AccessRequest; approvedBy: readonly string[] } | undefined>;
  /** A batch (SPEC §9) and its members as they are now. */
  batch: (id: string) => Promise<BatchNow | undefined>;
  /** The batch's record alone, without its members. */
  batchRecord: (id: string) => Promise<Batch | undefined>;
  /** Whether generated passwords wait for the requester to open them. */
  hasRevealed: (id: string) => Promise<boolean>;
  /** The audit log's last sequence number: what an update read the state after. */
  auditHead: () => Promise<number>;
  /** Audit records from `fromSeq` on, at most `limit`: what a batch's grouped outcomes read. */
  auditRecords: (fromSeq: number, limit: number) => Promise<AuditRecord[]>;
  /** The execution tokens of the workflow steps that filed requests. */
  functionTokens: FunctionTokens;
  /** Refreshes the App Homes that show the request. */
  refreshHome?: (request: AccessRequest) => Promise<void>;
}
