import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import type { AuditRecord } from '../../src/domain/audit.js';
import { EVERY_MS, paced } from '../../src/slack/delivery/batch-pace.js';
import type { DeliveryContext } from '../../src/slack/delivery/context.js';
import { NotYet } from '../../src/slack/delivery/outbox.js';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'adduser-batch-pace-'));
  store = await openStore(`sqlite://${join(dir, 'store.sqlite')}`, { log: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a batch's parent is updated once per pause, even when the store is slow between one update and the next one's turn", async () => {
  // A busy store: every write takes a moment, so two steps can overlap.
  const slow: Store = {
    ...store,
    add: async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return store.add(...args);
    },
    delete: async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return store.delete(...args);
    },
  };
  let head = 0;
  const ctx = { store: slow, auditHead: async () => head } as unknown as DeliveryContext;
  const shownAt: number[] = [];
  const show = async (upTo: number) => {
    shownAt.push(Date.now());
    return { result: 'delivered' as const, shownTo: upTo };
  };
  const record = (seq: number) => ({ seq }) as AuditRecord;

  // Record after record as a batch's members finish, each step trying as soon as it is filed.
  const outcomes = await Promise.all(
    Array.from({ length: 8 }, async (_, n) => {
      await new Promise((resolve) => setTimeout(resolve, n * 20));
      head = n + 1;
      return paced(ctx, 'AB-PACE', 'parent_update', record(n + 1), show).catch((error: unknown) => (error instanceof NotYet ? 'not yet' : Promise.reject(error)));
    }),
  );
  expect(outcomes.filter((outcome) => outcome === 'not yet').length).toBeGreaterThan(0);
  for (let i = 1; i < shownAt.length; i++) expect(shownAt[i]! - shownAt[i - 1]!).toBeGreaterThanOrEqual(EVERY_MS.parent_update - 50);
});
