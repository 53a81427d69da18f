import type { Store } from '../../adapters/store/types.js';
import type { AuditLog, AuditRecord } from '../../domain/audit.js';

const periodKey = (period: number) => `slack:audit-anchor:period:${period}`;
/** The sequence number last anchored, so a head that did not move is not posted again. */
const LAST_KEY = 'slack:audit-anchor:last';

export interface AuditAnchorDeps {
  store: Store;
  audit: AuditLog;
  /** At most one anchor per this many milliseconds, whatever the number of replicas. */
  everyMs: number;
  /** Owes the audit channel the anchor line for `record` (an outbox step: sent once, retried with backoff). */
  post: (record: AuditRecord) => Promise<unknown>;
  now?: () => number;
}

/**
 * Anchors the audit chain outside the store (README "Audit log"): once a period, and only when
 * the head moved since the last anchor, the head record's sequence number and hash go to the
 * audit channel, where a store writer cannot change them. The first replica to look in a period
 * claims it (set-if-absent), so N replicas post one line, and a quiet log posts none.
 */
export function createAuditAnchors(deps: AuditAnchorDeps) {
  const { store, audit } = deps;
  const now = deps.now ?? Date.now;
  return {
    /** Posts the anchor if this period has none yet and the head moved; true when it did. */
    async due(): Promise<boolean> {
      const period = Math.floor(now() / deps.everyMs);
      if (!(await store.add(periodKey(period), true, 2 * deps.everyMs))) return false;
      const head = await audit.head();
      if (head <= ((await store.get<number>(LAST_KEY)) ?? 0)) return false;
      const [record] = await audit.read(head, 1);
      if (!record) return false;
      // Filed before it is marked: a crash in between files it again next period (the outbox
      // marks each step done, so it is still posted once) rather than never.
      await deps.post(record);
      await store.set(LAST_KEY, head);
      return true;
    },
  };
}
