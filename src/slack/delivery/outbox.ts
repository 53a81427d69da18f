import type { Logger } from 'pino';
import type { Store } from '../../adapters/store/types.js';
import type { AuditLog, AuditRecord } from '../../domain/audit.js';
import { backoffMs, permanentRefusal } from '../workspace/reachability.js';
import { isStoreUnavailable } from '../../adapters/store/unavailable.js';

/** A store outage is said once by the store: here its reason is enough, without a stack per message. */
const failure = (error: unknown) => (isStoreUnavailable(error) ? { reason: error.reason } : { err: error });

/** One Slack side effect the bot owes for an audit record; each is delivered, or refused, once. */
export type StepKind =
  | 'request_message'
  | 'thread_reply'
  | 'parent_update'
  | 'reveal'
  | 'requester_dm'
  | 'escalation_dm'
  | 'audit_line'
  | 'home'
  /** Ends the workflow step that filed the request (functions.completeSuccess / completeError). */
  | 'workflow_completion'
  /** The results file of a CSV batch, in its thread once every account is settled. */
  | 'batch_results'
  /** The audit chain's head (this record) in the audit channel: an anchor outside the store. */
  | 'anchor';

/** Kinds whose messages a person reads in order: one of a request waits for the earlier ones. */
const ORDERED: ReadonlySet<StepKind> = new Set(['thread_reply', 'requester_dm', 'audit_line']);

/**
 * The step cannot run yet (its request message is not posted yet, Slack's pace says wait): tried
 * again later, not counted as a failure; at `retryAt` when the step knows when.
 */
export class NotYet extends Error {
  constructor(
    message: string,
    readonly retryAt?: number,
  ) {
    super(message);
  }
}

/** Slack refused this step for good at `where` (a channel or a user). */
export class Refused extends Error {
  constructor(
    readonly where: string,
    readonly error: string,
  ) {
    super(`Slack refused the message to ${where}: ${error}`);
  }
}

/** Runs a Slack call for a step; a refusal no retry can change becomes `Refused`. */
export async function toSlack<T>(where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const refused = permanentRefusal(error);
    throw refused ? new Refused(where, refused) : error;
  }
}

export interface Undeliverable {
  seq: number;
  requestId: string;
  kind: StepKind;
  where: string;
  error: string;
  at: string;
}

/** What a step did: sent, or had nothing to send (`skipped`, e.g. its thread was never posted). */
export type StepResult = 'delivered' | 'skipped';

export interface OutboxDeps {
  store: Store;
  audit: AuditLog;
  /** The steps an audit record owes, in the order they should go out. */
  stepsOf: (record: AuditRecord) => readonly StepKind[];
  run: (kind: StepKind, record: AuditRecord) => Promise<StepResult>;
  onUndeliverable?: (entry: Undeliverable) => void;
  /** This process, for claims; a claim held by a dead process is taken over. */
  instanceId: string;
  alive: (instance: string) => Promise<boolean>;
  log: Logger;
  now?: () => number;
}

const CURSOR_KEY = 'slack:outbox:cursor';
const DUE_KEY = 'slack:outbox:due';
const UNDELIVERABLE_KEY = 'slack:outbox:undeliverable';
const undeliverableKey = (step: string) => `slack:outbox:undeliverable:${step}`;
const doneKey = (step: string) => `slack:outbox:done:${step}`;
const claimKey = (step: string) => `slack:outbox:claim:${step}`;
const attemptsKey = (step: string) => `slack:outbox:attempts:${step}`;
const plannedKey = (seq: number) => `slack:outbox:planned:${seq}`;
const laneKey = (requestId: string, kind: StepKind) => `slack:outbox:lane:${requestId}:${kind}`;
/** Written by the outbox before steps existed (one marker per record): such a record is not planned again. */
const legacyDeliveredKey = (seq: number) => `slack:outbox:delivered:${seq}`;
/** Longer than a liveness key lives (5 s), so a dead holder is seen as dead when a step is looked at again. */
const HELD_RECHECK_MS = 6_000;
const CLAIM_TTL_MS = 60_000;
const MARKER_TTL_MS = 30 * 86_400_000;
/** Records turned into steps per sweep, and due steps read per batch and batches per sweep: a bound on one sweep's work. */
const PLAN_BATCH = 500;
const DUE_BATCH = 200;
const DUE_BATCHES = 10;

const stepId = (seq: number, kind: StepKind) => `${seq}:${kind}`;
function parseStep(member: string): { seq: number; kind: StepKind } {
  const [seq, kind] = member.split(':');
  return { seq: Number(seq), kind: kind as StepKind };
}

/**
 * The durable outbox to Slack. Each audit record owes a few steps (request message, thread
 * reply, parent update, DM, audit line, App Home), and each step is delivered on its own: its
 * marker is written once, so a step that went through is never repeated when a sibling fails.
 * Steps waiting for a retry sit in a store index scored by their next attempt, so a sweep reads
 * only what is due, whatever the history. Transient failures (429, 5xx, no network, a refused
 * token) are retried with backoff up to a minute apart; a refusal no retry can change is
 * recorded once as undeliverable and blocks nothing else. A claim with a lease keeps two
 * replicas from sending the same step.
 */
