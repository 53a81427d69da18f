import type { Logger } from 'pino';
import { type AnyProvider, fieldLabel, passwordFieldIds } from '../../adapters/providers/types.js';
import { CannotDecrypt } from '../../adapters/store/sealed.js';
import type { AuditAction } from '../audit.js';
import type { DecisionResult, LifecycleDeps } from './types.js';
import { type AccessRequest, isFinal, type RequestState, withoutForm } from '../requests/request.js';
import { RequestIndex } from '../requests/indexes.js';
import type { RequestReads } from '../requests/reads.js';
import { ALL_REQUESTS_KEY, passwordPlace, REVEAL_TTL_MS, requestKey, revealKey } from '../requests/keys.js';

/**
 * What every step of the lifecycle shares: its ports, the reads, the indexes it keeps, its clock,
 * and the work that runs after the caller is answered. Each step is a function of it.
 */
export interface Core {
  deps: LifecycleDeps;
  requests: RequestReads;
  index: RequestIndex;
  now: () => Date;
  background: Background;
}

export function createCore(deps: LifecycleDeps): Core {
  const now = deps.now ?? (() => new Date());
  return {
    deps,
    requests: deps.requests,
    index: new RequestIndex(deps.store, ALL_REQUESTS_KEY, () => now().getTime()),
    now,
    background: new Background(deps.log),
  };
}

/**
 * Work that need not hold up the caller: audit appends (the provider call waits for nobody;
 * appends are queued in order per process, so the chain still reads approved → provisioning)
 * and provider calls after an ack. `settled()` waits for all of it.
 */
export class Background {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  run(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error: unknown) => this.log.error({ err: error }, 'background lifecycle work failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }

  /** Resolves once provider calls and audit records under way are done (for shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }
}

export const providerOf = (core: Core, id: string) => core.deps.providers.find((provider) => provider.id === id);

/** The form of request `id` as the store keeps it: password fields sealed, each bound to its request and field. */
export function sealForm(core: Core, provider: AnyProvider, values: Record<string, string | string[]>, id: string) {
  const sealed = { ...values };
  for (const fieldId of passwordFieldIds(provider)) {
    const value = sealed[fieldId];
    if (typeof value === 'string' && value !== '') sealed[fieldId] = core.deps.secrets.seal(value, passwordPlace(id, fieldId));
  }
  return sealed;
}

/** The stored form with its passwords opened, or why one of them is not used (another key, moved, kept clear). */
export function openForm(core: Core, provider: AnyProvider, request: AccessRequest): { ok: true; form: AccessRequest['form'] } | { ok: false; why: string } {
  const { deps } = core;
  const opened = { ...request.form };
  try {
    for (const fieldId of passwordFieldIds(provider)) {
      const value = opened[fieldId];
      if (typeof value !== 'string') continue;
      opened[fieldId] = deps.secrets.open(value, passwordPlace(request.id, fieldId));
      deps.hideFromLogs(opened[fieldId]);
    }
    return { ok: true, form: opened };
  } catch (error) {
    if (!(error instanceof CannotDecrypt)) throw error;
    deps.log.warn({ requestId: request.id, problem: error.message }, 'a stored password is not used');
    return { ok: false, why: error.message };
  }
}

export async function record(
  core: Core,
  request: AccessRequest,
  action: AuditAction,
  actor: string,
  fields: { reason?: string; providerUserId?: string; error?: string; warnings?: string[]; policy?: string } = {},
): Promise<void> {
  const { audit, notifier, log } = core.deps;
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

/**
 * Moves `request` to `next` if it is still in one of `from` and nobody moved it since it was
 * read (its version); undefined when someone else moved it first.
 */
export async function move(core: Core, request: AccessRequest, from: readonly RequestState[], changes: Partial<AccessRequest>) {
  const version = request.version ?? 0;
  const next: AccessRequest = { ...request, ...changes, version: version + 1, updatedAt: core.now().toISOString() };
  const stored = isFinal(next.state) ? withoutForm(next) : next;
  await core.index.enter(stored);
  if (!(await core.deps.store.transition(requestKey(request.id), from, stored, version))) return undefined;
  // Off the caller's path (an approval waits on it before the provider call): readers drop
  // entries that no longer match, so a late or lost removal is harmless.
  void core.background.run(core.index.leave(stored));
  return stored;
}

export async function refusedBecauseMoved(core: Core, id: string): Promise<DecisionResult> {
  const current = await core.requests.get(id);
  return { ok: false, why: `This request is already ${current?.state ?? 'gone'}.` };
}

/**
 * The passwords the bot generated for `request`, kept apart (sealed again, bound to where they
 * now live) before the form is dropped, until the requester opens them once. A password that
 * is not used is kept as it was stored, so the requester is told why it cannot be shown.
 */
export async function keepForReveal(core: Core, request: AccessRequest): Promise<void> {
  const provider = providerOf(core, request.provider);
  if (!provider || request.generated.length === 0) return;
  const opened = openForm(core, provider, request);
  const secrets = request.generated.flatMap((fieldId) => {
    const value = (opened.ok ? opened.form : request.form)[fieldId];
    if (typeof value !== 'string') return [];
    return [{ label: fieldLabel(provider, fieldId), value: opened.ok ? core.deps.secrets.seal(value, revealKey(request.id)) : value }];
  });
  if (secrets.length > 0) await core.deps.store.set(revealKey(request.id), secrets, REVEAL_TTL_MS);
}
