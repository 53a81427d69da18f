import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { AnyProvider } from '../adapters/providers/types.js';
import type { Store } from '../adapters/store/types.js';
import type { Lifecycle } from '../domain/lifecycle.js';
import type { AccessPolicy } from '../domain/access-policy.js';
import { type Directory, isApprover } from '../domain/policy.js';
import type { AccessRequest } from '../domain/request.js';
import { homeView } from './blocks/home.js';
import type { Threads } from './threads.js';

const VIEWERS_KEY = 'slack:home:viewers';
const viewerMark = (user: string) => `slack:home:viewer:${user}`;

/**
 * Publishes App Home views. People who have opened the Home are remembered (in the store,
 * so every replica knows them), and a change to a request refreshes the Home of its
 * requester and of those viewers who may decide it.
 */
export function createHome(deps: {
  client: webApi.WebClient;
  store: Store;
  lifecycle: () => Lifecycle;
  threads: Threads;
  providers: readonly AnyProvider[];
  policy: () => AccessPolicy;
  directory: Directory;
  log: Logger;
}) {
  const { client, store, threads, policy, directory, log } = deps;
  const labelOf = (id: string) => deps.providers.find((provider) => provider.id === id)?.label ?? id;

  async function publish(user: string): Promise<void> {
    const lifecycle = deps.lifecycle();
    const [pending, own] = await Promise.all([lifecycle.pending(500), lifecycle.recentFor(user, 20)]);
    const toDecide: AccessRequest[] = [];
    for (const request of pending) {
      if (request.requester !== user && (await isApprover(policy(), directory, request.provider, user, request.escalatedTo))) {
        toDecide.push(request);
      }
    }
    const links = new Map<string, string>();
    for (const request of [...toDecide, ...own]) {
      const link = (await threads.get(request.id))?.permalink;
      if (link) links.set(request.id, link);
    }
    await client.views.publish({ user_id: user, view: homeView({ toDecide, own, links, labelOf }) });
  }

  return {
    async opened(user: string): Promise<void> {
      if (await store.add(viewerMark(user), true)) await store.append(VIEWERS_KEY, user);
      await publish(user);
    },
    /** After a request changed: its requester's Home, and the Homes of viewers who decide it. */
    async refreshFor(request: AccessRequest): Promise<void> {
      const viewers = await store.range<string>(VIEWERS_KEY, -200, -1);
      const audience = new Set<string>();
      if (viewers.includes(request.requester)) audience.add(request.requester);
      for (const viewer of viewers) {
        if (viewer !== request.requester && (await isApprover(policy(), directory, request.provider, viewer, request.escalatedTo))) audience.add(viewer);
      }
      await Promise.all(
        [...audience].map((user) => publish(user).catch((error: unknown) => log.warn({ err: error, user }, 'could not refresh App Home'))),
      );
    },
  };
}

export type Home = ReturnType<typeof createHome>;
