import type { AuditAction } from '../audit.js';
import type { LifecycleDeps } from './types.js';
import { type AccessRequest, isFinal, type RequestState, withoutForm } from '../requests/request.js';
import { RequestIndex } from '../requests/indexes.js';
import type { RequestReads } from '../requests/reads.js';
import { ALL_REQUESTS_KEY, requestKey } from '../requests/keys.js';
import { Background } from './background.js';

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

export const providerOf = (core: Core, id: string) => core.deps.providers.find((provider) => provider.id === id);

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