export class Outbox {
  readonly #deps: OutboxDeps;
  readonly #store: Store;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(deps: OutboxDeps) {
    this.#deps = deps;
    this.#store = deps.store;
    this.#log = deps.log;
    this.#now = deps.now ?? Date.now;
  }

  /** A new record: its steps are filed, then tried at once. */
  publish(record: AuditRecord): Promise<unknown> {
    return this.#enqueue(record.requestId, async () => {
      for (const kind of await this.#plan(record)) await this.#deliver(record, kind);
    }).catch((error: unknown) => this.#log.warn({ ...failure(error), requestId: record.requestId, seq: record.seq }, 'Slack delivery not started; the outbox sweep will take it'));
  }

  /** One more step owed for a record whose own steps were filed already (the chain's anchor), tried at once. */
  file(record: AuditRecord, kind: StepKind): Promise<unknown> {
    return this.#enqueue(record.requestId, async () => {
      await this.#store.indexAdd(DUE_KEY, stepId(record.seq, kind), this.#now());
      await this.#deliver(record, kind);
    }).catch((error: unknown) => this.#log.warn({ ...failure(error), seq: record.seq, kind }, 'Slack delivery not started; the outbox sweep will take it'));
  }

  /**
   * Files the records no publish filed (a crash between the append and the publish), then
   * tries the steps that are due. Both reads are bounded: records since the cursor, due steps.
   */
  async sweep(): Promise<void> {
    const store = this.#store;
    const cursor = (await store.get<number>(CURSOR_KEY)) ?? 0;
    const records = await this.#deps.audit.read(cursor + 1, PLAN_BATCH);
    for (const record of records) await this.#plan(record);
    if (records.length > 0) await store.set(CURSOR_KEY, records.at(-1)!.seq);
    for (let batch = 0; batch < DUE_BATCHES; batch++) {
      if ((await this.#deliverDue()) < DUE_BATCH) break;
    }
  }

  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all(this.#queues.values());
  }

  /**
   * For a stop: sends what falls due within `withinMs` (a message waiting a second for Slack's
   * pace), then leaves the rest in the store for the next start or another replica.
   */
  async drain(withinMs: number): Promise<void> {
    const deadline = this.#now() + withinMs;
    for (;;) {
      await this.idle();
      const [next] = await this.#store.indexRange(DUE_KEY, { limit: 1 });
      if (!next || next.score > deadline) return;
      const wait = next.score - this.#now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if ((await this.#deliverDue()) === 0 && wait <= 0) return;
    }
  }

  /** One batch of the steps that are due, oldest record first; how many were due. */
  async #deliverDue(): Promise<number> {
    const store = this.#store;
    const due = (await store.indexRange(DUE_KEY, { max: this.#now(), limit: DUE_BATCH })).map((entry) => parseStep(entry.member));
    due.sort((a, b) => a.seq - b.seq);
    const work: Promise<unknown>[] = [];
    for (const { seq, kind } of due) {
      const [record] = await this.#deps.audit.read(seq, 1);
      if (!record) {
        await store.indexRemove(DUE_KEY, stepId(seq, kind));
        continue;
      }
      work.push(this.#enqueue(record.requestId, () => this.#deliver(record, kind)));
    }
    await Promise.all(work);
    return due.length;
  }

  /** Files the steps of a record, once; a second planner (publish and a sweep, two replicas) adds nothing. */
  async #plan(record: AuditRecord): Promise<StepKind[]> {
    const store = this.#store;
    if ((await store.get(plannedKey(record.seq))) || (await store.get(legacyDeliveredKey(record.seq)))) return [];
    const kinds = [...this.#deps.stepsOf(record)];
    const at = this.#now();
    for (const kind of kinds) {
      if (ORDERED.has(kind)) await store.indexAdd(laneKey(record.requestId, kind), stepId(record.seq, kind), record.seq);
      await store.indexAdd(DUE_KEY, stepId(record.seq, kind), at);
    }
    await store.set(plannedKey(record.seq), true, MARKER_TTL_MS);
    return kinds;
  }

  async #claim(step: string): Promise<boolean> {
    const store = this.#store;
    const { instanceId } = this.#deps;
    if (await store.add(claimKey(step), instanceId, CLAIM_TTL_MS)) return true;
    const holder = await store.get<string>(claimKey(step));
    if (holder === undefined || (await this.#deps.alive(holder))) return false;
    // Its holder died mid-delivery. Two replicas taking over at the same instant could both
    // send it: Slack delivery is at-least-once, and a repeated message is the worst outcome.
    await store.delete(claimKey(step));
    return store.add(claimKey(step), instanceId, CLAIM_TTL_MS);
  }

  async #settle(record: AuditRecord, kind: StepKind, step: string): Promise<void> {
    const store = this.#store;
    if (ORDERED.has(kind)) await store.indexRemove(laneKey(record.requestId, kind), step);
    await store.indexRemove(DUE_KEY, step);
    await store.delete(attemptsKey(step));
  }

  async #refused(record: AuditRecord, kind: StepKind, step: string, refusal: Refused): Promise<void> {
    const store = this.#store;
    if (await store.add(doneKey(step), 'undeliverable', MARKER_TTL_MS)) {
      const entry: Undeliverable = { seq: record.seq, requestId: record.requestId, kind, where: refusal.where, error: refusal.error, at: new Date(this.#now()).toISOString() };
      await store.set(undeliverableKey(step), entry);
      await store.indexAdd(UNDELIVERABLE_KEY, step, this.#now());
      this.#deps.onUndeliverable?.(entry);
      this.#log.warn(entry, `Slack refused a ${kind} for good (${refusal.error} at ${refusal.where}): recorded as undeliverable, not retried`);
    }
    await this.#settle(record, kind, step);
  }

  /** Delivers one step unless it is done, held by another delivery or not due; true when it is done. */
  async #deliver(record: AuditRecord, kind: StepKind): Promise<boolean> {
    const store = this.#store;
    const step = stepId(record.seq, kind);
    if (await store.get(doneKey(step))) {
      await this.#settle(record, kind, step);
      return true;
    }
    if (!(await this.#claim(step))) {
      // Another delivery holds it. A live holder is done within moments and a dead one's liveness
      // lapses within seconds: look again then, not after the whole lease (a restart after a
      // crash would otherwise hold the request's later messages for a minute).
      await store.indexAdd(DUE_KEY, step, this.#now() + HELD_RECHECK_MS);
      return false;
    }
    try {
      await this.#send(record, kind, step);
      return true;
    } catch (error) {
      if (error instanceof Refused) {
        await this.#refused(record, kind, step, error);
        return true;
      }
      await this.#retryLater(record, kind, step, error);
      return false;
    } finally {
      await store.delete(claimKey(step));
    }
  }

  /** Runs a claimed step in its turn (a person reads a request's thread, DMs and audit lines in order) and marks it done. */
  async #send(record: AuditRecord, kind: StepKind, step: string): Promise<void> {
    if (ORDERED.has(kind)) {
      const [first] = await this.#store.indexRange(laneKey(record.requestId, kind), { limit: 1 });
      if (first && first.score < record.seq) throw new NotYet(`an earlier ${kind} of ${record.requestId} is not delivered yet`);
    }
    const result = await this.#deps.run(kind, record);
    await this.#store.add(doneKey(step), result, MARKER_TTL_MS);
    await this.#settle(record, kind, step);
  }

  async #retryLater(record: AuditRecord, kind: StepKind, step: string, error: unknown): Promise<void> {
    // A step that knows when it may go (Slack's pace, a batch's next update) goes then: waiting is not failing.
    if (error instanceof NotYet && error.retryAt !== undefined) {
      await this.#store.indexAdd(DUE_KEY, step, error.retryAt);
      this.#log.debug({ requestId: record.requestId, seq: record.seq, kind, retryAt: error.retryAt }, `Slack ${kind} waits: ${error.message}`);
      return;
    }
    const attempt = await this.#store.increment(attemptsKey(step));
    await this.#store.indexAdd(DUE_KEY, step, this.#now() + backoffMs(attempt));
    const level = error instanceof NotYet ? 'debug' : 'warn';
    this.#log[level]({ err: error, requestId: record.requestId, seq: record.seq, kind, attempt }, `Slack ${kind} not delivered; retrying in ${backoffMs(attempt) / 1000} s`);
  }

  /** One queue per request, so its messages keep their order; requests go in parallel. */
  #enqueue(requestId: string, work: () => Promise<unknown>): Promise<unknown> {
    const next = (this.#queues.get(requestId) ?? Promise.resolve()).then(work, work);
    this.#queues.set(requestId, next);
    const done = () => {
      if (this.#queues.get(requestId) === next) this.#queues.delete(requestId);
    };
    // Not finally(): its promise would reject with the work's failure, which the caller handles, unhandled here.
    void next.then(done, done);
    return next;
  }
}

/** Steps owed and not yet delivered, by every replica: read from the store, so it needs no outbox of its own. */
export const outboxDepth = (store: Store): Promise<number> => store.indexCount(DUE_KEY);

/** The steps Slack refused for good, oldest first. */
export async function undeliverable(store: Store, limit = 1_000): Promise<Undeliverable[]> {
  const steps = await store.indexRange(UNDELIVERABLE_KEY, { limit });
  const entries = await Promise.all(steps.map((entry) => store.get<Undeliverable>(undeliverableKey(entry.member))));
  return entries.filter((entry): entry is Undeliverable => entry !== undefined);
}
