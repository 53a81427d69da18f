import { randomInt } from 'node:crypto';
import { type FormValues, passwordFieldIds } from '../../adapters/providers/types.js';
import { policyFor } from '../policy/model.js';
import { type Admission, admit, escalationDueAt, type RuleInput } from '../policy/admission.js';
import { crashPoint } from '../crash-points.js';
import type { SubmitResult } from './types.js';
import { type AccessRequest, newRequestId, REASON_FIELD, REASON_MAX } from '../requests/request.js';
import { type Core, move, providerOf, record, sealForm } from './core.js';
import { ALL_REQUESTS_KEY, announcedKey, byUserKey, requestKey } from '../requests/keys.js';
import { provision } from './provision.js';

/** 20 characters from an unambiguous alphabet with every class present: ~115 bits. */
function generatePassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-=?@_'];
  const all = sets.join('');
  const chars = sets.map((set) => set[randomInt(set.length)]!);
  while (chars.length < 20) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** What the policy judges of a checked account; the requester completes it. */
export type Judged = Omit<RuleInput, 'requester'>;

/** The provider's own fields, checked by its schema (blank generated fields filled in). */
function checkFields(core: Core, providerId: string, form: FormValues) {
  const provider = providerOf(core, providerId);
  if (!provider) return { ok: false as const, errors: { provider: 'Choose a provider.' } as Record<string, string> };
  const values: Record<string, string | string[]> = {};
  const generated: string[] = [];
  for (const [key, value] of Object.entries(form)) {
    if (value !== undefined && key !== REASON_FIELD) values[key] = typeof value === 'string' ? value : [...value];
  }
  for (const field of provider.fields) {
    const value = values[field.id];
    if (field.generateIfBlank && (value === undefined || (typeof value === 'string' && value.trim() === ''))) {
      values[field.id] = generatePassword();
      generated.push(field.id);
    }
  }
  const parsed = provider.input.safeParse(provider.fromForm(values));
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[provider.fieldOf(issue.path)] ??= issue.message;
    return { ok: false as const, errors };
  }
  const input = parsed.data as unknown;
  // What the policy judges is what the provider will receive, not what the form happened to hold.
  const judged: Judged = { fields: { ...values, ...provider.privileges(input) }, recipients: provider.recipients(input) };
  return { ok: true as const, provider, values, generated, input, judged };
}

export function validate(core: Core, providerId: string, form: FormValues) {
  const errors: Record<string, string> = {};
  const reason = typeof form[REASON_FIELD] === 'string' ? form[REASON_FIELD].trim() : '';
  if (reason.length < 3) errors[REASON_FIELD] = 'Give a reason approvers can judge (at least 3 characters).';
  else if (reason.length > REASON_MAX) errors[REASON_FIELD] = `Keep the reason under ${REASON_MAX} characters.`;
  const fields = checkFields(core, providerId, form);
  if (!fields.ok) {
    // An unknown provider is the only problem worth saying then.
    if ('provider' in fields.errors && !providerOf(core, providerId)) return { ok: false as const, errors: fields.errors };
    Object.assign(errors, fields.errors);
  }
  if (Object.keys(errors).length > 0 || !fields.ok) return { ok: false as const, errors };
  return { ...fields, reason };
}

/** A form its provider's schema and the reason check accept. */
export type Checked = Extract<ReturnType<typeof validate>, { ok: true }>;

/** One account's fields as its provider checks them, without storing anything (a CSV's rows). */
export function checkAccount(core: Core, providerId: string, form: FormValues): { ok: true; target: string } | { ok: false; errors: Record<string, string> } {
  const fields = checkFields(core, providerId, form);
  return fields.ok ? { ok: true, target: fields.provider.target(fields.input) } : { ok: false, errors: fields.errors };
}

/** What the policy in force decides of a request now: admission is judged again at the moment a rule would approve. */
export function admitNow(core: Core, request: Pick<AccessRequest, 'provider' | 'requester'>, judged: Judged, label: string): Promise<Admission> {
  const { deps } = core;
  return admit(policyFor(deps.policy(), request.provider), deps.directory, { requester: request.requester, ...judged }, label);
}

/** SPEC §8: a rule approved it at submission; the bot is the approver and the rule the reason. */
export async function approveByRule(core: Core, request: AccessRequest, rule: string, policyHash: string | undefined): Promise<AccessRequest | undefined> {
  const { deps } = core;
  if (!(await deps.policyAgreed()).ok) return undefined;
  const actor = deps.botActor();
  const reason = `Approved by the policy rule "${rule}"`;
  const approved = await move(core, request, ['pending'], {
    state: 'approved',
    owner: deps.liveness.instanceId,
    decision: { by: actor, at: core.now().toISOString(), reason },
  });
  if (!approved) return undefined;
  await record(core, approved, 'approved', actor, { reason, policy: policyHash });
  void provision(core, approved.id, actor);
  return approved;
}

/** The `requested` record, which the outbox turns into the request message: written once. */
export async function announce(core: Core, request: AccessRequest): Promise<void> {
  if (await core.deps.store.add(announcedKey(request.id), true)) await record(core, request, 'requested', request.requester, { reason: request.reason });
  await core.index.announced(request.id);
}

/** Whether a batch still has a member waiting for approval (read until the first that does). */
async function batchWaiting(core: Core, batchId: string): Promise<boolean> {
  for (const id of (await core.requests.getBatch(batchId))?.members ?? []) {
    if ((await core.requests.get(id))?.state === 'pending') return true;
  }
  return false;
}

