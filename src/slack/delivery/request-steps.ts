import type { AuditRecord } from '../../domain/audit.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import { anchorMessage, auditMessage, filedDm, threadReply } from '../blocks/event-messages.js';
import { IDS } from '../blocks/ids.js';
import { button } from '../blocks/request-message.js';
import { code, link, md, type Mrkdwn, mrkdwn } from '../blocks/text.js';
import type { DeliveryContext } from './context.js';
import { type StepResult, toSlack } from './outbox.js';
import { threadIdOf, threadOf, unpostedReason } from './parent.js';

/**
 * The messages one request owes, each sent by one outbox step (plan.ts says which record owes
 * which). A batch's steps (batch-steps.ts) use the same ones where a member is said on its own.
 */

const escalationDmKey = (requestId: string, user: string) => `slack:escalation-dm:${requestId}:${user}`;
/** Longer than any retry of the step. */
const ESCALATION_DM_MARK_MS = 7 * 86_400_000;

const CREATED = 'is done: the account was created';

const FINAL_NOTICE: Partial<Record<AuditRecord['action'], string>> = {
  succeeded: CREATED,
  failed: 'failed',
  unknown: 'has an unknown outcome; an approver will check',
  rejected: 'was rejected',
  expired: 'expired',
};

const succeededNotice = (request: AccessRequest): string =>
  request.outcome?.kind === 'dry_run'
    ? 'finished its dry run: nothing was created'
    : request.outcome?.kind === 'created' && request.outcome.invited
      ? 'is done: the invitation was sent'
      : CREATED;

/** What a request asks for, as its DMs name it. */
const askedFor = (ctx: DeliveryContext, request: AccessRequest) => md`for a ${ctx.labelOf(request.provider)} account for *${request.target}*`;

export async function dm(ctx: DeliveryContext, user: string, text: string): Promise<StepResult> {
  await toSlack(user, () => ctx.client.chat.postMessage({ channel: user, text }));
  return 'delivered';
}

export async function requesterDm(ctx: DeliveryContext, record: AuditRecord, request: AccessRequest): Promise<StepResult> {
  const thread = await threadOf(ctx, threadIdOf(request));
  if (record.action === 'requested') {
    // Without the unposted DM the requester of a stored, valid request would hear nothing at all.
    const posted = thread ?? { unpostedIn: request.channel, reason: (await unpostedReason(ctx, request.id)) ?? 'an error' };
    return dm(ctx, request.requester, filedDm(request.id, askedFor(ctx, request), posted).text);
  }
  // Only the record that settles the request says so: an earlier one, read late, would find the same outcome and say it twice.
  const final = FINAL_NOTICE[record.action];
  if (!final) return 'skipped';
  const notice = record.action === 'succeeded' ? succeededNotice(request) : final;
  const see = thread?.permalink ? md` ${link(thread.permalink, 'See the thread.')}` : md``;
  return dm(ctx, request.requester, md`Your request ${code(request.id)} ${notice}.${see}`.text);
}

/**
 * SPEC §8: the people a request escalated to hear it by DM. One DM each, marked once sent, so
 * a retry after one of them failed does not repeat the others.
 */
export async function escalationDms(ctx: DeliveryContext, request: AccessRequest, subject: Mrkdwn = md`Request ${code(request.id)} ${askedFor(ctx, request)}`): Promise<StepResult> {
  const users = request.escalatedTo?.users ?? [];
  if (users.length === 0) return 'skipped';
  const thread = await threadOf(ctx, threadIdOf(request));
  const see = thread?.permalink ? md` ${link(thread.permalink, 'See the request.')}` : md``;
  const text = md`${subject} is still waiting for approval, and the policy now asks you too: you may approve or reject it.${see}`.text;
  for (const user of users) {
    const sent = escalationDmKey(request.id, user);
    if (await ctx.store.get(sent)) continue;
    await dm(ctx, user, text);
    await ctx.store.set(sent, true, ESCALATION_DM_MARK_MS);
  }
  return 'delivered';
}

export async function replyInThread(ctx: DeliveryContext, record: AuditRecord, request: AccessRequest, approvedBy: readonly string[]): Promise<StepResult> {
  const thread = await threadOf(ctx, threadIdOf(request));
  if (!thread) return 'skipped';
  const position = approvedBy.indexOf(record.actor) + 1;
  const remaining = record.action === 'approved' && request.state === 'pending' ? Math.max(0, ctx.requiredApprovals(request) - position) : 0;
  const reply = threadReply({ request, audit: record, remaining }, ctx.labelOf(request.provider));
  if (!reply) return 'skipped';
  await toSlack(thread.channel, () => ctx.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: reply.text }));
  return 'delivered';
}

/**
 * A button, not the password: the requester opens it in a modal (reveal listener), so the
 * secret is never in a message, a DM's history or a notification.
 */
export async function offerReveal(ctx: DeliveryContext, request: AccessRequest): Promise<StepResult> {
  if (!(await ctx.hasRevealed(request.id))) return 'skipped';
  const { client } = ctx;
  const thread = await threadOf(ctx, threadIdOf(request));
  const offer = md`Your new ${ctx.labelOf(request.provider)} account for *${request.target}* has a password the bot generated. Open it once, only you can: it is not kept after that.`;
  const blocks = [
    { type: 'section', text: mrkdwn(offer) },
    { type: 'actions', elements: [button('Show the password', IDS.reveal, request.id, 'primary')] },
  ];
  if (thread) {
    const shown = await client.chat.postEphemeral({ channel: thread.channel, user: request.requester, thread_ts: thread.ts, text: offer.text, blocks }).then(
      () => true,
      () => false,
    );
    if (shown) return 'delivered';
  }
  await toSlack(request.requester, () => client.chat.postMessage({ channel: request.requester, text: offer.text, blocks }));
  return 'delivered';
}

export async function auditLine(ctx: DeliveryContext, record: AuditRecord, request: AccessRequest): Promise<StepResult> {
  const channel = ctx.auditChannel;
  if (!channel) return 'skipped';
  const thread = await ctx.threads.get(request.id);
  await toSlack(channel, () =>
    ctx.client.chat.postMessage({ channel, text: auditMessage(record, ctx.labelOf(request.provider), thread?.permalink).text, unfurl_links: false }),
  );
  return 'delivered';
}

/** The chain's head, outside the store (`npm run audit -- verify --anchor` checks the store against it). */
export async function anchorLine(ctx: DeliveryContext, record: AuditRecord): Promise<StepResult> {
  const channel = ctx.auditChannel;
  if (!channel) return 'skipped';
  await toSlack(channel, () => ctx.client.chat.postMessage({ channel, text: anchorMessage(record).text, unfurl_links: false }));
  return 'delivered';
}
