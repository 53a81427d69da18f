import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { AnyProvider } from '../adapters/providers/types.js';
import type { LifecycleEvent, Notifier } from '../domain/events.js';
import type { AccessRequest } from '../domain/request.js';
import { auditMessage, threadReply } from './blocks/event-messages.js';
import { requestMessage } from './blocks/request-message.js';
import { escape } from './blocks/text.js';
import type { Threads } from './threads.js';

export interface SlackNotifierDeps {
  client: webApi.WebClient;
  threads: Threads;
  providers: readonly AnyProvider[];
  auditChannel: string | undefined;
  requiredApprovals: number;
  approversText: (provider: string) => string;
  /** The request and its approvers as they are now, so a late update never shows a stale state. */
  current: (id: string) => Promise<{ request: AccessRequest; approvedBy: readonly string[] } | undefined>;
  /** Called after each delivered event, e.g. to refresh App Homes that show the request. */
  afterDelivery?: (request: AccessRequest) => Promise<void>;
  log: Logger;
}

const FINAL_NOTICE: Partial<Record<AccessRequest['state'], string>> = {
  succeeded: 'is done: the account was created',
  failed: 'failed',
  unknown: 'has an unknown outcome; an approver will check',
  rejected: 'was rejected',
  expired: 'expired',
};

/**
 * Turns lifecycle events into Slack messages. Events of one request are delivered in order
 * (a thread reply needs its parent first); different requests go in parallel. Delivery runs
 * after the caller has acked Slack.
 */
export function createSlackNotifier(deps: SlackNotifierDeps): Notifier & { idle: () => Promise<void>; depth: () => number } {
  const { client, threads, log } = deps;
  const queues = new Map<string, Promise<void>>();
  let waiting = 0;
  const labelOf = (id: string) => deps.providers.find((provider) => provider.id === id)?.label ?? id;

  async function render(id: string) {
    const now = await deps.current(id);
    if (!now) return undefined;
    return requestMessage({
      request: now.request,
      providerLabel: labelOf(now.request.provider),
      approvedBy: now.approvedBy,
      requiredApprovals: deps.requiredApprovals,
      approversText: deps.approversText(now.request.provider),
    });
  }

  async function announce(request: AccessRequest) {
    const message = await render(request.id);
    if (!message) return;
    const posted = await client.chat.postMessage({ channel: request.channel, ...message, unfurl_links: false }).catch(async (error: unknown) => {
      // The request is stored and valid; without this the requester would hear nothing at all.
      const reason = (error as { data?: { error?: string } }).data?.error ?? 'an error';
      await client.chat.postMessage({
        channel: request.requester,
        text: `Your request \`${request.id}\` is saved, but I could not post it in <#${request.channel}> for approval (Slack said: ${reason}). Ask an admin to invite me there with \`/invite @adduser\`.`,
      });
      throw error;
    });
    const ts = posted.ts!;
    const channel = posted.channel ?? request.channel;
    const link = await client.chat.getPermalink({ channel, message_ts: ts }).catch(() => undefined);
    await threads.save(request.id, { channel, ts, permalink: link?.permalink });
    const where = link?.permalink ? `<${link.permalink}|in <#${channel}>>` : `in <#${channel}>`;
    await client.chat.postMessage({
      channel: request.requester,
      text: `Your request \`${request.id}\` for a ${escape(labelOf(request.provider))} account for *${escape(request.target)}* is waiting for approval ${where}. You will hear here when it is decided.`,
    });
  }

  async function deliver(event: LifecycleEvent) {
    const { request, audit } = event;
    if (audit.action === 'requested') await announce(request);
    const thread = await threads.get(request.id);
    if (audit.action !== 'requested' && thread) {
      const reply = threadReply(event, labelOf(request.provider));
      if (reply) await client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: reply });
      const message = await render(request.id);
      if (message) await client.chat.update({ channel: thread.channel, ts: thread.ts, ...message });
      if (event.privateToRequester && event.privateToRequester.length > 0) {
        const text = [
          'Keep this safe: it is shown only to you, only once, and the bot does not store it.',
          ...event.privateToRequester.map((secret) => `*${escape(secret.label)}:* \`${secret.value}\``),
        ].join('\n');
        await client.chat
          .postEphemeral({ channel: thread.channel, user: request.requester, thread_ts: thread.ts, text })
          .catch(() => client.chat.postMessage({ channel: request.requester, text }));
      }
      const notice = request.outcome?.kind === 'dry_run' ? 'finished its dry run: nothing was created' : FINAL_NOTICE[request.state];
      if (notice && audit.action !== 'approved') {
        const link = thread.permalink ? ` <${thread.permalink}|See the thread.>` : '';
        await client.chat.postMessage({ channel: request.requester, text: `Your request \`${request.id}\` ${notice}.${link}` });
      }
    }
    if (deps.auditChannel) {
      await client.chat.postMessage({
        channel: deps.auditChannel,
        text: auditMessage(audit, labelOf(request.provider), thread?.permalink),
        unfurl_links: false,
      });
    }
  }

  return {
    publish(event) {
      const id = event.request.id;
      waiting += 1;
      const next = (queues.get(id) ?? Promise.resolve())
        .then(() => deliver(event))
        .then(async () => {
          const now = await deps.current(id);
          if (now && deps.afterDelivery) await deps.afterDelivery(now.request);
        })
        .catch((error: unknown) => {
          log.error({ err: error, requestId: id, action: event.audit.action }, 'could not tell Slack about a request event');
        })
        .finally(() => {
          waiting -= 1;
        });
      queues.set(id, next);
      void next.finally(() => {
        if (queues.get(id) === next) queues.delete(id);
      });
    },
    depth: () => waiting,
    async idle() {
      while (queues.size > 0) await Promise.all(queues.values());
    },
  };
}
