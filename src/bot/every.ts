import type { Logger } from 'pino';
import { isStoreUnavailable } from '../adapters/store/unavailable.js';

/** A background loop: `stop()` ends it, `last()` waits for the run under way. */
export interface Loop {
  stop: () => void;
  last: () => Promise<void>;
}

/**
 * Runs `work` every `ms`, never two at once; a failure is logged and the next run goes on. A
 * run that failed for want of the store is not: the store's outage is said once, not per loop and run.
 */
export function every(ms: number, work: () => Promise<unknown>, log: Logger, what: string): Loop {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= work()
      .catch((error: unknown) => {
        if (!isStoreUnavailable(error)) log.error({ err: error }, `${what} failed`);
      })
      .finally(() => {
        running = undefined;
      });
  }, ms);
  timer.unref();
  return { stop: () => clearInterval(timer), last: async () => void (await running) };
}
