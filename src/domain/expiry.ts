import type { Lifecycle } from './lifecycle/index.js';
import type { RequestReads } from './requests/reads.js';

/**
 * Expires pending requests past their deadline; returns how many this call expired. Every
 * replica may sweep: the store's atomic transition lets exactly one of them expire each
 * request, so there is no leader to elect.
 */
export async function expireDue(requests: Pick<RequestReads, 'expiring'>, lifecycle: Pick<Lifecycle, 'expire'>, actor: string): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await requests.expiring(BATCH);
    for (const request of due) if (await lifecycle.expire(request.id, actor)) expired += 1;
    if (due.length < BATCH) return expired;
  }
}

const BATCH = 200;

/** Often enough that a short TTL is honoured within a tenth of it; at most once a minute. */
export const expirySweepInterval = (ttlMs: number) => Math.min(60_000, Math.max(100, Math.floor(ttlMs / 10)));
