import type { FormValues } from '../../adapters/providers/types.js';
import { policyFor } from '../policy/model.js';
import { privilegedIn } from '../policy/admission.js';
import { type Batch, BATCH_MAX_ACCOUNTS, newBatchId } from '../batch/batch.js';
import { crashPoint } from '../crash-points.js';
import type { DecisionResult } from './types.js';
import type { AccessRequest } from '../requests/request.js';
import type { Core } from './core.js';
import type { deciding } from './decide.js';
import { batchKey } from '../requests/keys.js';
import { type Judged, type Submitting } from './submit.js';
import { REASON_FIELD } from '../requests/request.js';

/** What is wrong with a batch: one account's field (by its place in the batch), or the whole batch's. */
export interface BatchProblem {
  account?: number;
  field: string;
  message: string;
}

export type BatchSubmitResult =
  | { ok: true; batch: Batch; requests: AccessRequest[] }
  | { ok: true; duplicate: true }
  | { ok: false; problems: BatchProblem[] };

export type BatchDecision =
  | {
      ok: true;
      batch: Batch;
      /** Members this decision moved (approved: those whose approvals are complete or counted). */
      moved: AccessRequest[];
      /** Members approved for good by this click: their provider calls are the caller's to start. */
      provision: string[];
      /** Why members were left as they were (another provider's approvers decide them), one line per reason. */
      skipped: string[];
    }
  | { ok: false; why: string };

type Decisions = ReturnType<typeof deciding>;

/**
 * SPEC §9: a batch files one ordinary request per account and decides them together. Every
 * member is validated, admitted and stored like a request of its own (the same parts as
 * `submit`), and a decision on the batch is that decision on each pending member, each one
 * atomic as ever: an approver counts for the members whose providers they may approve.
 */
