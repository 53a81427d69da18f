import type { RequestReads } from '../../domain/requests/reads.js';
import { type RecentLine, recentLines, type ShownLine } from '../blocks/recent.js';
import type { Threads } from './threads.js';

/** The furthest back a person's history is read to fill their lines (a batch holds up to 200 requests). */
const MAX_READ = 1_000;

/** What a batch line needs: the batch record and its members as they are now. */
type BatchOf = RequestReads['batchOf'];

/**
 * A batch line with its record and every member (not only those read); a batch whose record is
 * gone falls back to a line per member read.
 */
export async function resolveLines(lines: readonly RecentLine[], batchOf: BatchOf): Promise<ShownLine[]> {
  const shown = await Promise.all(
    lines.map(async (line): Promise<ShownLine[]> => {
      if (line.kind === 'request') return [line];
      const found = await batchOf(line.id);
      return found ? [{ kind: 'batch', batch: found.batch, members: found.members }] : line.members.map((request) => ({ kind: 'request' as const, request }));
    }),
  );
  return shown.flat();
}

/**
 * A person's `limit` most recent lines (a batch is one line), newest first. Reads twice the
 * limit, then further back while batches fill the lines and older requests remain.
 */
export async function recentShown(reads: Pick<RequestReads, 'recentFor' | 'batchOf'>, user: string, limit: number): Promise<ShownLine[]> {
  let read = limit * 2;
  let lines: RecentLine[];
  for (;;) {
    const requests = await reads.recentFor(user, read);
    lines = recentLines(requests, limit);
    if (lines.length >= limit || requests.length < read || read >= MAX_READ) break;
    read = Math.min(read * 4, MAX_READ);
  }
  return (await resolveLines(lines, (id) => reads.batchOf(id))).slice(0, limit);
}

/** The id a line is known by: the request's, or the batch's (its thread is stored under it). */
export const lineId = (line: ShownLine) => (line.kind === 'request' ? line.request.id : line.batch.id);

/** Thread permalinks of these lines, by request or batch id, where known. */
export async function linksOf(threads: Threads, ids: readonly string[]): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      const permalink = (await threads.get(id))?.permalink;
      if (permalink) links.set(id, permalink);
    }),
  );
  return links;
}
