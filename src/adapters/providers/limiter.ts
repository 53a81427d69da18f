import type { SlotWindow } from '../store/types.js';

export class LimiterBusy extends Error {}

export interface ProviderLimits {
  /** Calls in flight at once, per process. */
  concurrency: number;
  /** Sliding windows the provider enforces, e.g. DigiCert's 100 per 5 s and 1000 per 3 min. */
  windows: readonly { limit: number; perMs: number }[];
}

/** Takes a slot in every window, or says how many milliseconds until one frees (see Store.takeSlot). */
export type TakeSlot = (windows: readonly SlotWindow[]) => Promise<number>;

/** The same windows in this process's memory: for a single process, and for tests. */
export function localSlots(now: () => number = Date.now): TakeSlot {
  const started: number[] = [];
  return async (windows) => {
    const at = now();
    const longest = Math.max(0, ...windows.map((window) => window.spanMs));
    while (started.length > 0 && started[0]! <= at - longest) started.shift();
    let wait = 0;
    for (const window of windows) {
      const inWindow = started.filter((time) => time > at - window.spanMs);
      if (inWindow.length >= window.limit) wait = Math.max(wait, inWindow[inWindow.length - window.limit]! + window.spanMs - at);
    }
    if (wait > 0) return Math.ceil(wait);
    started.push(at);
    return 0;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Keeps calls inside a provider's published limits: calls beyond them wait, in order, instead
 * of collecting 429s. A waiting call has not been sent, so waiting is always safe. Concurrency
 * is per process; the windows are wherever `takeSlot` keeps them (the store, for replicas).
 */
export function createLimiter(limits: ProviderLimits, takeSlot: TakeSlot = localSlots()) {
  // The provider counts arrivals, not our starts, and a burst arrives late: a margin keeps us safe.
  const windows = limits.windows.map((window) => ({ limit: window.limit, spanMs: window.perMs + Math.max(250, window.perMs * 0.05) }));
  const waiting: (() => void)[] = [];
  let active = 0;
  let turn: Promise<unknown> = Promise.resolve();

  function pump(): void {
    while (waiting.length > 0 && active < limits.concurrency) {
      active += 1;
      waiting.shift()!();
    }
  }

  /** One caller at a time asks for a window slot, so calls start in the order they came. */
  function slot(deadline: number): Promise<void> {
    if (windows.length === 0) return Promise.resolve();
    let late = false;
    const mine = turn.then(async () => {
      // A caller that gave up while waiting must not take a slot it will not use.
      for (;;) {
        if (late) throw new LimiterBusy('gave up before its turn');
        const wait = await takeSlot(windows);
        if (wait <= 0) return;
        if (Date.now() + wait > deadline) throw new LimiterBusy('no slot in time');
        await sleep(wait);
      }
    });
    turn = mine.catch(() => undefined);
    if (deadline === Infinity) return mine;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        late = true;
        reject(new LimiterBusy('no slot in time'));
      }, Math.max(0, deadline - Date.now()));
    });
    return Promise.race([mine, expired]).finally(() => clearTimeout(timer));
  }

  return {
    /** Calls waiting for a slot. */
    queued: () => waiting.length,
    /**
     * Runs `call` once a slot is free. With `maxWaitMs`, a call that cannot start by then is
     * dropped unsent and rejects with LimiterBusy: a person waiting on a lookup cannot queue for long.
     */
    async run<T>(call: () => Promise<T>, maxWaitMs?: number): Promise<T> {
      const deadline = maxWaitMs === undefined ? Infinity : Date.now() + maxWaitMs;
      await new Promise<void>((resolve, reject) => {
        const start = () => {
          clearTimeout(giveUp);
          resolve();
        };
        const giveUp = maxWaitMs === undefined ? undefined : setTimeout(() => {
          waiting.splice(waiting.indexOf(start), 1);
          reject(new LimiterBusy(`no slot within ${maxWaitMs} ms`));
        }, maxWaitMs);
        waiting.push(start);
        pump();
      });
      try {
        await slot(deadline);
        return await call();
      } finally {
        active -= 1;
        pump();
      }
    },
  };
}

export type Limiter = ReturnType<typeof createLimiter>;
