import type { AuditRecord } from '../../domain/audit.js';
import { type Batch, batchCounts, batchSettled } from '../../domain/batch/batch.js';
import { accountsCsv, resultsCsv } from '../../domain/batch/results.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import { accountOutcome, batchAuditMessage, batchDecisionReply, batchMessage, batchSummaryLine, batchTitle, type BatchView, progressText, rowOf } from '../blocks/batch-message.js';
import { auditMessage, filedDm } from '../blocks/event-messages.js';
import { code, link, md } from '../blocks/text.js';
import { uploadCsv } from '../workspace/files.js';
import { first, MARK_TTL_MS, maybeSettled, paced, shownUpTo, throttled } from './batch-pace.js';
import type { BatchNow, DeliveryContext } from './context.js';
import { type StepKind, type StepResult, toSlack } from './outbox.js';
import { postParent, threadOf, unpostedReason } from './parent.js';
import type { Thread } from './threads.js';
import { ACCOUNT_EVENTS, BATCH_DECISIONS, MAY_END } from './plan.js';
import { dm, escalationDms, offerReveal } from './request-steps.js';

/**
 * Slack's side of a batch (SPEC §9): its members are ordinary requests whose audit records go
 * through the outbox one by one, but people see one message and one thread (batch-pace.ts keeps
 * them few); an account's outcome is its own line.
 */

/** Account outcomes said together, many to a message; the others (unknown, a late answer) each on their own. */
const GROUPED: ReadonlySet<AuditRecord['action']> = new Set(['succeeded', 'failed', 'retried']);
/** One message's accounts: well inside a message's length, and few messages for 200 accounts. */
const LINES_PER_MESSAGE = 40;
/** Audit records read per grouped update: its work stays bounded whatever else the log holds meanwhile. */
const OUTCOMES_READ = 2_000;
/** What the audit channel hears of each account of a batch; the rest it hears once, summed up, when the batch is done. */
const AUDITED_ALONE: ReadonlySet<AuditRecord['action']> = new Set(['failed', 'unknown', 'late_answer']);

/** What makes a decision on a batch one to say: who took it, or, for expiry and escalation (which follow each provider's own deadlines), which provider's accounts. */
const aboutOf = (record: AuditRecord) => (record.action === 'expired' || record.action === 'escalated' ? record.provider : record.actor);

const viewOf = async (ctx: DeliveryContext, now: BatchNow): Promise<BatchView> => ({
  ...now,
  labelOf: ctx.labelOf,
  fieldLabel: ctx.fieldLabel,
  privileged: ctx.privileged,
  requiredApprovals: ctx.requiredApprovals,
  approversText: ctx.approversText,
  listing: now.batch.kind === 'csv' && !(await ctx.threads.accountsListed(now.batch.id)),
});

/**
 * The batch's message, then, for a CSV, every account as it will be sent in a file in its
 * thread; only then does the message get its Approve and Reject (SPEC §6: approvers see what
 * they grant, and 200 rows do not fit in a message).
 */
async function postMessage(ctx: DeliveryContext, batchId: string, record: AuditRecord): Promise<StepResult> {
  const batch = await ctx.batchRecord(batchId);
  if (!batch) return 'skipped';
  const posted = await postParent(ctx, batchId, batch.channel, async () => {
    const now = await ctx.batch(batchId);
    return now && batchMessage(await viewOf(ctx, now));
  });
  if (batch.kind !== 'csv') return posted;
  // Listed once; the update that shows the buttons is repeated by a retry, which cannot tell
  // whether it went through, and keeps to the pace of every other update of the message.
  if (!(await ctx.threads.accountsListed(batchId))) await listAccounts(ctx, batch);
  return throttled(ctx, batchId, 'parent_update', record, () => update(ctx, batchId));
}

/** A CSV file (a batch's accounts, or its results) in the batch's thread. */
function postCsv(ctx: DeliveryContext, thread: Thread, file: { filename: string; title: string; comment: string; content: string }): Promise<void> {
  return toSlack(thread.channel, () => uploadCsv(ctx.client, { channel: thread.channel, threadTs: thread.ts, ...file }));
}

