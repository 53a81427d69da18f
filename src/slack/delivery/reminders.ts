import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Store } from '../../adapters/store/types.js';
import type { Lifecycle } from '../../domain/lifecycle/index.js';
import type { RequestReads } from '../../domain/requests/reads.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import { date, joinMd, md, type Mrkdwn, trusted } from '../blocks/text.js';
import type { Threads } from './threads.js';

const sentKey = (id: string) => `slack:reminder:${id}`;
/** Long enough for one post; a replica that dies mid-post leaves a claim that lapses. */
const CLAIM_MS = 60_000;

/**
 * One reminder in the thread of each request (or batch) still pending at half its time to live. Every
 * replica may run this; set-if-absent on the reminder's key lets exactly one of them post it,
 * and a post that fails gives the claim back, so a later pass tries again.
 */
export async function remindDue(deps: {
  requests: Pick<RequestReads, 'remindable' | 'batchOf'>;
  lifecycle: Pick<Lifecycle, 'reminded'>;
  store: Store;
  threads: Threads;
  client: webApi.WebClient;
  /** Mentions of the approvers, built from configuration (validated Slack ids). */
  approversText: (provider: string) => string;
  labelOf: (provider: string) => string;
  log: Logger;
}): Promise<number> {
  /** The reminder names whose approval is awaited: for a batch, each provider's approvers whose accounts still wait. */
  async function reminderOf(request: AccessRequest): Promise<Mrkdwn> {
    const found = request.batch && (await deps.requests.batchOf(request.batch.id));
    if (!found) return md`:bell: Reminder: this request is still waiting for approval from ${trusted(deps.approversText(request.provider))}. It expires ${date(request.expiresAt)}.`;
    const pending = found.members.filter((member) => member.state === 'pending');
    const providers = [...new Set(pending.map((member) => member.provider))];
    const whom = joinMd(providers.map((provider) => md`${deps.labelOf(provider)} from ${trusted(deps.approversText(provider))}`), '; ');
    return md`:bell: Reminder: this request is still waiting for approval, ${pending.length} of its ${found.members.length} accounts: ${whom}. It expires ${date(request.expiresAt)}.`;
  }

  let sent = 0;
  for (const request of await deps.requests.remindable()) {
    // A batch's members are reminded together, once, in the batch's thread.
    const id = request.batch?.id ?? request.id;
    const thread = await deps.threads.get(id);
    if (!thread) continue;
    if (!(await deps.store.add(sentKey(id), true, CLAIM_MS))) {
      if (request.batch && (await deps.store.get(sentKey(id))) === 'sent') await deps.lifecycle.reminded(request.id);
      continue;
    }
    try {
      await deps.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: (await reminderOf(request)).text });
    } catch (error) {
      await deps.store.delete(sentKey(id));
      deps.log.warn({ err: error, requestId: id }, 'reminder not posted; the next sweep tries again');
      continue;
    }
    await deps.store.set(sentKey(id), 'sent');
    await deps.lifecycle.reminded(request.id);
    sent += 1;
  }
  return sent;
}
