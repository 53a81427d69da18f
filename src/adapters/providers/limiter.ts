import { randomUUID } from 'node:crypto';
import type { SlotWindow } from '../store/types.js';

export class LimiterBusy extends Error {}

export interface ProviderLimits {
  /** Calls in flight at once, per process. */
  concurrency: number;
  /** Sliding windows the provider enforces, e.g. DigiCert's 100 per 5 s and 1000 per 3 min. */
  windows: readonly { limit: number; perMs: number }[];
}

/** Where the sliding windows live (see Store.takeSlot and Store.settleSlot). */
export interface Slots {
  /** Takes slot `member` in every window, or says how many milliseconds until one frees. */
  take(windows: readonly SlotWindow[], member: string): Promise<number>;
  /** Re-dates the slot to now, once its call was answered. */
  settle(member: string): Promise<void>;
}

/** The same windows in this process's memory: for a single process, and for tests. */
export function localSlots(now: () => number = Date.now): Slots {
  const dated = new Map<string, number>();
  return {
    async take(windows, member) {
      const at = now();
      const longest = Math.max(0, ...windows.map((window) => window.spanMs));
      for (const [slot, time] of dated) if (time <= at - longest) dated.delete(slot);
      const times = [...dated.values()].sort((a, b) => a - b);
      let wait = 0;
      for (const window of windows) {
        const inWindow = times.filter((time) => time > at - window.spanMs);
        if (inWindow.length >= window.limit) wait = Math.max(wait, inWindow[inWindow.length - window.limit]! + window.spanMs - at);
      }
      if (wait > 0) return Math.ceil(wait);
      dated.set(member, at);
      return 0;
    },
    async settle(member) {
      if (dated.has(member)) dated.set(member, Math.max(dated.get(member)!, now()));
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What one provider's limiter keeps between calls. */
interface LimiterState {
  readonly concurrency: number;
  readonly slots: Slots;
  readonly windows: readonly SlotWindow[];
  /** Calls waiting for one of the `concurrency` places, in the order they came. */
  readonly waiting: (() => void)[];
  active: number;
  heldUntil: number;
  /** The last caller's turn at the windows; the next one asks after it. */
  turn: Promise<unknown>;
}

/**
 * Keeps calls inside a provider's published limits: calls beyond them wait, in order, instead
 * of collecting 429s. A waiting call has not been sent, so waiting is always safe. Concurrency
 * is per process; the windows are wherever `takeSlot` keeps them (the store, for replicas).
 */
export function createLimiter(limits: ProviderLimits, slots: Slots = localSlots()) {
  // Slots are re-dated when answered, so a late arrival is covered; the margin covers the provider's clock and rounding.
  const windows = limits.windows.map((window) => ({ limit: window.limit, spanMs: window.perMs + Math.max(250, window.perMs * 0.05) }));
  const state: LimiterState = { concurrency: limits.concurrency, slots, windows, waiting: [], active: 0, heldUntil: 0, turn: Promise.resolve() };
  return {
    /** Calls waiting for a slot. */
    queued: () => state.waiting.length,
    /**
     * The provider said its budget is spent until `epochMs` (its rate-limit headers): calls not
     * yet started wait until then, unsent. Per process; other replicas learn it from their own answers.
     */
    holdUntil(epochMs: number): void {
      state.heldUntil = Math.max(state.heldUntil, epochMs);
    },
    /**
     * Runs `call` once a slot is free. With `maxWaitMs`, a call that cannot start by then is
     * dropped unsent and rejects with LimiterBusy: a person waiting on a lookup cannot queue for long.
     */
    run: <T>(call: () => Promise<T>, maxWaitMs?: number): Promise<T> => run(state, call, maxWaitMs),
  };
}

async function run<T>(state: LimiterState, call: () => Promise<T>, maxWaitMs: number | undefined): Promise<T> {
  const deadline = maxWaitMs === undefined ? Infinity : Date.now() + maxWaitMs;
  await place(state, maxWaitMs);
  const member = randomUUID();
  try {
    await slot(state, deadline, member);
    try {
      return await call();
    } finally {
      // Best effort: an unsettled slot keeps its earlier date, and the margin.
      if (state.windows.length > 0) await state.slots.settle(member).catch(() => undefined);
    }
  } finally {
    state.active -= 1;
    pump(state);
  }
}

/** Waits for one of the `concurrency` places; with `maxWaitMs`, leaves the queue after that long. */
function place(state: LimiterState, maxWaitMs: number | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const start = () => {
      clearTimeout(giveUp);
      resolve();
    };
    const giveUp = maxWaitMs === undefined ? undefined : setTimeout(() => {
      state.waiting.splice(state.waiting.indexOf(start), 1);
      reject(new LimiterBusy(`no slot within ${maxWaitMs} ms`));
    }, maxWaitMs);
    state.waiting.push(start);
    pump(state);
  });
}

function pump(state: LimiterState): void {
  while (state.waiting.length > 0 && state.active < state.concurrency) {
    state.active += 1;
    state.waiting.shift()!();
  }
}

/** One caller at a time asks for a window slot, so calls start in the order they came. */
function slot(state: LimiterState, deadline: number, member: string): Promise<void> {
  if (state.windows.length === 0 && state.heldUntil <= Date.now()) return Promise.resolve();
  const caller = { late: false };
  const mine = state.turn.then(() => takeSlot(state, deadline, member, caller));
  state.turn = mine.catch(() => undefined);
  if (deadline === Infinity) return mine;
  return byDeadline(mine, deadline, () => {
    caller.late = true;
  });
}

async function takeSlot(state: LimiterState, deadline: number, member: string, caller: { late: boolean }): Promise<void> {
  // A caller that gave up while waiting must not take a slot it will not use.
  for (;;) {
    if (caller.late) throw new LimiterBusy('gave up before its turn');
    // A hold is waited out before a slot is taken, so the wait does not spend one.
    const held = state.heldUntil - Date.now();
    const wait = held > 0 ? held : state.windows.length === 0 ? 0 : await state.slots.take(state.windows, member);
    if (wait <= 0) return;
    if (Date.now() + wait > deadline) throw new LimiterBusy('no slot in time');
    await sleep(wait);
  }
}

/** `work`, or LimiterBusy once `deadline` has passed (after `onLate`, so the work can stop). */
function byDeadline(work: Promise<void>, deadline: number, onLate: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate();
      reject(new LimiterBusy('no slot in time'));
    }, Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export type Limiter = ReturnType<typeof createLimiter>;
