import type { types } from '@slack/bolt';
import type { AccessRequest } from '../../domain/requests/request.js';
import { requestMessage } from '../blocks/request-message.js';
import type { DeliveryContext } from './context.js';
import { NotYet, Refused, type StepResult, toSlack } from './outbox.js';
import type { Thread } from './threads.js';

/** Set when the request (or batch) message was refused for good: its thread will never exist. */
const unpostedKey = (id: string) => `slack:outbox:unposted:${id}`;

/** A batch member's messages live in its batch's thread. */
export const threadIdOf = (request: AccessRequest) => request.batch?.id ?? request.id;

/** What Slack said when it refused a request's or batch's message for good. */
export const unpostedReason = (ctx: DeliveryContext, id: string) => ctx.store.get<string>(unpostedKey(id));

/** The thread of a request or batch id; undefined when its message was refused for good; NotYet while it is still owed. */
export async function threadOf(ctx: DeliveryContext, id: string): Promise<Thread | undefined> {
  const thread = await ctx.threads.get(id);
  if (thread) return thread;
  if (await ctx.store.get(unpostedKey(id))) return undefined;
  throw new NotYet(`the request message of ${id} is not posted yet`);
}

/**
 * Posts the parent message of a request's (or batch's) thread, once: where it landed is kept
 * under `id`, and a refusal for good is remembered, since that thread will never exist.
 */
export async function postParent(
  ctx: DeliveryContext,
  id: string,
  where: string,
  render: () => Promise<{ text: string; blocks: types.KnownBlock[] } | undefined>,
): Promise<StepResult> {
  const { client } = ctx;
  if (await ctx.threads.get(id)) return 'delivered';
  const message = await render();
  if (!message) return 'skipped';
  const posted = await toSlack(where, () => client.chat.postMessage({ channel: where, ...message, unfurl_links: false })).catch(async (error: unknown) => {
    if (error instanceof Refused) await ctx.store.add(unpostedKey(id), error.error);
    throw error;
  });
  const ts = posted.ts!;
  const channel = posted.channel ?? where;
  const permalink = await client.chat.getPermalink({ channel, message_ts: ts }).catch(() => undefined);
  await ctx.threads.save(id, { channel, ts, permalink: permalink?.permalink });
  return 'delivered';
}

/** A single request's parent message as it is now. */
export async function renderRequest(ctx: DeliveryContext, id: string) {
  const now = await ctx.current(id);
  if (!now) return undefined;
  const { request } = now;
  return requestMessage({
    request,
    providerLabel: ctx.labelOf(request.provider),
    approvedBy: now.approvedBy,
    requiredApprovals: ctx.requiredApprovals(request),
    approversText: ctx.approversText(request.provider),
    privileged: ctx.privileged(request).map((one) => ({ ...one, field: ctx.fieldLabel(request.provider, one.field) })),
  });
}

/** A single request's parent message, updated to show where it stands now. */
export async function updateParent(ctx: DeliveryContext, request: AccessRequest): Promise<StepResult> {
  const thread = await threadOf(ctx, threadIdOf(request));
  const message = thread && (await renderRequest(ctx, request.id));
  if (!thread || !message) return 'skipped';
  await toSlack(thread.channel, () => ctx.client.chat.update({ channel: thread.channel, ts: thread.ts, ...message }));
  return 'delivered';
}
