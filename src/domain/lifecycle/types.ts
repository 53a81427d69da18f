import type { Logger } from 'pino';
import type { Outcome } from '../../adapters/providers/outcome.js';
import type { AnyProvider, ProviderSettings } from '../../adapters/providers/types.js';
import type { SecretBox } from '../../adapters/store/sealed.js';
import type { Store } from '../../adapters/store/types.js';
import type { AuditLog } from '../audit.js';
import type { Notifier } from '../events.js';
import type { Liveness } from '../liveness.js';
import type { AccessPolicy } from '../policy/model.js';
import type { Directory, Verdict } from '../policy/model.js';
import type { RequestReads } from '../requests/reads.js';
import type { AccessRequest } from '../requests/request.js';

/** The lifecycle's ports and answers: what it is handed, and what its steps return to callers. */

export interface CreateCall {
  outcome: Outcome;
  request: string;
}

export interface LifecycleDeps {
  store: Store;
  /** The requests as they are now: the lifecycle reads through the same reads the Slack surfaces use. */
  requests: RequestReads;
  audit: AuditLog;
  providers: readonly AnyProvider[];
  settings: Record<string, ProviderSettings>;
  /** The provider executor, bound to its HTTP client and logger; `dryRun` is the request's own flag, decided at submission. */
  create: (provider: AnyProvider, settings: ProviderSettings, input: unknown, call: { log: Logger; dryRun: boolean }) => Promise<CreateCall>;
  /** The policy in force now (a SIGHUP may replace it). */
  policy: () => AccessPolicy;
  /** Whether this replica's policy is the one every replica decides under now (policy/version.ts). */
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
