import type { Store } from '../../adapters/store/types.js';
import type { AccessRequest } from './request.js';

type Get = (id: string) => Promise<AccessRequest | undefined>;

/**
 * The sorted indexes the sweeps, the App Home and /metrics read, so each reads what it needs
 * whatever the history holds: pending requests by expiry time, pending requests by reminder
 * time, and requests in flight (approved or provisioning) for recovery.
 *
 * The index writes are not atomic with the record's transition, so their order makes a crash
 * between the two harmless: an entry is added before the move that needs it and removed after
 * the move that ends it. A reader therefore meets, at worst, an entry whose request is not (or
 * no longer) in that state, and `heal` drops it.
 */
const PENDING = 'requests:pending';
const REMIND = 'requests:remind';
const ESCALATE = 'requests:escalate';
const IN_FLIGHT = 'requests:in-flight';
const pendingOf = (requester: string) => `requests:pending:by-user:${requester}`;
/** A person's batches that may still have members waiting (healed on read): a batch counts once toward ADDUSER_MAX_PENDING. */
const pendingBatchesOf = (requester: string) => `requests:pending-batches:by-user:${requester}`;
/** Every account a person has waiting for approval, a batch's members each counting (ADDUSER_MAX_PENDING_ACCOUNTS). */
const pendingAccountsOf = (requester: string) => `requests:pending-accounts:by-user:${requester}`;
/** Stored, but its `requested` record (and so its announcement) may not be written yet. */
const UNANNOUNCED = 'requests:unannounced';
/** Marks the one-time indexing of the requests stored before the indexes existed. */
const BACKFILLED = 'requests:indexed:v1';
/** An entry whose request is missing for this long after it was indexed was never stored (a crash at submit). */
const NEVER_STORED_MS = 60_000;

type Indexed = Pick<AccessRequest, 'id' | 'state' | 'requester' | 'createdAt' | 'expiresAt' | 'escalateAt' | 'escalatedTo' | 'batch'>;

const halfLife = (request: Indexed) => {
  const created = Date.parse(request.createdAt);
  return created + (Date.parse(request.expiresAt) - created) / 2;
};

/** Where a request belongs, by its state: index → score. */
function placesOf(request: Indexed, now: number): Map<string, number> {
  const places = new Map<string, number>();
  if (request.state === 'pending') {
    places.set(PENDING, Date.parse(request.expiresAt));
    places.set(REMIND, halfLife(request));
    // A batch's members count as their batch (pendingBatchesOf), not one by one.
    if (!request.batch) places.set(pendingOf(request.requester), Date.parse(request.expiresAt));
    places.set(pendingAccountsOf(request.requester), Date.parse(request.expiresAt));
    if (request.escalateAt && !request.escalatedTo) places.set(ESCALATE, Date.parse(request.escalateAt));
  }
  if (request.state === 'approved' || request.state === 'provisioning') places.set(IN_FLIGHT, now);
  return places;
}

const indexesOf = (request: Indexed) => [PENDING, REMIND, ESCALATE, IN_FLIGHT, pendingOf(request.requester), pendingAccountsOf(request.requester)];

