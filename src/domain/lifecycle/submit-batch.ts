import type { FormValues } from '../../adapters/providers/types.js';
import { policyFor } from '../policy/model.js';
import { type Admission, privilegedIn } from '../policy/admission.js';
import { type Batch, BATCH_MAX_ACCOUNTS, newBatchId } from '../batch/batch.js';
import { crashPoint } from '../crash-points.js';
import { type AccessRequest, REASON_FIELD } from '../requests/request.js';
import { type Core, providerOf } from './core.js';
import { batchKey } from '../requests/keys.js';
import { announce, draft, keep } from './filing.js';
import { type Checked, type Judged, validate } from './form-check.js';
import { admitMore } from './limits.js';
import { admitNow, approveByRule } from './rule-approval.js';

/**
 * SPEC §9: a batch files one ordinary request per account. Every member is validated, admitted
 * and stored like a request of its own (the same parts as `submit`: form-check, limits,
 * rule-approval, filing); decide-batch.ts decides them together.
 */

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

/**
 * Every member's `requested` record; then, when a rule approves every account, each approval.
 * The rules are asked again at that moment, under the policy in force then: the admissions
 * that let the batch be stored were computed before the ack.
 */
async function announceAll(core: Core, requests: readonly AccessRequest[], judged: readonly Judged[], autoAtSubmit: boolean): Promise<void> {
  for (const request of requests) await announce(core, request);
  crashPoint('after-submit');
  if (!autoAtSubmit) return;
  const admissions = await Promise.all(requests.map((request, index) => admitNow(core, request, judged[index]!, providerOf(core, request.provider)?.label ?? request.provider)));
  const rules = admissions.map((admission) => (admission.kind === 'auto' ? admission.rule.name : undefined));
  // One decision for the batch: a policy rule approves it only when it approves every account.
  if (rules.includes(undefined)) return;
  const hash = core.deps.policy().hash;
  await Promise.all(requests.map((request, index) => approveByRule(core, request, rules[index]!, hash)));
}

/** SPEC §8 `privileged: in_bulk: refuse`: such a value is asked for on its own, never inside a batch. */
function refusedInBulk(core: Core, valid: readonly { provider: { id: string; label: string }; judged: Judged }[]): BatchProblem[] {
  return valid.flatMap((checked, account) => {
    const rules = policyFor(core.deps.policy(), checked.provider.id);
    if (rules.privileged?.inBulk !== 'refuse') return [];
    return privilegedIn(rules, checked.judged.fields).map(({ field, value }) => ({
      account,
      field,
      message: `${value} is privileged for ${checked.provider.label}: ask for this account on its own with /adduser ${checked.provider.id}, not in a batch.`,
    }));
  });
}

export interface BatchArgs {
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
}

/** Every account checked as a form with the batch's reason (said once): what is wrong, or every account checked. */
function checkAll(core: Core, args: BatchArgs): { ok: true; valid: Checked[] } | { ok: false; problems: BatchProblem[] } {
  if (args.accounts.length === 0) return { ok: false, problems: [{ field: 'accounts', message: 'There are no accounts to ask for.' }] };
  if (args.accounts.length > BATCH_MAX_ACCOUNTS) {
    return { ok: false, problems: [{ field: 'accounts', message: `One request may hold at most ${BATCH_MAX_ACCOUNTS} accounts; this one has ${args.accounts.length}.` }] };
  }
  const problems: BatchProblem[] = [];
  const checks = args.accounts.map((account) => validate(core, account.provider, { ...account.form, [REASON_FIELD]: args.reason }));
  checks.forEach((checked, account) => {
    if (checked.ok) return;
    for (const [field, message] of Object.entries(checked.errors)) {
      if (field === REASON_FIELD) {
        if (!problems.some((problem) => problem.field === REASON_FIELD)) problems.push({ field, message });
      } else problems.push({ account, field, message });
    }
  });
  const valid = checks.flatMap((checked) => (checked.ok ? [checked] : []));
  return problems.length > 0 || valid.length !== checks.length ? { ok: false, problems } : { ok: true, valid };
}

/** Whether the policy lets this person ask for every account, in bulk, now: each account's admission, or what is wrong. */
async function admitAll(core: Core, requester: string, valid: readonly Checked[]): Promise<{ ok: true; admissions: Admission[] } | { ok: false; problems: BatchProblem[] }> {
  const agreed = await core.deps.policyAgreed();
  if (!agreed.ok) return { ok: false, problems: [{ field: 'provider', message: agreed.why }] };
  const problems: BatchProblem[] = [];
  const admissions = await Promise.all(valid.map((checked) => admitNow(core, { provider: checked.provider.id, requester }, checked.judged, checked.provider.label)));
  admissions.forEach((admission, account) => {
    if (admission.kind === 'refused') problems.push({ account, field: 'provider', message: admission.why });
  });
  problems.push(...refusedInBulk(core, valid));
  const refusal = problems.length === 0 ? await admitMore(core, requester, valid.length) : undefined;
  if (refusal) problems.push({ field: 'provider', message: refusal });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, admissions };
}

/** The batch record, then its members, each an ordinary request. */
async function keepBatch(core: Core, args: BatchArgs, valid: readonly Checked[]): Promise<{ batch: Batch; requests: AccessRequest[] }> {
  const created = core.now();
  const id = newBatchId();
  const requests = valid.map((checked, index) => draft(core, checked, { requester: args.requester, channel: args.channel, batch: { id, index } }, created));
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
  await core.deps.store.add(batchKey(id), batch);
  await core.index.batchPending(args.requester, id, requests.map((request) => request.expiresAt).sort().at(-1)!);
  await Promise.all(requests.map((request) => keep(core, request)));
  return { batch, requests };
}

/**
 * Validates every account with its provider's schema and policy; only a batch whose every
 * account is valid and admitted is stored, as one request per account behind one batch.
 */
export async function submitBatch(core: Core, args: BatchArgs): Promise<BatchSubmitResult> {
  const checked = checkAll(core, args);
  if (!checked.ok) return checked;
  const { valid } = checked;
  const admitted = await admitAll(core, args.requester, valid);
  if (!admitted.ok) return admitted;
  if (args.admit && !(await args.admit())) return { ok: true, duplicate: true };
  const { batch, requests } = await keepBatch(core, args, valid);
  crashPoint('after-store');
  // Stored is accepted: the announcements (one audit record per account) and a rule's approval
  // follow after the caller answers Slack. A crash before they are written leaves the members
  // unannounced, and recovery announces them.
  const auto = admitted.admissions.every((admission) => admission.kind === 'auto');
  void core.background.run(announceAll(core, requests, valid.map((one) => one.judged), auto));
  return { ok: true, batch, requests };
}
