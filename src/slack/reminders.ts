import type { webApi } from '@slack/bolt';
import type { Store } from '../adapters/store/types.js';
import type { Lifecycle } from '../domain/lifecycle.js';
import { date, md, trusted } from './blocks/text.js';
import type { Threads } from './threads.js';

const sentKey = (id: string) => `slack:reminder:${id}`;

/**
 * One reminder in the thread of each request still pending at half its time to live. Every
 * replica may run this; set-if-absent on the reminder's key lets exactly one of them post it.
 */
export async function remindDue(deps: {
  lifecycle: Lifecycle;
  store: Store;
  threads: Threads;
  client: webApi.WebClient;
  /** Mentions of the approvers, built from configuration (validated Slack ids). */
  approversText: (provider: string) => string;
  now?: number;
}): Promise<number> {
  const now = deps.now ?? Date.now();
  let sent = 0;
  for (const request of await deps.lifecycle.recent(1_000)) {
    if (request.state !== 'pending') continue;
    const created = Date.parse(request.createdAt);
    const halfLife = created + (Date.parse(request.expiresAt) - created) / 2;
    if (now < halfLife) continue;
    const thread = await deps.threads.get(request.id);
    if (!thread || !(await deps.store.add(sentKey(request.id), true))) continue;
    await deps.client.chat.postMessage({
      channel: thread.channel,
      thread_ts: thread.ts,
      text: md`:bell: Reminder: this request is still waiting for approval from ${trusted(deps.approversText(request.provider))}. It expires ${date(request.expiresAt)}.`.text,
    });
    sent += 1;
  }
  return sent;
}