async function listAccounts(ctx: DeliveryContext, batch: Batch): Promise<void> {
  const thread = await threadOf(ctx, batch.id);
  const now = thread && (await ctx.batch(batch.id));
  if (!thread || !now) return;
  const rows = now.members.map((member) => ({ row: rowOf(batch, member), provider: ctx.labelOf(member.provider), target: member.target, details: member.details }));
  await postCsv(ctx, thread, {
    filename: `${batch.id}-accounts.csv`,
    title: `Accounts of ${batch.id}`,
    comment: md`Every account of ${code(batch.id)} as it will be sent (secrets masked): read it before you approve.`.text,
    content: accountsCsv(rows),
  });
  await ctx.threads.markAccountsListed(batch.id);
}

async function update(ctx: DeliveryContext, batchId: string): Promise<StepResult> {
  const thread = await threadOf(ctx, batchId);
  const now = thread && (await ctx.batch(batchId));
  if (!thread || !now) return 'skipped';
  const message = batchMessage(await viewOf(ctx, now));
  await toSlack(thread.channel, () => ctx.client.chat.update({ channel: thread.channel, ts: thread.ts, ...message }));
  return 'delivered';
}

async function reply(ctx: DeliveryContext, batchId: string, message: { text: string; blocks?: unknown[] }): Promise<StepResult> {
  const thread = await threadOf(ctx, batchId);
  if (!thread) return 'skipped';
  await toSlack(thread.channel, () => ctx.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: message.text, ...(message.blocks && { blocks: message.blocks as never }) }));
  return 'delivered';
}

async function requesterDm(ctx: DeliveryContext, record: AuditRecord, batchId: string): Promise<StepResult> {
  if (record.action === 'requested' ? !(await first(ctx, batchId, 'requester_dm:requested', record)) : !(await maybeSettled(ctx, record, batchId))) return 'skipped';
  const now = await ctx.batch(batchId);
  if (!now) return 'skipped';
  const { batch, members } = now;
  const title = batchTitle(batch, members, ctx.labelOf);
  if (record.action === 'requested') {
    const posted = (await threadOf(ctx, batchId)) ?? { unpostedIn: batch.channel, reason: (await unpostedReason(ctx, batchId)) ?? 'an error' };
    return dm(ctx, batch.requester, filedDm(batch.id, md`for ${title}`, posted).text);
  }
  // The end of the batch is told once, when nothing waits for a decision or a provider any more.
  const counts = batchCounts(members);
  if (!batchSettled(counts) || !(await first(ctx, batchId, 'requester_dm:settled', record))) return 'skipped';
  const thread = await ctx.threads.get(batchId);
  const see = thread?.permalink ? md` ${link(thread.permalink, 'See the thread.')}` : md``;
  const outcome = counts.stopped === counts.total ? `was ${record.action}` : `is done: ${progressText(counts)}`;
  return dm(ctx, batch.requester, md`Your request ${code(batch.id)} for ${title} ${outcome}.${see}`.text);
}

/**
 * The audit channel hears a batch's decisions once each, each account that failed or needs a look
 * on its own line, and, when nothing waits any more, one line summing up the rest (the durable
 * audit keeps every account's every record).
 */
