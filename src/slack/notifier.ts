import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { AnyProvider } from '../adapters/providers/types.js';
import type { Store } from '../adapters/store/types.js';
import type { AuditLog, AuditRecord } from '../domain/audit.js';
import type { Notifier } from '../domain/events.js';
import type { Revealed } from '../domain/lifecycle.js';
import type { AccessRequest } from '../domain/request.js';
import { auditMessage, threadReply } from './blocks/event-messages.js';
import { requestMessage } from './blocks/request-message.js';
import { channel as channelLink, code, joinMd, link, md } from './blocks/text.js';
import type { Threads } from './threads.js';

export interface SlackNotifierDeps {
  client: webApi.WebClient;
  store: Store;
  audit: AuditLog;
  threads: Threads;
  providers: readonly AnyProvider[];
  auditChannel: string | undefined;
  /** Approvals a request of this provider needs under the policy in force. */
  requiredApprovals: (provider: string) => number;
  approversText: (provider: string) => string;
  /** The request and its approvers as they are now, so a late delivery never shows a stale state. */
  current: (id: string) => Promise<{ request: AccessRequest; approvedBy: readonly string[] } | undefined>;
  /** Generated secrets to show the requester once (taken: a second call gets nothing). */
  takeRevealed: (id: string) => Promise<Revealed | undefined>;
  /** Called after each delivered event, e.g. to refresh App Homes that show the request. */
  afterDelivery?: (request: AccessRequest) => Promise<void>;
  /** This process, for delivery claims; a claim held by a dead process is taken over. */
  instanceId: string;
  alive: (instance: string) => Promise<boolean>;
  log: Logger;
}

const FINAL_NOTICE: Partial<Record<AccessRequest['state'], string>> = {
  succeeded: 'is done: the account was created',
  failed: 'failed',
  unknown: 'has an unknown outcome; an approver will check',
  rejected: 'was rejected',
  expired: 'expired',
};

const CURSOR_KEY = 'slack:outbox:cursor';
const deliveredKey = (seq: number) => `slack:outbox:delivered:${seq}`;
const claimKey = (seq: number) => `slack:outbox:claim:${seq}`;
const unpostedKey = (id: string) => `slack:outbox:told-unposted:${id}`;
const CLAIM_TTL_MS = 60_000;
const DELIVERED_TTL_MS = 30 * 86_400_000;

class NotYetDeliverable extends Error {}

/**
 * The durable outbox to Slack. Every audit record is a Slack delivery to make (thread reply,
 * parent update, audit-channel line, requester DM); a record counts as delivered only once all
 * of it went through. New records are delivered at once, in order per request; a sweep retries
 * whatever is left (Slack down, a crash, a parent not posted yet) until it is delivered. A
 * claim with a TTL keeps two replicas from delivering the same record; a failed delivery never
 * touches the request itself, so it can never re-run provisioning.
 */
