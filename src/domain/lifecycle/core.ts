import { type AnyProvider, fieldLabel, passwordFieldIds } from '../../adapters/providers/types.js';
import { CannotDecrypt } from '../../adapters/store/sealed.js';
import type { AuditAction } from '../audit.js';
import type { DecisionResult, LifecycleDeps } from './types.js';
import { type AccessRequest, isFinal, type RequestState, withoutForm } from '../requests/request.js';
import { RequestIndex } from '../requests/indexes.js';
import { ALL_REQUESTS_KEY, passwordPlace, REVEAL_TTL_MS, requestKey, revealKey } from '../requests/keys.js';

/**
 * What every step of the lifecycle shares: reading a request, moving it (one versioned store
 * transition), recording what happened (audit, then the notifier), sealed forms, and the work
 * that runs after the caller is answered.
 */
export function createCore(deps: LifecycleDeps) {
  const { store, audit, notifier, log } = deps;
  const { get, approvers } = deps.requests;
  const now = deps.now ?? (() => new Date());
  const index = new RequestIndex(store, ALL_REQUESTS_KEY, () => now().getTime());

  const providerOf = (id: string) => deps.providers.find((provider) => provider.id === id);
  const passwordFields = passwordFieldIds;

  /** The form of request `id` as the store keeps it: password fields sealed, each bound to its request and field. */
  function sealForm(provider: AnyProvider, values: Record<string, string | string[]>, id: string) {
    const sealed = { ...values };
    for (const fieldId of passwordFields(provider)) {
      const value = sealed[fieldId];
      if (typeof value === 'string' && value !== '') sealed[fieldId] = deps.secrets.seal(value, passwordPlace(id, fieldId));
    }
    return sealed;
  }

  /** The stored form with its passwords opened, or why one of them is not used (another key, moved, kept clear). */
  function openForm(provider: AnyProvider, request: AccessRequest): { ok: true; form: AccessRequest['form'] } | { ok: false; why: string } {
    const opened = { ...request.form };
    try {
      for (const fieldId of passwordFields(provider)) {
        const value = opened[fieldId];
        if (typeof value !== 'string') continue;
        opened[fieldId] = deps.secrets.open(value, passwordPlace(request.id, fieldId));
        deps.hideFromLogs(opened[fieldId]);
      }
      return { ok: true, form: opened };
    } catch (error) {
      if (!(error instanceof CannotDecrypt)) throw error;
      log.warn({ requestId: request.id, problem: error.message }, 'a stored password is not used');
      return { ok: false, why: error.message };
    }
  }

  async function record(
    request: AccessRequest,
    action: AuditAction,
    actor: string,
    fields: { reason?: string; providerUserId?: string; error?: string; warnings?: string[]; policy?: string } = {},
  ): Promise<void> {
    log.info({ requestId: request.id, action, actor, provider: request.provider, state: request.state }, `request ${action}`);
    const entry = await audit.append({
      requestId: request.id,
      actor,
      action,
      provider: request.provider,
      target: request.target,
      dryRun: request.dryRun,
      ...(request.workflow && { via: 'workflow' as const, ...request.workflow }),
      ...(request.batch && { batchId: request.batch.id }),
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
    // Off the caller's path (an approval waits on it before the provider call): readers drop
    // entries that no longer match, so a late or lost removal is harmless.
    void inBackground(index.leave(stored));
    return stored;
  }

  async function refusedBecauseMoved(id: string): Promise<DecisionResult> {
    const current = await get(id);
    return { ok: false, why: `This request is already ${current?.state ?? 'gone'}.` };
  }

  /**
   * The passwords the bot generated for `request`, kept apart (sealed again, bound to where they
   * now live) before the form is dropped, until the requester opens them once. A password that
   * is not used is kept as it was stored, so the requester is told why it cannot be shown.
   */
  async function keepForReveal(request: AccessRequest): Promise<void> {
    const provider = providerOf(request.provider);
    if (!provider || request.generated.length === 0) return;
    const opened = openForm(provider, request);
    const secrets = request.generated.flatMap((fieldId) => {
      const value = (opened.ok ? opened.form : request.form)[fieldId];
      if (typeof value !== 'string') return [];
      return [{ label: fieldLabel(provider, fieldId), value: opened.ok ? deps.secrets.seal(value, revealKey(request.id)) : value }];
    });
    if (secrets.length > 0) await store.set(revealKey(request.id), secrets, REVEAL_TTL_MS);
  }

  /** Resolves once provider calls and audit records under way are done (for shutdown). */
  async function settled(): Promise<void> {
    while (inFlight.size > 0) await Promise.all(inFlight);
  }

  return { deps, store, log, now, index, providerOf, passwordFields, sealForm, openForm, record, inBackground, settled, get, approvers, move, refusedBecauseMoved, keepForReveal };
}

export type Core = ReturnType<typeof createCore>;