async function auditLine(ctx: DeliveryContext, record: AuditRecord, request: AccessRequest, batchId: string): Promise<StepResult> {
  const channel = ctx.auditChannel;
  if (!channel) return 'skipped';
  const thread = await ctx.threads.get(batchId);
  const threadLink = thread?.permalink ? link(thread.permalink, 'thread') : undefined;
  const lines: string[] = [];
  if (BATCH_DECISIONS.has(record.action)) {
    const now = (await first(ctx, batchId, `audit_line:${record.action}:${aboutOf(record)}`, record)) ? await ctx.batch(batchId) : undefined;
    if (now) lines.push(batchAuditMessage(record, await viewOf(ctx, now), threadLink).text);
  } else if (AUDITED_ALONE.has(record.action)) {
    lines.push(auditMessage(record, ctx.labelOf(request.provider), thread?.permalink).text);
  }
  if (MAY_END.has(record.action) && (await maybeSettled(ctx, record, batchId))) {
    const now = await ctx.batch(batchId);
    const counts = now && batchCounts(now.members);
    if (now && counts && batchSettled(counts) && (await first(ctx, batchId, 'audit_line:summary', record))) lines.push(batchSummaryLine(now.batch, now.members, ctx.labelOf, threadLink).text);
  }
  if (lines.length === 0) return 'skipped';
  await toSlack(channel, () => ctx.client.chat.postMessage({ channel, text: lines.join('\n'), unfurl_links: false }));
  return 'delivered';
}

/** The thread's message the next outcomes are added to, and the lines it holds. */
interface OutcomeGroup {
  ts: string;
  lines: string[];
}
const groupKey = (batchId: string) => `slack:batch:${batchId}:outcomes:group`;

/** The lines of accounts' outcomes recorded from `from` to `head`, at most `room` of them; and up to which record they go. */
async function newOutcomes(ctx: DeliveryContext, batchId: string, from: number, head: number, room: number): Promise<{ lines: string[]; shownTo: number }> {
  const read = await ctx.auditRecords(from, Math.min(head - from + 1, OUTCOMES_READ));
  const mine = read.filter((said) => said.batchId === batchId && GROUPED.has(said.action));
  const now = mine.length > 0 ? await ctx.batch(batchId) : undefined;
  const members = new Map((now?.members ?? []).map((member) => [member.id, member]));
  const lines: string[] = [];
  for (const said of mine) {
    const member = members.get(said.requestId);
    const line = member && accountOutcome(said, member, ctx.labelOf(member.provider));
    if (line) lines.push(line.text);
    if (lines.length === room) return { lines, shownTo: said.seq };
  }
  return { lines, shownTo: read.at(-1)?.seq ?? head };
}

/**
 * The accounts' outcomes recorded since the last said (SPEC §6: a batch says its outcomes in few
 * messages): added to the thread's current outcome message until it holds LINES_PER_MESSAGE
 * accounts, then a new one, at most one change every few seconds. However slowly the provider
 * creates them, 200 accounts are five messages.
 */
function sayOutcomes(ctx: DeliveryContext, record: AuditRecord, batchId: string): Promise<StepResult> {
  return paced(ctx, batchId, 'outcomes', record, async (head) => {
    const group = await ctx.store.get<OutcomeGroup>(groupKey(batchId));
    const open = group && group.lines.length < LINES_PER_MESSAGE ? group : undefined;
    const { lines, shownTo } = await newOutcomes(ctx, batchId, (await shownUpTo(ctx, batchId, 'outcomes')) + 1, head, LINES_PER_MESSAGE - (open?.lines.length ?? 0));
    const thread = lines.length > 0 ? await threadOf(ctx, batchId) : undefined;
    if (!thread) return { result: 'skipped', shownTo };
    const all = [...(open?.lines ?? []), ...lines];
    const text = all.join('\n');
    let ts = open?.ts;
    if (ts) await toSlack(thread.channel, () => ctx.client.chat.update({ channel: thread.channel, ts: ts!, text }));
    else ts = (await toSlack(thread.channel, () => ctx.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text }))).ts!;
    await ctx.store.set(groupKey(batchId), { ts, lines: all }, MARK_TTL_MS);
    return { result: 'delivered', shownTo };
  });
}

async function threadReply(ctx: DeliveryContext, record: AuditRecord, request: AccessRequest, batchId: string): Promise<StepResult> {
  if (GROUPED.has(record.action)) return sayOutcomes(ctx, record, batchId);
  if (ACCOUNT_EVENTS.has(record.action)) {
    // An unknown outcome carries its own Retry / Mark as done; a late answer needs reading on its own.
    const line = accountOutcome(record, request, ctx.labelOf(request.provider));
    return line ? reply(ctx, batchId, line) : 'skipped';
  }
  if (!(await first(ctx, batchId, `thread_reply:${record.action}:${aboutOf(record)}`, record))) return 'skipped';
  const now = await ctx.batch(batchId);
  const said = now && batchDecisionReply(record, await viewOf(ctx, now));
  return said ? reply(ctx, batchId, { text: said.text }) : 'skipped';
}