export function createSlackNotifier(deps: SlackNotifierDeps): Notifier & {
  sweep: () => Promise<void>;
  idle: () => Promise<void>;
  depth: () => number;
} {
  const { client, store, threads, log } = deps;
  const queues = new Map<string, Promise<boolean>>();
  let backlog = 0;
  const labelOf = (id: string) => deps.providers.find((provider) => provider.id === id)?.label ?? id;

  async function render(id: string) {
    const now = await deps.current(id);
    if (!now) return undefined;
    return requestMessage({
      request: now.request,
      providerLabel: labelOf(now.request.provider),
      approvedBy: now.approvedBy,
      requiredApprovals: deps.requiredApprovals(now.request.provider),
      approversText: deps.approversText(now.request.provider),
    });
  }

  async function announce(request: AccessRequest) {
    if (await threads.get(request.id)) return;
    const message = await render(request.id);
    if (!message) return;
    const posted = await client.chat.postMessage({ channel: request.channel, ...message, unfurl_links: false }).catch(async (error: unknown) => {
      // The request is stored and valid; without this the requester would hear nothing at all.
      if (await store.add(unpostedKey(request.id), true)) {
        const reason = (error as { data?: { error?: string } }).data?.error ?? 'an error';
        await client.chat.postMessage({
          channel: request.requester,
          text: md`Your request ${code(request.id)} is saved, but I could not post it in ${channelLink(request.channel)} for approval (Slack said: ${reason}). Ask an admin to invite me there with ${code('/invite @adduser')}; I will keep trying.`.text,
        });
      }
      throw error;
    });
    const ts = posted.ts!;
    const channel = posted.channel ?? request.channel;
    const permalink = await client.chat.getPermalink({ channel, message_ts: ts }).catch(() => undefined);
    await threads.save(request.id, { channel, ts, permalink: permalink?.permalink });
    const where = permalink?.permalink ? link(permalink.permalink, md`in ${channelLink(channel)}`) : md`in ${channelLink(channel)}`;
    await client.chat.postMessage({
      channel: request.requester,
      text: md`Your request ${code(request.id)} for a ${labelOf(request.provider)} account for *${request.target}* is waiting for approval ${where}. You will hear here when it is decided.`.text,
    });
  }

  async function showRevealed(request: AccessRequest, thread: { channel: string; ts: string }) {
    const revealed = await deps.takeRevealed(request.id);
    if (!revealed || (revealed.ok && revealed.secrets.length === 0)) return;
    const { text } = revealed.ok
      ? joinMd(
          [
            md`Keep this safe: it is shown only to you, only once, and the bot does not keep it.`,
            ...revealed.secrets.map((secret) => md`*${secret.label}:* ${code(secret.value)}`),
          ],
          '\n',
        )
      : md`The generated password for ${code(request.id)} cannot be shown: ${revealed.why} Set a new password for the account in ${labelOf(request.provider)}.`;
    await client.chat
      .postEphemeral({ channel: thread.channel, user: request.requester, thread_ts: thread.ts, text })
      .catch(() => client.chat.postMessage({ channel: request.requester, text }));
  }

  async function deliverNow(record: AuditRecord, request: AccessRequest, approvedBy: readonly string[]) {
    if (record.action === 'requested') await announce(request);
    const thread = await threads.get(request.id);
    if (record.action !== 'requested') {
      if (!thread) throw new NotYetDeliverable(`the request message of ${request.id} is not posted yet`);
      const position = approvedBy.indexOf(record.actor) + 1;
      const remaining = record.action === 'approved' && request.state === 'pending' ? Math.max(0, deps.requiredApprovals(request.provider) - position) : 0;
      const reply = threadReply({ request, audit: record, remaining }, labelOf(request.provider));
      if (reply) await client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: reply.text });
      const message = await render(request.id);
      if (message) await client.chat.update({ channel: thread.channel, ts: thread.ts, ...message });
      if (record.action === 'succeeded') await showRevealed(request, thread);
      const notice = request.outcome?.kind === 'dry_run' ? 'finished its dry run: nothing was created' : FINAL_NOTICE[record.action as AccessRequest['state']];
      if (notice && record.action !== 'approved') {
        const see = thread.permalink ? md` ${link(thread.permalink, 'See the thread.')}` : md``;
        await client.chat.postMessage({ channel: request.requester, text: md`Your request ${code(request.id)} ${notice}.${see}`.text });
      }
    }
    if (deps.auditChannel) {
      await client.chat.postMessage({
        channel: deps.auditChannel,
        text: auditMessage(record, labelOf(request.provider), thread?.permalink).text,
        unfurl_links: false,
      });
    }
  }

  async function claim(seq: number): Promise<boolean> {
    if (await store.add(claimKey(seq), deps.instanceId, CLAIM_TTL_MS)) return true;
    const holder = await store.get<string>(claimKey(seq));
    if (holder === undefined || (await deps.alive(holder))) return false;
    // Its holder died mid-delivery. Two replicas taking over at the same instant could both
    // deliver: Slack delivery is at-least-once, and a repeated message is the worst outcome.
    await store.delete(claimKey(seq));
    return store.add(claimKey(seq), deps.instanceId, CLAIM_TTL_MS);
  }

  /** Delivers one record unless it is delivered or another delivery holds it; true when it is done. */
  async function deliver(record: AuditRecord): Promise<boolean> {
    if (await store.get(deliveredKey(record.seq))) return true;
    if (!(await claim(record.seq))) return false;
    try {
      const now = await deps.current(record.requestId);
      if (now) await deliverNow(record, now.request, now.approvedBy);
      await store.set(deliveredKey(record.seq), true, DELIVERED_TTL_MS);
      if (now && deps.afterDelivery) await deps.afterDelivery(now.request);
      return true;
    } catch (error) {
      await store.delete(claimKey(record.seq));
      const level = error instanceof NotYetDeliverable ? 'debug' : 'warn';
      log[level]({ err: error, requestId: record.requestId, seq: record.seq, action: record.action }, 'Slack delivery failed; the outbox will retry');
      return false;
    }
  }

  /** One queue per request, so its messages keep their order; requests go in parallel. */
  function enqueue(record: AuditRecord): Promise<boolean> {
    const id = record.requestId;
    const next = (queues.get(id) ?? Promise.resolve(true)).then(() => deliver(record));
    queues.set(id, next);
    void next.finally(() => {
      if (queues.get(id) === next) queues.delete(id);
    });
    return next;
  }

  return {
    publish(event) {
      void enqueue(event.audit);
    },

    /** Walks the records after the cursor; delivers what is left, in order per request. */
    async sweep() {
      const head = await deps.audit.head();
      const cursor = (await store.get<number>(CURSOR_KEY)) ?? 0;
      let contiguous = cursor;
      const blocked = new Set<string>();
      for (let seq = cursor + 1; seq <= Math.min(head, cursor + 500); seq++) {
        const [record] = await deps.audit.read(seq, 1);
        if (!record) break;
        if (blocked.has(record.requestId)) continue;
        const delivered = await enqueue(record);
        if (delivered && contiguous === seq - 1) contiguous = seq;
        if (!delivered) blocked.add(record.requestId);
      }
      backlog = head - contiguous;
      if (contiguous > cursor) await store.set(CURSOR_KEY, contiguous);
    },

    depth: () => backlog,

    async idle() {
      while (queues.size > 0) await Promise.all(queues.values());
    },
  };
}
