import { describe, expect, test } from 'vitest';
import type { Batch } from '../../src/domain/batch/batch.js';
import type { AccessRequest } from '../../src/domain/requests/request.js';
import { recentLines } from '../../src/slack/blocks/recent.js';
import { recentShown, resolveLines } from '../../src/slack/delivery/recent.js';
import { aRequest } from '../support/fixtures.js';

/** A member of batch `batch` at `index`. */
const member = (id: string, batch: string, index: number, changes: Partial<AccessRequest> = {}) => aRequest({ id, batch: { id: batch, index }, ...changes });
const aBatch = (id: string, members: readonly string[]): Batch => ({
  id, kind: 'csv', requester: 'UASKER', reason: 'New office', channel: 'C1', members: [...members], createdAt: '2026-01-01T00:00:00.000Z',
});
const shape = (lines: ReturnType<typeof recentLines>) => lines.map((line) => (line.kind === 'request' ? line.request.id : `${line.id}[${line.members.map((one) => one.id).join(',')}]`));

describe('recentLines: a batch is one line', () => {
  test('members collapse into one line where the newest member is, wherever the others appear', () => {
    const requests = [aRequest({ id: 'AR-1' }), member('AR-B3', 'AB-1', 2), member('AR-B2', 'AB-1', 1), aRequest({ id: 'AR-2' }), member('AR-B1', 'AB-1', 0), member('AR-C1', 'AB-2', 0)];
    expect(shape(recentLines(requests, 10))).toEqual(['AR-1', 'AB-1[AR-B3,AR-B2,AR-B1]', 'AR-2', 'AB-2[AR-C1]']);
  });

  test('at most the limit, a batch counting once; none in, none out', () => {
    const batchOf50 = Array.from({ length: 50 }, (_, i) => member(`AR-B${i}`, 'AB-1', 49 - i));
    const requests = [...batchOf50, ...Array.from({ length: 12 }, (_, i) => aRequest({ id: `AR-${i}` }))];
    const lines = recentLines(requests, 10);
    expect(lines).toHaveLength(10);
    expect(shape(lines).slice(0, 3)).toEqual([expect.stringMatching(/^AB-1\[AR-B0,AR-B1,.*,AR-B49\]$/), 'AR-0', 'AR-1']);
    expect(shape(lines).at(-1)).toBe('AR-8');
    expect(recentLines([], 10)).toEqual([]);
    expect(recentLines(requests, 0)).toEqual([]);
  });
});

describe('resolving the lines', () => {
  test('a batch line gets its record and every member; a batch whose record is gone becomes a line per member read', async () => {
    const b1 = member('AR-B1', 'AB-1', 0);
    const all = [b1, member('AR-B2', 'AB-1', 1, { state: 'succeeded' })];
    const lines = recentLines([aRequest({ id: 'AR-1' }), b1, member('AR-G1', 'AB-GONE', 0)], 10);
    const shown = await resolveLines(lines, async (id) => (id === 'AB-1' ? { batch: aBatch('AB-1', ['AR-B1', 'AR-B2']), members: all } : undefined));
    expect(shown.map((line) => (line.kind === 'request' ? line.request.id : `${line.batch.id}:${line.members.length}`))).toEqual(['AR-1', 'AB-1:2', 'AR-G1']);
  });

  test('recentShown reads further back while batches fill the lines, and stops when the history ends', async () => {
    // Newest first: 30 members of one batch, then 15 single requests.
    const history = [...Array.from({ length: 30 }, (_, i) => member(`AR-B${i}`, 'AB-1', 29 - i)), ...Array.from({ length: 15 }, (_, i) => aRequest({ id: `AR-${i}` }))];
    const reads: number[] = [];
    const requests = {
      recentFor: async (_user: string, limit = 10) => (reads.push(limit), history.slice(0, limit)),
      batchOf: async (id: string) => ({ batch: aBatch(id, history.slice(0, 30).map((one) => one.id)), members: history.slice(0, 30) }),
    };
    const lines = await recentShown(requests, 'UASKER', 10);
    expect(reads).toEqual([20, 80]);
    expect(lines.map((line) => (line.kind === 'request' ? line.request.id : line.batch.id))).toEqual(['AB-1', ...Array.from({ length: 9 }, (_, i) => `AR-${i}`)]);

    reads.length = 0;
    history.splice(35);
    expect(await recentShown(requests, 'UASKER', 10)).toHaveLength(6);
    expect(reads).toEqual([20, 80]);
  });
});
