import type { Logger } from 'pino';
import type { Lifecycle } from './lifecycle.js';

/**
 * Expires pending requests past their deadline. Every replica may sweep: the store's atomic
 * transition lets exactly one of them expire each request, so there is no leader to elect.
 */
export function startExpirySweeper(options: {
  lifecycle: Lifecycle;
  actor: () => string;
  ttlMs: number;
  log: Logger;
  now?: () => number;
}): { stop: () => void; sweep: () => Promise<number> } {
  const { lifecycle, log } = options;
  const now = options.now ?? Date.now;
  let running: Promise<number> | undefined;

  async function sweep(): Promise<number> {
    const due = (await lifecycle.recent(1_000)).filter(
      (request) => request.state === 'pending' && Date.parse(request.expiresAt) <= now(),
    );
    let expired = 0;
    for (const request of due) if (await lifecycle.expire(request.id, options.actor())) expired += 1;
    return expired;
  }

  // Often enough that a short TTL is honoured within a tenth of it; never more than once a minute.
  const interval = Math.min(60_000, Math.max(100, Math.floor(options.ttlMs / 10)));
  const timer = setInterval(() => {
    running ??= sweep()
      .catch((error: unknown) => {
        log.error({ err: error }, 'expiry sweep failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
  }, interval);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
