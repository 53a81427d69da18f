import type { Batch } from '../../domain/batch/batch.js';
import type { AccessRequest } from '../../domain/requests/request.js';

/** One line of a person's recent requests: a request of its own, or every member of one batch seen so far. */
export type RecentLine = { kind: 'request'; request: AccessRequest } | { kind: 'batch'; id: string; members: AccessRequest[] };

/** A line ready to show: a batch line carries its record and all of its members as they are now. */
export type ShownLine = { kind: 'request'; request: AccessRequest } | { kind: 'batch'; batch: Batch; members: readonly AccessRequest[] };

/**
 * Requests, newest first, as at most `limit` lines where the members of one batch are one line,
 * placed where its newest member is and holding its members wherever they appear in the list.
 * Fewer lines than the limit means the caller may read further back for more.
 */
export function recentLines(requests: readonly AccessRequest[], limit: number): RecentLine[] {
  const lines: RecentLine[] = [];
  const batches = new Map<string, Extract<RecentLine, { kind: 'batch' }>>();
  for (const request of requests) {
    const batchId = request.batch?.id;
    if (batchId === undefined) {
      lines.push({ kind: 'request', request });
      continue;
    }
    const line = batches.get(batchId);
    if (line) {
      line.members.push(request);
      continue;
    }
    const added = { kind: 'batch' as const, id: batchId, members: [request] };
    batches.set(batchId, added);
    lines.push(added);
  }
  return lines.slice(0, limit);
}
