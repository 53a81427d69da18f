import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { type AnyProvider, labelIn } from '../../adapters/providers/types.js';
import type { Store } from '../../adapters/store/types.js';
import type { AccessPolicy } from '../../domain/policy/model.js';
import { type Directory } from '../../domain/policy/model.js';
import { isApprover } from '../../domain/policy/decisions.js';
import type { RequestReads } from '../../domain/requests/reads.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import { type DecideLine, HOME_ENTRIES, homeView } from '../blocks/home.js';
import { lineId, linksOf, recentShown } from './recent.js';
import { NotYet } from './outbox.js';
import type { Threads } from './threads.js';

const VIEWERS_KEY = 'slack:home:viewers';
const viewerMark = (user: string) => `slack:home:viewer:${user}`;

export interface HomeDeps {
  client: webApi.WebClient;
  store: Store;
  requests: RequestReads;
  threads: Threads;
  providers: readonly AnyProvider[];
  policy: () => AccessPolicy;
  directory: Directory;
  log: Logger;
}

type Gathered = { kind: 'batch'; id: string; providers: string[]; pending: AccessRequest[] };

/** The pending requests this person may decide, a batch's members gathered into one entry. */
async function gather(deps: HomeDeps, user: string): Promise<({ kind: 'request'; request: AccessRequest } | Gathered)[]> {
  const pending = await deps.requests.pending(500);
  const approves = new Map<string, Promise<boolean>>();
  const mayApprove = (request: AccessRequest) => {
    const key = JSON.stringify([request.provider, request.escalatedTo ?? null]);
    let answer = approves.get(key);
    if (!answer) approves.set(key, (answer = isApprover(deps.policy(), deps.directory, request.provider, user, request.escalatedTo)));
    return answer;
  };
  const entries: ({ kind: 'request'; request: AccessRequest } | Gathered)[] = [];
  const batches = new Map<string, Gathered>();
  for (const request of pending) {
    if (request.requester === user || !(await mayApprove(request))) continue;
    const batchId = request.batch?.id;
    if (batchId === undefined) {
      entries.push({ kind: 'request', request });
      continue;
    }
    const entry = batches.get(batchId);
    if (entry) {
      entry.pending.push(request);
      if (!entry.providers.includes(request.provider)) entry.providers.push(request.provider);
      continue;
    }
    const added: Gathered = { kind: 'batch', id: batchId, providers: [request.provider], pending: [request] };
    batches.set(batchId, added);
    entries.push(added);
  }
  return entries;
}

/** What waits for this person's decision: requests, and batches as one entry each (any member they may approve). */
async function toDecideFor(deps: HomeDeps, user: string): Promise<DecideLine[]> {
  const resolved = await Promise.all(
    (await gather(deps, user)).map(async (entry): Promise<DecideLine[]> => {
      if (entry.kind === 'request') return [entry];
      const found = await deps.requests.batchOf(entry.id);
      // A batch whose record is gone still shows what waits: its members one by one.
      if (!found) return entry.pending.map((request) => ({ kind: 'request', request }));
      return [{ kind: 'batch', batch: found.batch, members: found.members, providers: entry.providers }];
    }),
  );
  return resolved.flat();
}

async function publish(deps: HomeDeps, user: string): Promise<void> {
  const [toDecide, own] = await Promise.all([toDecideFor(deps, user), recentShown(deps.requests, user, HOME_ENTRIES)]);
  const ids = [...toDecide.map((entry) => (entry.kind === 'request' ? entry.request.id : entry.batch.id)), ...own.map(lineId)];
  const links = await linksOf(deps.threads, [...new Set(ids)]);
  await deps.client.views.publish({ user_id: user, view: homeView({ toDecide, own, links, labelOf: labelIn(deps.providers) }) });
}

/**
 * Publishes App Home views. People who have opened the Home are remembered (in the store,
 * so every replica knows them), and a change to a request refreshes the Home of its
 * requester and of those viewers who may decide it.
 */
export function createHome(deps: HomeDeps) {
  const { store } = deps;
  return {
    async opened(user: string): Promise<void> {
      if (await store.add(viewerMark(user), true)) await store.append(VIEWERS_KEY, user);
      try {
        await publish(deps, user);
      } catch (error) {
        // Slack's pace says wait: the next refresh of this person's Home shows it.
        if (!(error instanceof NotYet)) throw error;
        deps.log.debug({ user }, 'App Home not published now: it waits for Slack’s pace');
      }
    },
    /** After a request changed: its requester's Home, and the Homes of viewers who decide it. */
    async refreshFor(request: AccessRequest): Promise<void> {
      const viewers = await store.range<string>(VIEWERS_KEY, -200, -1);
      const audience = new Set<string>();
      if (viewers.includes(request.requester)) audience.add(request.requester);
      for (const viewer of viewers) {
        if (viewer !== request.requester && (await isApprover(deps.policy(), deps.directory, request.provider, viewer, request.escalatedTo))) audience.add(viewer);
      }
      await Promise.all(
        [...audience].map((user) => publish(deps, user).catch((error: unknown) => deps.log.warn({ err: error, user }, 'could not refresh App Home'))),
      );
    },
  };
}

export type Home = ReturnType<typeof createHome>;
