import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Outcome } from '../adapters/providers/outcome.js';
import type { AnyProvider, FormValues, ProviderSettings } from '../adapters/providers/types.js';
import { CANNOT_DECRYPT, CannotDecrypt, type SecretBox } from '../adapters/store/sealed.js';
import type { Store } from '../adapters/store/types.js';
import type { AuditAction, AuditLog } from './audit.js';
import { crashPoint } from './crash-points.js';
import type { Notifier } from './events.js';
import type { Liveness } from './liveness.js';
import { type AccessPolicy, admit, escalationDueAt, policyFor } from './access-policy.js';
import { type Directory, mayApprove, mayCancel, mayReject, mayResolveUnknown, type Verdict } from './policy.js';
import { type AccessRequest, isFinal, newRequestId, type RequestState, withoutForm } from './request.js';
import { createRequestIndex } from './request-index.js';

export const REASON_FIELD = 'reason';
export const REASON_MAX = 2_000;

export interface CreateCall {
  outcome: Outcome;
  request: string;
}

export interface LifecycleDeps {
  store: Store;
  audit: AuditLog;
  providers: readonly AnyProvider[];
  settings: Record<string, ProviderSettings>;
  /** The provider executor, bound to its HTTP client and logger. */
  /** `dryRun` is the request's own flag, decided at submission. */
  create: (provider: AnyProvider, settings: ProviderSettings, input: unknown, call: { log: Logger; dryRun: boolean }) => Promise<CreateCall>;
  /** The policy in force now (a SIGHUP may replace it). */
  policy: () => AccessPolicy;
  directory: Directory;
  notifier: Notifier;
  liveness: Liveness;
  dryRun: boolean;
  /** Who the audit names when the bot acts by itself (auto-approval, expiry). */
  botActor: () => string;
  /** Requests one person may have pending at once (ADDUSER_MAX_PENDING). */
  maxPending: number;
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

const requestKey = (id: string) => `request:${id}`;
const approvalsKey = (id: string) => `request:${id}:approvals`;
const approvalMarkKey = (id: string, user: string) => `request:${id}:approved-by:${user}`;
const byUserKey = (user: string) => `requests:by-user:${user}`;
/** Every request ever stored, in order: the one list that names them all (read once, to build the indexes). */
export const ALL_REQUESTS_KEY = 'requests:all';
/** Generated secrets waiting to be shown once to the requester; gone once shown, or after a week. */
const revealKey = (id: string) => `request:${id}:reveal`;
/** Set-if-absent: exactly one `requested` record per request, whether the submitter or recovery writes it. */
const announcedKey = (id: string) => `request:${id}:announced`;
/** A live process writes the `requested` record within moments of storing the request; after this, it crashed. */
const ANNOUNCE_GRACE_MS = 5_000;
const REVEAL_TTL_MS = 7 * 86_400_000;
/** In-flight requests looked at per recovery pass; more wait for the next pass. */
const RECOVERY_BATCH = 500;

/** 20 characters from an unambiguous alphabet with every class present: ~115 bits. */
export function generatePassword(): string {
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

function outcomeState(outcome: Outcome): Extract<RequestState, 'succeeded' | 'failed' | 'unknown'> {
  if (outcome.kind === 'created' || outcome.kind === 'dry_run') return 'succeeded';
  if (outcome.kind === 'unknown') return 'unknown';
  return 'failed';
}

/**
 * The request lifecycle (SPEC §4). Every state change is one atomic store transition, so of
 * two clicks, two replicas or a Slack retry exactly one moves the request; the loser is told
 * what happened instead. Facts that arrive outside transitions (approvals) have keys of their
 * own, so no write can overwrite another's.
 */
export function createLifecycle(deps: LifecycleDeps) {
  const { store, audit, notifier, directory, log } = deps;
  const now = deps.now ?? (() => new Date());
  const index = createRequestIndex(store, ALL_REQUESTS_KEY, () => now().getTime());

  const providerOf = (id: string) => deps.providers.find((provider) => provider.id === id);
  const passwordFields = (provider: AnyProvider) => provider.fields.filter((field) => field.kind === 'password').map((field) => field.id);

  /** The form as the store keeps it: password fields sealed. */
  function sealForm(provider: AnyProvider, values: Record<string, string | string[]>) {
    const sealed = { ...values };
    for (const id of passwordFields(provider)) {
      const value = sealed[id];
      if (typeof value === 'string' && value !== '') sealed[id] = deps.secrets.seal(value);
    }
    return sealed;
  }

  /** The stored form with its passwords opened; undefined when they were sealed under another key. */
  function openForm(provider: AnyProvider, request: AccessRequest): AccessRequest['form'] | undefined {
    const opened = { ...request.form };
    try {
      for (const id of passwordFields(provider)) {
        const value = opened[id];
        if (typeof value !== 'string') continue;
        opened[id] = deps.secrets.open(value);
        deps.hideFromLogs(opened[id]);
      }
      return opened;
    } catch (error) {
      if (!(error instanceof CannotDecrypt)) throw error;
      log.warn({ requestId: request.id }, 'a stored password cannot be decrypted with this ADDUSER_SECRET_KEY');
      return undefined;
    }
  }

  async function record(
    request: AccessRequest,
    action: AuditAction,
    actor: string,
    fields: { reason?: string; providerUserId?: string; error?: string; policy?: string } = {},
  ): Promise<void> {
    log.info({ requestId: request.id, action, actor, provider: request.provider, state: request.state }, `request ${action}`);
    const entry = await audit.append({
      requestId: request.id,
      actor,
      action,
      provider: request.provider,
      target: request.target,
      dryRun: request.dryRun,
      ...fields,
    });
    // The form may hold a password: nothing outside the store ever sees it.
    notifier.publish({ request: withoutForm(request), audit: entry });
  }

  const inFlight = new Set<Promise<void>>();
  /**
   * Work that need not hold up the caller: audit appends (the provider call waits for nobody;
   * appends are queued in order per process, so the chain still reads approved → provisioning)
   * and provider calls after an ack. `settled()` waits for all of it.
   */
  function inBackground(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error: unknown) => log.error({ err: error }, 'background lifecycle work failed'));
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return tracked;
  }

