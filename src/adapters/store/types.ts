/**
 * Durable state shared by every replica. Besides plain get/set, the primitives the request
 * lifecycle and the audit chain need to be correct under concurrency, each one atomic on
 * the backend itself (one SQL statement, one Redis command or Lua script), never get-then-set.
 */
export interface Store {
  readonly kind: 'sqlite' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Stores `value` only if `key` is absent or expired. True when this call stored it. */
  add<T>(key: string, value: T, ttlMs?: number): Promise<boolean>;
  /**
   * Replaces the record at `key` with `next` only if its `state` is one of `from` and, when
   * `version` is given, its `version` (absent = 0) is that one. True when this call won.
   */
  transition<T extends { state: string }>(key: string, from: readonly string[], next: T, version?: number): Promise<boolean>;
  /** Adds one to a counter (absent = 0) and returns the new value. */
  increment(key: string): Promise<number>;
  /** Appends to a list and returns its new length. */
  append<T>(key: string, value: T): Promise<number>;
  /** Items `start`..`end` inclusive; negative indexes count from the end, as in Redis LRANGE. */
  range<T>(key: string, start: number, end: number): Promise<T[]>;
  length(key: string): Promise<number>;
  /** Puts `member` in the sorted index `key` at `score` (moves it if already there). */
  indexAdd(key: string, member: string, score: number): Promise<void>;
  /** True when `member` was in the index. */
  indexRemove(key: string, member: string): Promise<boolean>;
  /**
   * Members whose score is within [min, max] (both optional), in score order (highest first
   * with `reverse`), at most `limit`: a sweep or a page reads what it needs, whatever the history.
   */
  indexRange(key: string, query?: IndexQuery): Promise<IndexEntry[]>;
  /** How many members have a score within [min, max], counted by the backend. */
  indexCount(key: string, query?: Pick<IndexQuery, 'min' | 'max'>): Promise<number>;
  /**
   * Takes slot `member` in every sliding window of `key` if each has room: 0 when this call took
   * it, else the milliseconds until the fullest window frees one (nothing taken). Shared by every
   * replica, so N processes together stay inside a provider's published limits.
   */
  takeSlot(key: string, windows: readonly SlotWindow[], member: string): Promise<number>;
  /**
   * Re-dates a taken slot to now, once its call has been answered. The provider counts a call
   * when it arrives, which is after we took the slot by however long the sending took; dated by
   * the answer, a slot is never earlier than the provider's count of it.
   */
  settleSlot(key: string, member: string): Promise<void>;
  /**
   * Deletes values whose time to live has passed; returns how many. keyv on SQLite only hides
   * them when read, so without this the file keeps every claim and marker ever written; Redis
   * expires keys by itself (0).
   */
  purgeExpired(): Promise<number>;
  /** True when the backend answers, and could take a write (for /readyz); may reject saying why not. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** At most `limit` slots in any `spanMs`. */
export interface SlotWindow {
  limit: number;
  spanMs: number;
}

export interface IndexQuery {
  min?: number;
  max?: number;
  limit?: number;
  reverse?: boolean;
}

export interface IndexEntry {
  member: string;
  score: number;
}
