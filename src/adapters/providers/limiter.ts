export class LimiterBusy extends Error {}

export interface ProviderLimits {
  /** Calls in flight at once. */
  concurrency: number;
  /** Sliding windows the provider enforces, e.g. DigiCert's 100 per 5 s and 1000 per 3 min. */
  windows: readonly { limit: number; perMs: number }[];
}

/**
 * Keeps this process inside a provider's published limits: calls beyond them wait in a FIFO
 * queue instead of collecting 429s. A waiting call has not been sent, so waiting is always safe.
 */
export function createLimiter(limits: ProviderLimits, now: () => number = Date.now) {
  const started: number[] = [];
  const waiting: (() => void)[] = [];
  let active = 0;
  let timer: NodeJS.Timeout | undefined;

  /**
   * Milliseconds until a window frees a slot; 0 when a call may start now. The provider counts
   * arrivals, not our starts, and a burst arrives late: a margin keeps us on the safe side.
   */
  function wait(): number {
    const at = now();
    let longest = 0;
    for (const window of limits.windows) {
      const span = window.perMs + Math.max(250, window.perMs * 0.05);
      const inWindow = started.filter((time) => time > at - span);
      if (inWindow.length >= window.limit) longest = Math.max(longest, inWindow[inWindow.length - window.limit]! + span - at);
    }
    return longest;
  }

  function pump(): void {
    while (waiting.length > 0 && active < limits.concurrency) {
      const delay = wait();
      if (delay > 0) {
        timer ??= setTimeout(() => {
          timer = undefined;
          pump();
        }, delay);
        return;
      }
      active += 1;
      started.push(now());
      const longestWindow = Math.max(0, ...limits.windows.map((window) => window.perMs * 1.05 + 250));
      while (started.length > 0 && started[0]! <= now() - longestWindow) started.shift();
      waiting.shift()!();
    }
  }

  return {
    /** Calls waiting for a slot. */
    queued: () => waiting.length,
    /**
     * Runs `call` once a slot is free. With `maxWaitMs`, a call still waiting then is dropped
     * unsent and rejects with LimiterBusy: a person waiting on a lookup cannot queue for long.
     */
    async run<T>(call: () => Promise<T>, maxWaitMs?: number): Promise<T> {
      await new Promise<void>((resolve, reject) => {
        if (maxWaitMs === undefined) {
          waiting.push(resolve);
          pump();
          return;
        }
        const giveUp = setTimeout(() => {
          waiting.splice(waiting.indexOf(start), 1);
          reject(new LimiterBusy(`no slot within ${maxWaitMs} ms`));
        }, maxWaitMs);
        const start = () => {
          clearTimeout(giveUp);
          resolve();
        };
        waiting.push(start);
        pump();
      });
      try {
        return await call();
      } finally {
        active -= 1;
        pump();
      }
    },
  };
}

export type Limiter = ReturnType<typeof createLimiter>;
