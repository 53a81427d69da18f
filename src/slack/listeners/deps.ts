import type { Logger } from 'pino';
import type { LookupService } from '../../adapters/providers/lookups.js';
import type { AnyProvider } from '../../adapters/providers/types.js';
import type { Config } from '../../config/schema.js';
import type { AccessPolicy } from '../../domain/policy/model.js';
import type { AuditLog } from '../../domain/audit.js';
import type { Claim } from '../../domain/claims.js';
import type { Lifecycle } from '../../domain/lifecycle/index.js';
import type { Directory } from '../../domain/policy/model.js';
import type { RequestReads } from '../../domain/requests/reads.js';
import type { Metrics } from '../../observability/metrics.js';
import type { FunctionTokens } from '../delivery/function-tokens.js';
import type { Home } from '../delivery/home.js';
import type { Threads } from '../delivery/threads.js';

/** What every listener may use: the domain and read-only configuration, never an adapter's internals. */
export interface SlackDeps {
  config: Config;
  /** The policy in force now: a SIGHUP may replace it, so read it per use. */
  policy: () => AccessPolicy;
  providers: readonly AnyProvider[];
  lifecycle: Lifecycle;
  /** Requests, batches and approvals as they are now. */
  requests: RequestReads;
  audit: AuditLog;
  directory: Directory;
  lookups: LookupService;
  threads: Threads;
  metrics: Metrics;
  /**
   * Whether this attempt is the first at `key` (shared by every replica): Slack may deliver a form's
   * submission or a step's event twice. An attempt that failed for want of the store gives it back.
   */
  claim: (key: string, attempt: string) => Claim;
  home: Home;
  /** The execution tokens of workflow steps waiting for their request. */
  functionTokens: FunctionTokens;
  log: Logger;
}
