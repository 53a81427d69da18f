import type { Logger } from 'pino';
import type { Store } from './types.js';
import { StoreUnavailable } from './unavailable.js';

/** How long one store call may take before its caller is told the store is unavailable. */
export interface Deadlines {
  callMs: number;
  /** The same while the store is known to be unavailable. */
  downMs: number;
}

/**
 * Redis: a Slack request has 3 s in all. While Redis is known to be away, a request's several
 * calls must still fit in them, so each waits less.
 */
export const REDIS_DEADLINES: Deadlines = { callMs: 1_500, downMs: 500 };
/**
 * SQLite says by itself, at once, when it cannot serve: a lock held past its 0.5 s wait, a
 * read-only file, a full disk. A call that is only slow (a machine under load) is no outage, and
 * a statement cannot be withdrawn once it runs: a short deadline would tell a person nothing was
 * saved about a write that lands a moment later. So its deadline is for a disk that stops
 * answering.
 */
export const SQLITE_DEADLINES: Deadlines = { callMs: 10_000, downMs: 10_000 };
/** /readyz must answer within a second, whatever the store does; SQLite's lock wait (500 ms) fits in it, so a lock is named. */
const PING_DEADLINE_MS = 800;

/** Whether the store answers, as this process last saw it: one line when that changes, never one per failed call. */
export interface StoreHealth {
  up: () => boolean;
  /** Why the store is unavailable, while it is. */
  reason: () => string | undefined;
  /** When the store last came back after an outage (0: never away since start). */
  backAt: () => number;
  /** Runs `listener` each time the store comes back. */
  onBack: (listener: () => void) => void;
  /** A call failed for want of the store, or the client reported its connection lost. */
  failed: (reason: string) => void;
  succeeded: () => void;
}

const SQLITE_REASONS: Record<string, string> = {
  SQLITE_BUSY: 'the database file is locked by another process',
  SQLITE_LOCKED: 'the database file is locked',
  SQLITE_READONLY: 'the database file is read-only',
  SQLITE_FULL: 'the disk is full',
  SQLITE_IOERR: 'the database file cannot be read or written',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
};

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CLIENT_ERRORS = new Set(['ClientOfflineError', 'ClientClosedError', 'SocketClosedUnexpectedlyError', 'ConnectionTimeoutError', 'TimeoutError', 'SocketTimeoutError', 'ReconnectStrategyError']);

/** Why `error` means the store cannot serve now, in a phrase; undefined for any other failure (a bug, bad data). */
export function unavailableReason(error: unknown): string | undefined {
  if (error instanceof StoreUnavailable) return error.reason;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string') {
    const sqlite = SQLITE_REASONS[code.replace(/_[A-Z]+$/, '')] ?? SQLITE_REASONS[code];
    if (sqlite) return sqlite;
    if (CONNECTION_CODES.has(code)) return text.split('\n')[0] || code;
  }
  // node-redis's errors keep Error's own name: their class says what they are.
  const kind = [name, error.constructor?.name].find((candidate) => typeof candidate === 'string' && CLIENT_ERRORS.has(candidate));
  if (kind) return text || String(kind);
  // node-redis's aggregated "connect ECONNREFUSED" of a dual-stack host carries no code of its own.
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0) return unavailableReason(errors[0]);
  return undefined;
}

export function createStoreHealth(log: Logger): StoreHealth {
  let down: { since: number; reason: string } | undefined;
  let backAt = 0;
  const listeners: (() => void)[] = [];
  return {
    up: () => down === undefined,
    reason: () => down?.reason,
    backAt: () => backAt,
    onBack: (listener) => void listeners.push(listener),
    failed(reason) {
      if (down) return;
      down = { since: Date.now(), reason };
      log.warn({ reason }, `the store is unavailable: ${reason}`);
    },
    succeeded() {
      if (!down) return;
      backAt = Date.now();
      const awayMs = backAt - down.since;
      down = undefined;
      log.info({ awayMs }, `the store is back after ${(awayMs / 1000).toFixed(1)} s`);
      for (const listener of listeners) listener();
    },
  };
}

/** `work`, or StoreUnavailable once `ms` have passed without an answer. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    // One pass of the loop's I/O first: an answer that arrived while this process itself was
    // busy (a long task, a starved CPU) runs before the timer's rejection can, so the deadline
    // measures the store, not this process.
    timer = setTimeout(() => setImmediate(() => reject(new StoreUnavailable(`no answer within ${ms} ms`))), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const UNGUARDED = new Set<keyof Store>(['kind', 'ping', 'close', 'purgeExpired']);
/**
 * Reads that answer do not say the store is back: a SQLite file locked by another process (WAL)
 * still answers reads while refusing every write, and the log would flap with each.
 */
const READS = new Set<string>(['get', 'range', 'length', 'indexRange', 'indexCount']);

/**
 * Every call of `store` with a deadline, and its failures for want of the store turned into
 * StoreUnavailable and reported to `health`. The purge may take long on a large backlog, in
 * slices: it has no deadline. `ping` answers false within PING_DEADLINE_MS.
 */
export function guardStore(store: Store, health: StoreHealth, deadlines: Deadlines): Store & { health: StoreHealth } {
  const guard = <T>(call: () => Promise<T>, ms?: number, read = false): Promise<T> =>
    (ms === undefined ? call() : withDeadline(call(), ms)).then(
      (value) => {
        if (!read) health.succeeded();
        return value;
      },
      (error: unknown) => {
        const reason = unavailableReason(error);
        if (reason === undefined) throw error;
        health.failed(reason);
        throw error instanceof StoreUnavailable ? error : new StoreUnavailable(reason);
      },
    );
  const guarded = { ...store } as Record<string, unknown>;
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== 'function' || UNGUARDED.has(name as keyof Store)) continue;
    guarded[name] = (...args: unknown[]) =>
      guard(() => (value as (...a: unknown[]) => Promise<unknown>)(...args), health.up() ? deadlines.callMs : deadlines.downMs, READS.has(name));
  }
  return {
    ...(guarded as unknown as Store),
    purgeExpired: () => guard(() => store.purgeExpired()),
    // Redis's ping answers false without saying why: its client's error events (or a call's) have said it.
    ping: () =>
      guard(async () => {
        if (!(await store.ping())) throw new StoreUnavailable('it does not answer');
        return true;
      }, PING_DEADLINE_MS).catch(() => false),
    close: () => store.close(),
    health,
  };
}