export function batching(core: Core, steps: { parts: Submitting['parts']; announce: Submitting['announce']; decisions: Decisions }) {
  const { deps, store, now } = core;
  const { validate, draft, keep, admitMore, admitNow, approveByRule } = steps.parts;

  /**
   * The decision on every pending member. Refusals that hold for every member come back as the
   * batch's refusal; a refusal for some members only is said alongside what moved.
   */
  async function decide(id: string, run: (member: AccessRequest) => Promise<DecisionResult>): Promise<BatchDecision> {
    const found = await deps.requests.batchOf(id);
    if (!found) return { ok: false, why: 'This request no longer exists.' };
    const { batch, members } = found;
    const pending = members.filter((member) => member.state === 'pending');
    if (pending.length === 0) return { ok: false, why: 'This request is already decided.' };
    const results = await Promise.all(pending.map(run));
    const moved: AccessRequest[] = [];
    const provision: string[] = [];
    const skipped = new Set<string>();
    for (const result of results) {
      if (!result.ok) {
        skipped.add(result.why);
        continue;
      }
      moved.push(result.request);
      if (result.remaining === 0) provision.push(result.request.id);
    }
    if (moved.length === 0) return { ok: false, why: [...skipped].join(' ') };
    return { ok: true, batch, moved, provision, skipped: [...skipped] };
  }

  /**
   * Every member's `requested` record; then, when a rule approves every account, each approval.
   * The rules are asked again at that moment, under the policy in force then: the admissions
   * that let the batch be stored were computed before the ack.
   */
  async function announceAll(requests: readonly AccessRequest[], judged: readonly Judged[], autoAtSubmit: boolean): Promise<void> {
    for (const request of requests) await steps.announce(request);
    crashPoint('after-submit');
    if (!autoAtSubmit) return;
    const admissions = await Promise.all(requests.map((request, index) => admitNow(request, judged[index]!, core.providerOf(request.provider)?.label ?? request.provider)));
    const rules = admissions.map((admission) => (admission.kind === 'auto' ? admission.rule.name : undefined));
    // One decision for the batch: a policy rule approves it only when it approves every account.
    if (rules.includes(undefined)) return;
    const hash = deps.policy().hash;
    await Promise.all(requests.map((request, index) => approveByRule(request, rules[index]!, hash)));
  }

  /** SPEC §8 `privileged: in_bulk: refuse`: such a value is asked for on its own, never inside a batch. */
  function refusedInBulk(valid: readonly { provider: { id: string; label: string }; judged: Judged }[]): BatchProblem[] {
    return valid.flatMap((checked, account) => {
      const rules = policyFor(deps.policy(), checked.provider.id);
      if (rules.privileged?.inBulk !== 'refuse') return [];
      return privilegedIn(rules, checked.judged.fields).map(({ field, value }) => ({
        account,
        field,
        message: `${value} is privileged for ${checked.provider.label}: ask for this account on its own with /adduser ${checked.provider.id}, not in a batch.`,
      }));
    });
  }

  return {
    /**
     * Validates every account with its provider's schema and policy; only a batch whose every
     * account is valid and admitted is stored, as one request per account behind one batch.
     */
    async submitBatch(args: {
      requester: string;
      channel: string;
      reason: string;
      kind: Batch['kind'];
      preset?: string;
      person?: string;
      /** A CSV batch: each account's row in the file. */
      rows?: readonly number[];
      accounts: readonly { provider: string; form: FormValues }[];
      admit?: () => Promise<boolean>;
    }): Promise<BatchSubmitResult> {
      if (args.accounts.length === 0) return { ok: false, problems: [{ field: 'accounts', message: 'There are no accounts to ask for.' }] };
      if (args.accounts.length > BATCH_MAX_ACCOUNTS) {
        return { ok: false, problems: [{ field: 'accounts', message: `One request may hold at most ${BATCH_MAX_ACCOUNTS} accounts; this one has ${args.accounts.length}.` }] };
      }
      const problems: BatchProblem[] = [];
      const checks = args.accounts.map((account) => validate(account.provider, { ...account.form, [REASON_FIELD]: args.reason }));
      checks.forEach((checked, account) => {
        if (checked.ok) return;
        for (const [field, message] of Object.entries(checked.errors)) {
          if (field === REASON_FIELD) {
            if (!problems.some((problem) => problem.field === REASON_FIELD)) problems.push({ field, message });
          } else problems.push({ account, field, message });
        }
      });
      const valid = checks.flatMap((checked) => (checked.ok ? [checked] : []));
      if (problems.length > 0 || valid.length !== checks.length) return { ok: false, problems };
      const agreed = await deps.policyAgreed();
      if (!agreed.ok) return { ok: false, problems: [{ field: 'provider', message: agreed.why }] };

      const admissions = await Promise.all(valid.map((checked) => admitNow({ provider: checked.provider.id, requester: args.requester }, checked.judged, checked.provider.label)));
      admissions.forEach((admission, account) => {
        if (admission.kind === 'refused') problems.push({ account, field: 'provider', message: admission.why });
      });
      problems.push(...refusedInBulk(valid));
      const refusal = problems.length === 0 ? await admitMore(args.requester, valid.length) : undefined;
      if (refusal) problems.push({ field: 'provider', message: refusal });
      if (problems.length > 0) return { ok: false, problems };
      if (args.admit && !(await args.admit())) return { ok: true, duplicate: true };

      const created = now();
      const id = newBatchId();
      const requests = valid.map((checked, index) => draft(checked, { requester: args.requester, channel: args.channel, batch: { id, index } }, created));
      const batch: Batch = {
        id,
        kind: args.kind,
        ...(args.preset !== undefined && { preset: args.preset }),
        ...(args.person !== undefined && { person: args.person }),
        ...(args.rows && { rows: [...args.rows] }),
        requester: args.requester,
        reason: valid[0]!.reason,
        channel: args.channel,
        members: requests.map((request) => request.id),
        createdAt: created.toISOString(),
      };
      // The batch first: a member is never stored without the batch it names.
      await store.add(batchKey(id), batch);
      await core.index.batchPending(args.requester, id, requests.map((request) => request.expiresAt).sort().at(-1)!);
      await Promise.all(requests.map(keep));
      crashPoint('after-store');
      // Stored is accepted: the announcements (one audit record per account) and a rule's approval
      // follow after the caller answers Slack. A crash before they are written leaves the members
      // unannounced, and recovery announces them.
      const auto = admissions.every((admission) => admission.kind === 'auto');
      void core.inBackground(announceAll(requests, valid.map((checked) => checked.judged), auto));
      return { ok: true, batch, requests };
    },

    approveBatch: (id: string, user: string) => decide(id, (member) => steps.decisions.approve(member.id, user)),
    rejectBatch: (id: string, user: string, reason: string) => decide(id, (member) => steps.decisions.reject(member.id, user, reason)),
    cancelBatch: (id: string, user: string) => decide(id, (member) => steps.decisions.cancel(member.id, user)),
  };
}
