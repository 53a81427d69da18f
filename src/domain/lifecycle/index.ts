import { batching } from './batch.js';
import { createCore } from './core.js';
import { deciding } from './decide.js';
import { provisioning } from './provision.js';
import { querying } from './queries.js';
import { recovering } from './recover.js';
import { submitting } from './submit.js';
import type { LifecycleDeps } from './types.js';

export type { BatchDecision, BatchProblem, BatchSubmitResult } from './batch.js';
export type { CreateCall, DecisionResult, LifecycleDeps, Revealed, SubmitResult } from './types.js';

/**
 * The request lifecycle (SPEC §4), one module per step over a shared core (lifecycle/): submit,
 * decide, provision, recover. It reads requests through the reads it is given (requests/reads.ts),
 * which it does not offer again: whoever only reads needs no lifecycle. Every state change is one versioned store
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