  async function get(id: string): Promise<AccessRequest | undefined> {
    return store.get<AccessRequest>(requestKey(id));
  }

  async function approvers(id: string): Promise<string[]> {
    return (await store.range<{ user: string }>(approvalsKey(id), 0, -1)).map((entry) => entry.user);
  }

  /**
   * Moves `request` to `next` if it is still in one of `from` and nobody moved it since it was
   * read (its version); undefined when someone else moved it first.
   */
  async function move(request: AccessRequest, from: readonly RequestState[], changes: Partial<AccessRequest>) {
    const version = request.version ?? 0;
    const next: AccessRequest = { ...request, ...changes, version: version + 1, updatedAt: now().toISOString() };
    const stored = isFinal(next.state) ? withoutForm(next) : next;
    await index.enter(stored);
    if (!(await store.transition(requestKey(request.id), from, stored, version))) return undefined;
    await index.leave(stored);
    return stored;
  }

  async function refusedBecauseMoved(id: string): Promise<DecisionResult> {
    const current = await get(id);
    return { ok: false, why: `This request is already ${current?.state ?? 'gone'}.` };
  }

  function validate(providerId: string, form: FormValues) {
    const errors: Record<string, string> = {};
    const provider = providerOf(providerId);
    if (!provider) return { ok: false as const, errors: { provider: 'Choose a provider.' } };
    const reason = typeof form[REASON_FIELD] === 'string' ? form[REASON_FIELD].trim() : '';
    if (reason.length < 3) errors[REASON_FIELD] = 'Give a reason approvers can judge (at least 3 characters).';
    else if (reason.length > REASON_MAX) errors[REASON_FIELD] = `Keep the reason under ${REASON_MAX} characters.`;

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
    for (const id of passwordFields(provider)) {
      const value = values[id];
      if (typeof value === 'string' && value !== '') deps.hideFromLogs(value);
    }
    const parsed = provider.input.safeParse(provider.fromForm(values));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = provider.fieldOf(issue.path);
        errors[field] ??= issue.message;
      }
    }
    if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false as const, errors };
    return { ok: true as const, provider, reason, values, generated, input: parsed.data as unknown };
  }

  /**
   * Calls the provider for an approved request. Only the caller that moves it to
   * `provisioning` calls; a crash or timeout after that leaves `unknown`, never a repeat.
   */
  async function provisionNow(id: string, actor: string): Promise<AccessRequest | undefined> {
    const request = await get(id);
    if (!request || request.state !== 'approved') return undefined;
    const provider = providerOf(request.provider);
    const provisioning = await move(request, ['approved'], {
      state: 'provisioning',
      owner: deps.liveness.instanceId,
      attempts: request.attempts + 1,
    });
    if (!provisioning || !provider) return undefined;
    const audited = inBackground(record(provisioning, 'provisioning', actor));

    let outcome: Outcome;
    let wireRequest: string | undefined;
    const form = openForm(provider, provisioning);
    const parsed = form && provider.input.safeParse(provider.fromForm(form));
    if (!parsed) {
      outcome = { kind: 'rejected', message: CANNOT_DECRYPT };
    } else if (!parsed.success) {
      outcome = { kind: 'rejected', message: `The stored request no longer passes ${provider.label}'s checks.` };
    } else {
      try {
        const result = await deps.create(provider, deps.settings[provider.id]!, parsed.data, {
          log: log.child({ requestId: id }),
          dryRun: provisioning.dryRun,
        });
        outcome = result.outcome;
        wireRequest = result.request;
      } catch (error) {
        log.error({ err: error, requestId: id }, 'provider call threw');
        outcome = { kind: 'unknown', message: `${provider.label}: the call failed unexpectedly; the user may or may not exist.` };
      }
    }
    const state = outcomeState(outcome);
    if (outcome.kind === 'created' && provisioning.generated.length > 0) {
      // Kept apart before the form is dropped, so a crash before Slack is told loses nothing;
      // the values stay sealed as the stored form holds them.
      const secrets = provisioning.generated.map((fieldId) => ({
        label: provider.fields.find((field) => field.id === fieldId)?.label ?? fieldId,
        value: String(provisioning.form[fieldId]),
      }));
      await store.set(revealKey(id), secrets, REVEAL_TTL_MS);
    }
    const answer = {
      providerUserId: outcome.kind === 'created' ? outcome.providerUserId : undefined,
      error: outcome.kind !== 'created' && outcome.kind !== 'dry_run' ? outcome.message : undefined,
    };
    const done = (await move(provisioning, ['provisioning'], { state, outcome, wireRequest })) ?? (await settleLate(provisioning, state, outcome, wireRequest));
    await audited;
    if (!done) {
      // The request moved on (an approver chose Retry, say): the answer is still a fact the audit and the thread must show.
      log.warn({ requestId: id, attempt: provisioning.attempts, outcome: outcome.kind }, 'a provider answer came after its request had moved on');
      await record(provisioning, 'late_answer', actor, answer);
      return undefined;
    }
    await record(done, state, actor, answer);
    crashPoint('after-provider-answer');
    return done;
  }

  /**
   * A provider answer for a request another replica turned `unknown` while the call was out
   * (this process looked dead): the answer settles exactly that unknown, nothing later.
   */
  async function settleLate(provisioning: AccessRequest, state: RequestState, outcome: Outcome, wireRequest: string | undefined) {
    const current = await get(provisioning.id);
    if (current?.state !== 'unknown' || current.attempts !== provisioning.attempts) return undefined;
    log.warn({ requestId: provisioning.id, outcome: outcome.kind }, 'a late provider answer settles an outcome that was marked unknown');
    return move(current, ['unknown'], { state, outcome, wireRequest });
  }

  /** SPEC §8: a rule approved it at submission; the bot is the approver and the rule the reason. */
  async function approveByRule(request: AccessRequest, rule: string, policyHash: string | undefined): Promise<AccessRequest | undefined> {
    const actor = deps.botActor();
    const reason = `Approved by the policy rule "${rule}"`;
    const approved = await move(request, ['pending'], {
      state: 'approved',
      owner: deps.liveness.instanceId,
      decision: { by: actor, at: now().toISOString(), reason },
    });
    if (!approved) return undefined;
    await record(approved, 'approved', actor, { reason, policy: policyHash });
    void provision(approved.id, actor);
    return approved;
  }

  /** The `requested` record, which the outbox turns into the request message: written once. */
  async function announce(request: AccessRequest): Promise<void> {
    if (await store.add(announcedKey(request.id), true)) await record(request, 'requested', request.requester, { reason: request.reason });
    await index.announced(request.id);
  }

  async function expire(request: AccessRequest, actor: string): Promise<AccessRequest | undefined> {
    if (request.state !== 'pending') return undefined;
    const expired = await move(request, ['pending'], { state: 'expired' });
    if (expired) await record(expired, 'expired', actor);
    return expired;
  }

  /** Provisions an approved request; calls under way are awaited by `settled()`, so a shutdown lets them finish. */
  function provision(id: string, actor: string): Promise<AccessRequest | undefined> {
    const running = provisionNow(id, actor);
    void inBackground(running.then(() => undefined));
    return running;
  }

  return {
    get,
    approvers,

    /**
     * SPEC §3: validates with the provider's schema; only a valid request is stored. `admit`
     * runs once the form is valid and may refuse a delivery it has already seen.
     */
    async submit(args: {
      requester: string;
      provider: string;
      form: FormValues;
      channel: string;
      admit?: () => Promise<boolean>;
    }): Promise<SubmitResult> {
      const checked = validate(args.provider, args.form);
      if (!checked.ok) return { ok: false, errors: checked.errors };
      const policy = deps.policy();
      const rules = policyFor(policy, checked.provider.id);
      const target = checked.provider.target(checked.input);
      const admission = await admit(rules, directory, { requester: args.requester, fields: checked.values, email: target.includes('@') ? target : undefined }, checked.provider.label);
      if (admission.kind === 'refused') return { ok: false, errors: { provider: admission.why } };
      const waiting = await index.pendingCountOf(args.requester);
      if (waiting >= deps.maxPending) {
        return {
          ok: false,
          errors: { provider: `You already have ${waiting} requests waiting for approval, the most one person may have. Cancel one from the App Home, or wait for a decision.` },
        };
      }
      if (args.admit && !(await args.admit())) return { ok: true, duplicate: true };
      const { provider, reason, values, generated, input } = checked;
      const created = now();
      const request: AccessRequest = {
        id: newRequestId(),
        provider: provider.id,
        state: 'pending',
        requester: args.requester,
        reason,
        target,
        details: provider.summary(input).map((choice) => ({ label: choice.label, value: String(choice.value) })),
        form: sealForm(provider, values),
        generated,
        channel: args.channel,
        dryRun: deps.dryRun || !deps.settings[provider.id]?.configured,
        attempts: 0,
        createdAt: created.toISOString(),
        updatedAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + rules.ttlMs).toISOString(),
      };
      const escalateAt = escalationDueAt(rules, request.createdAt);
      if (escalateAt !== undefined) request.escalateAt = new Date(escalateAt).toISOString();
      await Promise.all([index.enter(request), index.unannounced(request.id)]);
      await store.add(requestKey(request.id), request);
      await Promise.all([store.append(byUserKey(request.requester), request.id), store.append(ALL_REQUESTS_KEY, request.id)]);
      crashPoint('after-store');
      await announce(request);
      crashPoint('after-submit');
      if (admission.kind === 'auto') return { ok: true, request: (await approveByRule(request, admission.rule.name, policy.hash)) ?? request };
      return { ok: true, request };
    },

    async approve(id: string, user: string): Promise<DecisionResult> {
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      if (request.state === 'pending' && Date.parse(request.expiresAt) <= now().getTime()) {
        // The sweep may not have come by yet: the deadline is the record's, not the sweep's.
        await expire(request, 'adduser-bot');
        return { ok: false, why: 'This request has expired: it can no longer be approved. Ask again with /adduser if it is still needed.' };
      }
      const verdict = await mayApprove(deps.policy(), directory, request, user, await approvers(id));
      if (!verdict.ok) return verdict;
      if (!(await store.add(approvalMarkKey(id, user), true))) {
        return { ok: false, why: 'You have already approved this request.' };
      }
      const count = await store.append(approvalsKey(id), { user, at: now().toISOString() });
      const remaining = Math.max(0, policyFor(deps.policy(), request.provider).requiredApprovals - count);
      if (remaining > 0) {
        await record(request, 'approved', user, { policy: deps.policy().hash });
        return { ok: true, request, remaining };
      }
      const approved = await move(request, ['pending'], {
        state: 'approved',
        owner: deps.liveness.instanceId,
        decision: { by: user, at: now().toISOString() },
      });
      if (!approved) return refusedBecauseMoved(id);
      crashPoint('after-approval');
      void inBackground(record(approved, 'approved', user, { policy: deps.policy().hash }));
      return { ok: true, request: approved, remaining: 0 };
    },

    async reject(id: string, user: string, reason: string): Promise<DecisionResult> {
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      const verdict = await mayReject(deps.policy(), directory, request, user);
      if (!verdict.ok) return verdict;
      const rejected = await move(request, ['pending'], {
        state: 'rejected',
        decision: { by: user, at: now().toISOString(), reason },
      });
      if (!rejected) return refusedBecauseMoved(id);
      await record(rejected, 'rejected', user, { reason, policy: deps.policy().hash });
      return { ok: true, request: rejected };
    },

    async cancel(id: string, user: string): Promise<DecisionResult> {
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      const verdict: Verdict = mayCancel(request, user);
      if (!verdict.ok) return verdict;
      const cancelled = await move(request, ['pending'], { state: 'cancelled', decision: { by: user, at: now().toISOString() } });
      if (!cancelled) return refusedBecauseMoved(id);
      await record(cancelled, 'cancelled', user);
      return { ok: true, request: cancelled };
    },

    async expire(id: string, actor: string): Promise<AccessRequest | undefined> {
      const request = await get(id);
      return request && expire(request, actor);
    },

    provision,


    /** Resolves once provider calls and audit records under way are done (for shutdown). */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },

    /** After `unknown`: an approver decides the create should be sent again. */
    async retry(id: string, user: string): Promise<DecisionResult> {
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      const verdict = await mayResolveUnknown(deps.policy(), directory, request, user);
      if (!verdict.ok) return verdict;
      const approved = await move(request, ['unknown'], {
        state: 'approved',
        owner: deps.liveness.instanceId,
        decision: { by: user, at: now().toISOString() },
      });
      if (!approved) return refusedBecauseMoved(id);
      await record(approved, 'retried', user);
      return { ok: true, request: approved };
    },

    /** After `unknown`: an approver checked the provider and the user exists. */
    async markDone(id: string, user: string): Promise<DecisionResult> {
      const request = await get(id);
      if (!request) return { ok: false, why: 'This request no longer exists.' };
      const verdict = await mayResolveUnknown(deps.policy(), directory, request, user);
      if (!verdict.ok) return verdict;
      const done = await move(request, ['unknown'], { state: 'succeeded', decision: { by: user, at: now().toISOString(), reason: 'marked as done' } });
      if (!done) return refusedBecauseMoved(id);
      await record(done, 'succeeded', user, { reason: 'Marked as done by an approver after an unknown outcome' });
      return { ok: true, request: done };
    },

    /**
     * Finishes what dead processes left half-done. `approved` means the provider was never
     * called, so it is provisioned now; `provisioning` means the call may have reached the
     * provider, so it becomes `unknown` for an approver to settle — never a repeated create.
     */
    async recover(actor: string): Promise<number> {
      let recovered = 0;
      for (const id of await index.orphans(ANNOUNCE_GRACE_MS, RECOVERY_BATCH)) {
        const request = await get(id);
        if (!request) {
          await index.announced(id);
          continue;
        }
        log.warn({ requestId: id }, 'announcing a request whose process died before it was announced');
        await announce(request);
        recovered += 1;
      }
      for (const request of await index.inFlight(get, RECOVERY_BATCH)) {
        if (!request.owner) continue;
        if (await deps.liveness.alive(request.owner)) continue;
        if (request.state === 'approved') {
          log.warn({ requestId: request.id }, 'recovering an approved request whose process died before the provider call');
          if (await provision(request.id, request.decision?.by ?? actor)) recovered += 1;
          continue;
        }
        const message = 'The bot stopped while the create call was in flight, so the account may or may not exist.';
        const unknown = await move(request, ['provisioning'], { state: 'unknown', outcome: { kind: 'unknown', message } });
        if (!unknown) continue;
        log.warn({ requestId: request.id }, 'a provider call was cut off by a crash: outcome unknown');
        await record(unknown, 'unknown', actor, { error: message });
        recovered += 1;
      }
      return recovered;
    },

    async recentFor(user: string, limit = 10): Promise<AccessRequest[]> {
      const ids = await store.range<string>(byUserKey(user), -limit, -1);
      const requests = await Promise.all(ids.reverse().map(get));
      return requests.filter((request): request is AccessRequest => request !== undefined);
    },

    /** Pending requests whose expiry time has come, oldest first. */
    expiring: (limit = 200) => index.expiring(get, limit),
    /** Pending requests past half their time to live, not reminded yet. */
    remindable: (limit = 200) => index.remindable(get, limit),
    /** The reminder for this request went out. */
    reminded: (id: string) => index.reminded(id),
    /** Pending requests, soonest to expire first. */
    pending: (limit = 200) => index.pending(get, limit),

    /**
     * SPEC §8: a request still pending at its escalation time escalates once (a versioned move,
     * so of several replicas one does it) to the people the policy names then, who may decide
     * it from that moment as well as its approvers.
     */
    async escalateDue(): Promise<number> {
      let escalated = 0;
      for (const request of await index.escalating(get, RECOVERY_BATCH)) {
        const to = policyFor(deps.policy(), request.provider).escalate?.to ?? { users: [], groups: [] };
        const moved = await move(request, ['pending'], { escalatedTo: { users: [...to.users], groups: [...to.groups] } });
        if (!moved) continue;
        await record(moved, 'escalated', deps.botActor(), { policy: deps.policy().hash });
        escalated += 1;
      }
      return escalated;
    },
    pendingCount: () => index.pendingCount(),
    /** Indexes requests stored by versions that kept no indexes (once per store). */
    backfillIndexes: () => index.backfill(get),

    /** Generated secrets for the requester, handed out once: the caller shows them, nobody else can. */
    async takeRevealed(id: string): Promise<Revealed | undefined> {
      const sealed = await store.get<{ label: string; value: string }[]>(revealKey(id));
      if (!sealed) return undefined;
      await store.delete(revealKey(id));
      try {
        const secrets = sealed.map((secret) => ({ label: secret.label, value: deps.secrets.open(secret.value) }));
        for (const secret of secrets) deps.hideFromLogs(secret.value);
        return { ok: true, secrets };
      } catch (error) {
        if (!(error instanceof CannotDecrypt)) throw error;
        log.warn({ requestId: id }, 'a generated password cannot be decrypted with this ADDUSER_SECRET_KEY');
        return { ok: false, why: CANNOT_DECRYPT };
      }
    },
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
