import type { Logger } from 'pino';
import type { Outcome } from '../../adapters/providers/outcome.js';
import type { AnyProvider, ProviderSettings } from '../../adapters/providers/types.js';
import type { SecretBox } from '../../adapters/store/sealed.js';
import type { Store } from '../../adapters/store/types.js';
import type { AccessPolicy } from '../policy/access-policy.js';
import type { AuditLog } from '../audit.js';
import type { Notifier } from '../events.js';
import { batching } from './batch.js';
import { createCore } from './core.js';
import { deciding } from './decide.js';
import { provisioning } from './provision.js';
import { querying } from './queries.js';
import { recovering } from './recover.js';
import { submitting } from './submit.js';
import type { Liveness } from '../liveness.js';
import type { Directory, Verdict } from '../policy/decisions.js';
import type { AccessRequest } from '../requests/request.js';

export type { BatchDecision, BatchProblem, BatchSubmitResult } from './batch.js';
export { REASON_FIELD, REASON_MAX } from './submit.js';

export interface CreateCall {
  outcome: Outcome;
  request: string;
}

export interface LifecycleDeps {
  store: Store;
  audit: AuditLog;
  providers: readonly AnyProvider[];
  settings: Record<string, ProviderSettings>;
  /** The provider executor, bound to its HTTP client and logger; `dryRun` is the request's own flag, decided at submission. */
  create: (provider: AnyProvider, settings: ProviderSettings, input: unknown, call: { log: Logger; dryRun: boolean }) => Promise<CreateCall>;
  /** The policy in force now (a SIGHUP may replace it). */
  policy: () => AccessPolicy;
  /** Whether this replica's policy is the one every replica decides under now (policy-version.ts). */
  policyAgreed: () => Promise<Verdict>;
  directory: Directory;
  notifier: Notifier;
  liveness: Liveness;
  dryRun: boolean;
  /** Who the audit names when the bot acts by itself (auto-approval, expiry). */
  botActor: () => string;
  /** Requests one person may have pending at once (ADDUSER_MAX_PENDING). */
  maxPending: number;
  /** Accounts one person may have waiting at once, a batch's each counting (ADDUSER_MAX_PENDING_ACCOUNTS). */
  maxPendingAccounts: number;
  log: Logger;
  /** Encrypts the passwords the store keeps (or keeps them as they are, without a key). */
  secrets: SecretBox;
  /** Keeps a password this process handles out of every log line. */
  hideFromLogs: (value: string) => void;
  now?: () => Date;
}

export type SubmitResult =
  | { ok: true; request: AccessRequest }
  | { ok: true; duplicate: true }
  | { ok: false; errors: Record<string, string> };

export type DecisionResult = { ok: true; request: AccessRequest; remaining?: number } | { ok: false; why: string };

export type Revealed = { ok: true; secrets: { label: string; value: string }[] } | { ok: false; why: string };

/**
 * The request lifecycle (SPEC §4), one module per step over a shared core (lifecycle/): submit,
 * decide, provision, recover, and the reads. Every state change is one versioned store
 * transition, so of two clicks, two replicas or a Slack retry exactly one moves the request;
 * the loser is told what happened instead. Facts that arrive outside transitions (approvals)
 * have keys of their own, so no write can overwrite another's.
 */
export function createLifecycle(deps: LifecycleDeps) {
  const core = createCore(deps);
  const { provision } = provisioning(core);
  const { announce, submit, parts, checkAccount } = submitting(core, provision);
  const decisions = deciding(core);
  return {
    get: core.get,
    approvers: core.approvers,
    settled: core.settled,
    submit,
    checkAccount,
    provision,
    ...decisions,
    ...batching(core, { parts, announce, decisions }),
    ...recovering(core, { announce, provision }),
    ...querying(core),
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
