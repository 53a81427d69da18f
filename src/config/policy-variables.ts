import type { AccessPolicy, ProviderPolicy } from '../domain/policy/model.js';
import type { ApproverSet } from '../domain/policy/model.js';

export interface PolicyVariables {
  requestsChannel: string | undefined;
  approvers: ApproverSet | undefined;
  approversByProvider: Readonly<Record<string, ApproverSet | undefined>>;
  requiredApprovals: number;
  ttlMs: number;
}

/** SPEC §2's policy variables as the same policy a file describes: everyone may ask, no rules, no escalation. */
export function policyFromVariables(variables: PolicyVariables): AccessPolicy {
  const defaults: ProviderPolicy = {
    requestsChannel: variables.requestsChannel,
    approvers: variables.approvers,
    requiredApprovals: variables.requiredApprovals,
    ttlMs: variables.ttlMs,
    autoApprove: [],
  };
  return {
    source: 'environment',
    defaults,
    providers: Object.fromEntries(
      Object.entries(variables.approversByProvider).map(([id, approvers]) => [id, { ...defaults, approvers: approvers ?? defaults.approvers }]),
    ),
    presets: {},
  };
}
