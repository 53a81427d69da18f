import { approve } from './approve.js';
import { cancel } from './cancel.js';
import { type Core, createCore } from './core.js';
import { approveBatch, cancelBatch, rejectBatch } from './decide-batch.js';
import { escalateDue } from './escalate.js';
import { expire } from './expire.js';
import { checkAccount } from './form-check.js';
import { provision } from './provision.js';
import { recover } from './recover.js';
import { reject } from './reject.js';
import { forgetRevealed, peekRevealed } from './reveal.js';
import { markDone, retry } from './settle-unknown.js';
import { submitBatch } from './submit-batch.js';
import { submit } from './submit.js';
import type { LifecycleDeps } from './types.js';

export type { BatchDecision } from './decide-batch.js';
export type { BatchProblem, BatchSubmitResult } from './submit-batch.js';
export type { CreateCall, DecisionResult, LifecycleDeps, Revealed, SubmitResult } from './types.js';

/**
 * The request lifecycle (SPEC §4): one use case per module (lifecycle/), each a function of the
 * shared core, which this binds once. It reads requests through the reads it is given
 * (requests/reads.ts) and does not offer them again: whoever only reads needs no lifecycle.
 * Every state change is one versioned store transition, so of two clicks, two replicas or a
 * Slack retry exactly one moves the request; the loser is told what happened instead. Facts
 * that arrive outside transitions (approvals) have keys of their own, so no write can
 * overwrite another's.
 */
export function createLifecycle(deps: LifecycleDeps) {
  const core = createCore(deps);
  const bound = <A extends unknown[], R>(step: (core: Core, ...args: A) => R) => (...args: A): R => step(core, ...args);
  return {
    submit: bound(submit),
    checkAccount: bound(checkAccount),
    submitBatch: bound(submitBatch),
    approve: bound(approve),
    reject: bound(reject),
    cancel: bound(cancel),
    approveBatch: bound(approveBatch),
    rejectBatch: bound(rejectBatch),
    cancelBatch: bound(cancelBatch),
    provision: bound(provision),
    retry: bound(retry),
    markDone: bound(markDone),
    expire: bound(expire),
    escalateDue: bound(escalateDue),
    recover: bound(recover),
    peekRevealed: bound(peekRevealed),
    forgetRevealed: bound(forgetRevealed),
    /** The reminder for this request went out. */
    reminded: (id: string) => core.index.reminded(id),
    /** Indexes requests stored by versions that kept no indexes (once per store). */
    backfillIndexes: () => core.index.backfill(deps.requests.get),
    settled: () => core.background.settled(),
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