/** Requests this person has waiting for approval, a batch counting as one: it was asked for once. */
async function waitingOf(core: Core, requester: string): Promise<number> {
  const { index, requests, deps } = core;
  const single = await index.pendingOf(requests.get, requester, deps.maxPending);
  const batches = await index.pendingBatchesOf(requester, deps.maxPending - single.length, (batchId) => batchWaiting(core, batchId));
  return single.length + batches.length;
}

const tooManyWaiting = (waiting: number) =>
  `You already have ${waiting} requests waiting for approval, the most one person may have. Cancel one from the App Home, or wait for a decision.`;

/** Whether this person may file one more request (or a batch of `accounts`) now; the refusal says why. */
export async function admitMore(core: Core, requester: string, accounts = 1): Promise<string | undefined> {
  const waiting = await waitingOf(core, requester);
  if (waiting >= core.deps.maxPending) return tooManyWaiting(waiting);
  // A batch counts once above, so 200-account batches cannot add up to thousands of accounts waiting.
  const limit = core.deps.maxPendingAccounts;
  const accountsWaiting = await core.index.pendingAccountsOf(core.requests.get, requester, limit - accounts + 1);
  if (accountsWaiting + accounts <= limit) return undefined;
  const asked = accounts === 1 ? 'one more' : `${accounts} more`;
  return `You already have ${accountsWaiting} accounts waiting for approval; ${asked} would pass ${limit}, the most one person may have waiting. Wait for a decision, or cancel a request from the App Home.`;
}

/** A checked form as a new pending request, not stored yet. */
export function draft(
  core: Core,
  checked: Checked,
  args: { requester: string; channel: string; workflow?: AccessRequest['workflow']; batch?: AccessRequest['batch'] },
  created: Date,
): AccessRequest {
  const { deps } = core;
  const { provider, reason, values, generated, input } = checked;
  // Only a request that will be stored has passwords worth keeping out of the logs: a refused
  // file's rows never reach a log line, and registering them would let anyone grow the list.
  for (const id of passwordFieldIds(provider)) {
    const value = values[id];
    if (typeof value === 'string' && value !== '') deps.hideFromLogs(value);
  }
  const rules = policyFor(deps.policy(), provider.id);
  const id = newRequestId();
  const request: AccessRequest = {
    id,
    provider: provider.id,
    state: 'pending',
    requester: args.requester,
    reason,
    target: provider.target(input),
    privileges: provider.privileges(input),
    details: provider.summary(input).map((choice) => ({ label: choice.label, value: String(choice.value) })),
    form: sealForm(core, provider, values, id),
    generated,
    channel: args.channel,
    ...(args.workflow && { workflow: args.workflow }),
    ...(args.batch && { batch: args.batch }),
    dryRun: deps.dryRun || !deps.settings[provider.id]?.configured,
    attempts: 0,
    createdAt: created.toISOString(),
    updatedAt: created.toISOString(),
    expiresAt: new Date(created.getTime() + rules.ttlMs).toISOString(),
  };
  const escalateAt = escalationDueAt(rules, request.createdAt);
  if (escalateAt !== undefined) request.escalateAt = new Date(escalateAt).toISOString();
  return request;
}

/** Stores a drafted request where every reader finds it; its announcement follows. */
export async function keep(core: Core, request: AccessRequest): Promise<void> {
  const { index, deps } = core;
  await Promise.all([index.enter(request), index.unannounced(request.id)]);
  await deps.store.add(requestKey(request.id), request);
  await Promise.all([deps.store.append(byUserKey(request.requester), request.id), deps.store.append(ALL_REQUESTS_KEY, request.id)]);
}

/**
 * SPEC §3: validates with the provider's schema; only a valid request is stored. `admit`
 * runs once the form is valid and may refuse a delivery it has already seen.
 */
export async function submit(
  core: Core,
  args: {
    requester: string;
    provider: string;
    form: FormValues;
    channel: string;
    admit?: () => Promise<boolean>;
    /** Filed by a workflow's step rather than the form: the step's execution waits for the outcome. */
    workflow?: AccessRequest['workflow'];
  },
): Promise<SubmitResult> {
  const { deps } = core;
  const checked = validate(core, args.provider, args.form);
  if (!checked.ok) return { ok: false, errors: checked.errors };
  const agreed = await deps.policyAgreed();
  if (!agreed.ok) return { ok: false, errors: { provider: agreed.why } };
  const { provider, judged } = checked;
  const admission = await admitNow(core, { provider: provider.id, requester: args.requester }, judged, provider.label);
  if (admission.kind === 'refused') return { ok: false, errors: { provider: admission.why } };
  const refusal = await admitMore(core, args.requester);
  if (refusal) return { ok: false, errors: { provider: refusal } };
  if (args.admit && !(await args.admit())) return { ok: true, duplicate: true };
  const request = draft(core, checked, args, core.now());
  await keep(core, request);
  crashPoint('after-store');
  await announce(core, request);
  crashPoint('after-submit');
  if (admission.kind !== 'auto') return { ok: true, request };
  const again = await admitNow(core, request, judged, provider.label);
  return { ok: true, request: (again.kind === 'auto' && (await approveByRule(core, request, again.rule.name, deps.policy().hash))) || request };
}