/** A CSV batch's results file, once nothing waits any more and something was sent to the provider. */
async function results(ctx: DeliveryContext, record: AuditRecord, batchId: string): Promise<StepResult> {
  if (!(await maybeSettled(ctx, record, batchId))) return 'skipped';
  const now = await ctx.batch(batchId);
  if (!now || now.batch.kind !== 'csv') return 'skipped';
  const counts = batchCounts(now.members);
  if (!batchSettled(counts) || counts.stopped === counts.total || !(await first(ctx, batchId, 'batch_results', record))) return 'skipped';
  const thread = await threadOf(ctx, batchId);
  if (!thread) return 'skipped';
  const { batch, members } = now;
  const rows = members.map((member) => ({
    row: rowOf(batch, member),
    target: member.target,
    provider: ctx.labelOf(member.provider),
    outcome: member.outcome?.kind === 'created' && member.outcome.invited ? 'invited' : member.outcome?.kind === 'dry_run' ? 'dry run' : member.state,
    detail: member.outcome?.kind === 'created' ? member.outcome.providerUserId : (member.outcome?.message ?? ''),
  }));
  await postCsv(ctx, thread, {
    filename: `${batch.id}-results.csv`,
    title: `Results of ${batch.id}`,
    comment: md`Results of ${code(batch.id)}: ${progressText(counts)}.`.text,
    content: resultsCsv(rows),
  });
  return 'delivered';
}

async function escalation(ctx: DeliveryContext, record: AuditRecord, request: AccessRequest, batchId: string): Promise<StepResult> {
  if (!(await first(ctx, batchId, `escalation_dm:${record.provider}`, record))) return 'skipped';
  const now = await ctx.batch(batchId);
  if (!now) return 'skipped';
  return escalationDms(ctx, request, md`Request ${code(batchId)} for ${batchTitle(now.batch, now.members, ctx.labelOf)} (its ${ctx.labelOf(request.provider)} accounts)`);
}

/** Each provider's approvers see the batch in their App Home: refreshed for one member of each provider, at most once a second. */
function refreshHomes(ctx: DeliveryContext, record: AuditRecord, request: AccessRequest, batchId: string): Promise<StepResult> | StepResult {
  const { refreshHome } = ctx;
  if (!refreshHome) return 'skipped';
  return throttled(ctx, batchId, 'home', record, async () => {
    const members = (await ctx.batch(batchId))?.members ?? [request];
    const perProvider = [...new Map(members.map((member) => [member.provider, member])).values()];
    for (const member of perProvider) await refreshHome(member);
    return 'delivered';
  });
}

/** One step of a batch member's record (plan.ts says which it owes). */
export async function runBatchStep(ctx: DeliveryContext, kind: StepKind, record: AuditRecord, request: AccessRequest): Promise<StepResult> {
  const batchId = request.batch!.id;
  switch (kind) {
    case 'request_message':
      return (await first(ctx, batchId, kind, record)) ? postMessage(ctx, batchId, record) : 'skipped';
    case 'parent_update':
      return throttled(ctx, batchId, kind, record, () => update(ctx, batchId));
    case 'thread_reply':
      return threadReply(ctx, record, request, batchId);
    case 'requester_dm':
      return requesterDm(ctx, record, batchId);
    case 'audit_line':
      return auditLine(ctx, record, request, batchId);
    case 'reveal':
      return offerReveal(ctx, request);
    case 'escalation_dm':
      return escalation(ctx, record, request, batchId);
    case 'batch_results':
      return results(ctx, record, batchId);
    case 'home':
      return refreshHomes(ctx, record, request, batchId);
    default:
      return 'skipped';
  }
}