/** `everyRequest` is the list of every request id ever stored, read once for the backfill. */
export class RequestIndex {
  constructor(
    private readonly store: Store,
    private readonly everyRequest: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Before a request is stored or moved: the indexes its new state needs. */
  async enter(next: Indexed): Promise<void> {
    await Promise.all([...placesOf(next, this.now())].map(([index, score]) => this.store.indexAdd(index, next.id, score)));
  }

  /** After a move: the indexes its state no longer belongs in. */
  async leave(current: Indexed): Promise<void> {
    const places = placesOf(current, this.now());
    await Promise.all(indexesOf(current).filter((index) => !places.has(index)).map((index) => this.store.indexRemove(index, current.id)));
  }

  /**
   * The requests of `index` whose scores are at most `max`, oldest first, as they are now;
   * entries that no longer match their request are dropped on the way.
   */
  private async read(
    index: string,
    get: Get,
    query: { max?: number; limit: number },
  ): Promise<AccessRequest[]> {
    const entries = await this.store.indexRange(index, { max: query.max, limit: query.limit });
    const found: AccessRequest[] = [];
    for (const entry of entries) {
      const request = await get(entry.member);
      if (!request) {
        if (entry.score < this.now() - NEVER_STORED_MS) await this.store.indexRemove(index, entry.member);
        continue;
      }
      if (placesOf(request, this.now()).has(index)) found.push(request);
      else await this.store.indexRemove(index, entry.member);
    }
    return found;
  }

  /** Pending requests whose expiry time has come. */
  expiring(get: Get, limit: number) {
    return this.read(PENDING, get, { max: this.now(), limit });
  }

  /** Pending requests past half their time to live that have not been reminded yet. */
  remindable(get: Get, limit: number) {
    return this.read(REMIND, get, { max: this.now(), limit });
  }

  /** Pending requests whose escalation time has come and that have not escalated yet. */
  escalating(get: Get, limit: number) {
    return this.read(ESCALATE, get, { max: this.now(), limit });
  }

  /** Pending requests, soonest to expire first. */
  pending(get: Get, limit: number) {
    return this.read(PENDING, get, { limit });
  }

  /** Requests in `approved` or `provisioning`, longest in flight first. */
  inFlight(get: Get, limit: number) {
    return this.read(IN_FLIGHT, get, { limit });
  }

  pendingCount() {
    return this.store.indexCount(PENDING);
  }

  /** This person's single requests waiting for approval, at most `limit`, checked against their records. */
  pendingOf(get: Get, requester: string, limit: number) {
    return this.read(pendingOf(requester), get, { limit });
  }

  /**
   * How many accounts this person has waiting, counted exactly only when it matters: the count
   * of the index, and when that reaches `atMost`, the entries checked against their records
   * (a crash can leave an entry behind; reading drops it).
   */
  async pendingAccountsOf(get: Get, requester: string, atMost: number): Promise<number> {
    const counted = await this.store.indexCount(pendingAccountsOf(requester));
    if (counted < atMost) return counted;
    return (await this.read(pendingAccountsOf(requester), get, { limit: counted })).length;
  }

  /** Before a batch's members are stored: the batch waits for approval until `expiresAt`. */
  batchPending(requester: string, batchId: string, expiresAt: string) {
    return this.store.indexAdd(pendingBatchesOf(requester), batchId, Date.parse(expiresAt));
  }

  /**
   * This person's batches with a member still waiting, at most `limit`; `waiting` says whether
   * one still has, and a batch that has none is dropped from the index on the way.
   */
  async pendingBatchesOf(requester: string, limit: number, waiting: (batchId: string) => Promise<boolean>): Promise<string[]> {
    const found: string[] = [];
    // Decided batches leave only when read: read on past them until `limit` still wait or none are left.
    const seen = new Set<string>();
    while (found.length < limit) {
      const entries = (await this.store.indexRange(pendingBatchesOf(requester), { limit: limit + 10 })).filter((entry) => !seen.has(entry.member));
      if (entries.length === 0) break;
      for (const { member } of entries) {
        seen.add(member);
        if (found.length >= limit) break;
        if (await waiting(member)) found.push(member);
        else await this.store.indexRemove(pendingBatchesOf(requester), member);
      }
    }
    return found;
  }

  /** Before a request is stored: it is owed its `requested` record. */
  unannounced(id: string) {
    return this.store.indexAdd(UNANNOUNCED, id, this.now());
  }

  async announced(id: string): Promise<void> {
    await this.store.indexRemove(UNANNOUNCED, id);
  }

  /** Stored requests whose `requested` record a crashed process may never have written, `graceMs` after they were stored. */
  async orphans(graceMs: number, limit: number): Promise<string[]> {
    return (await this.store.indexRange(UNANNOUNCED, { max: this.now() - graceMs, limit })).map((entry) => entry.member);
  }

  async reminded(id: string): Promise<void> {
    await this.store.indexRemove(REMIND, id);
  }

  /**
   * Indexes the requests of the list earlier versions kept, once per store: their pending
   * and in-flight requests would otherwise never expire, be reminded or be recovered.
   */
  async backfill(get: Get): Promise<number> {
    if (await this.store.get(BACKFILLED)) return 0;
    let indexed = 0;
    const page = 500;
    for (let start = 0; ; start += page) {
      const ids = await this.store.range<string>(this.everyRequest, start, start + page - 1);
      for (const id of ids) {
        const request = await get(id);
        if (request && placesOf(request, this.now()).size > 0) {
          await this.enter(request);
          indexed += 1;
        }
      }
      if (ids.length < page) break;
    }
    await this.store.set(BACKFILLED, true);
    return indexed;
  }
}
