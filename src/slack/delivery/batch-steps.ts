import type { types, webApi } from '@slack/bolt';
import type { Store } from '../../adapters/store/types.js';
import type { AuditRecord } from '../../domain/audit.js';
import { type Batch, batchCounts, batchSettled } from '../../domain/batch/batch.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import { accountOutcome, batchAuditMessage, batchDecisionReply, batchMessage, batchTitle, type BatchView, progressText, rowOf } from '../blocks/batch-message.js';
import type { GrantWords } from '../blocks/grants.js';
import { auditMessage, filedDm } from '../blocks/event-messages.js';
import { code, link, md, type Mrkdwn } from '../blocks/text.js';
import { accountsCsv, resultsCsv } from '../../domain/batch/results.js';
import { uploadCsv } from '../workspace/files.js';
import { NotYet, type StepKind, type StepResult, toSlack } from './outbox.js';
import type { Thread, Threads } from './threads.js';

/** A batch and its members as they are now, with each member's approvers so far. */
export interface BatchNow {
  batch: Batch;
  members: AccessRequest[];
  approvedBy: Map<string, string[]>;
}

export interface BatchStepsDeps extends Omit<GrantWords, 'labelOf'> {
  client: webApi.WebClient;
  store: Store;
  threads: Threads;
  auditChannel: string | undefined;
  labelOf: (provider: string) => string;
  requiredApprovals: (request: AccessRequest) => number;
  approversText: (provider: string) => string;
  batch: (id: string) => Promise<BatchNow | undefined>;
  /** The audit log's last sequence number: what an update read the state after. */
  auditHead: () => Promise<number>;
  /** The batch's record alone, without its members. */
  batchRecord: (id: string) => Promise<Batch | undefined>;
  /** The thread of a request or batch id; undefined when its message was refused for good; NotYet while it is owed. */
  threadOf: (id: string) => Promise<Thread | undefined>;
  /** Posts a thread's parent message once, keeping where it landed under `id` (the notifier's, for requests too). */
  postParent: (id: string, channel: string, render: () => Promise<{ text: string; blocks: types.KnownBlock[] } | undefined>) => Promise<StepResult>;
  /** What Slack said when it refused a request's or batch's message for good. */
  unpostedReason: (id: string) => Promise<string | undefined>;
  dm: (user: string, text: string) => Promise<StepResult>;
  offerReveal: (request: AccessRequest) => Promise<StepResult>;
  /** DMs the people `request` escalated to, about `subject` (the batch, for a member). */
  escalationDms: (request: AccessRequest, subject: Mrkdwn) => Promise<StepResult>;
  refreshHome?: (request: AccessRequest) => Promise<void>;
}

/** The decisions people and the bot take on a whole batch: every pending member records the same one. */
const DECISIONS: ReadonlySet<AuditRecord['action']> = new Set(['requested', 'approved', 'rejected', 'cancelled', 'expired', 'escalated']);
/** An account's own events: each is a line of its own in the batch's thread. */
const ACCOUNT_EVENTS: ReadonlySet<AuditRecord['action']> = new Set(['succeeded', 'failed', 'unknown', 'retried', 'late_answer']);
/** Records that end an account for good, after which the batch may have nothing left waiting (`unknown` waits for an approver). */
const MAY_SETTLE: ReadonlySet<AuditRecord['action']> = new Set(['succeeded', 'failed', 'rejected', 'cancelled', 'expired']);

/** What makes a decision on a batch one to say: who took it, or, for expiry and escalation (which follow each provider's own deadlines), which provider's accounts. */
const aboutOf = (record: AuditRecord) => (record.action === 'expired' || record.action === 'escalated' ? record.provider : record.actor);

/** Progress is shown at most this often: a 200-account batch must not mean 200 edits of one message. */
const UPDATE_EVERY_MS = 1_000;
/** Longer than one update can take (the WebClient waits out a 429 or two): updates never overlap. */
const UPDATE_LEASE_MS = 60_000;
const MARK_TTL_MS = 30 * 86_400_000;

/**
 * Slack's side of a batch (SPEC §9): its members are ordinary requests whose audit records go
 * through the outbox one by one, but people see one message and one thread. A decision every
 * member records is said once (the first member's step to get there says it, and only that
 * step retries it); an account's outcome is its own line; the parent message and App Homes
 * show progress at most once a second, each update showing everything recorded before it.
 */
export function createBatchSteps(deps: BatchStepsDeps) {
  const { client, store } = deps;

  /** Whether this record's step is the one that says `what` for its batch: the first to ask is, and stays so through its retries. */
  async function first(batchId: string, what: string, record: AuditRecord): Promise<boolean> {
    const key = `slack:batch:${batchId}:said:${what}`;
    if (await store.add(key, record.seq, MARK_TTL_MS)) return true;
    return (await store.get<number>(key)) === record.seq;
  }

  /**
   * Shows progress (`show` reads the batch as it is then), at most once a second: 'skipped' when
   * an update that read the state after this record was written showed it already; NotYet
   * (retried within seconds) while another update is under way or was made under a second ago.
   * Updates never overlap (the lease lasts the whole update), so an older one cannot land after
   * a newer one; one marks what it showed (the audit log's head when it read) only once it went
   * through, so a failed update is retried, not taken as shown.
   */
  async function throttled(batchId: string, what: string, record: AuditRecord, show: () => Promise<StepResult>): Promise<StepResult> {
    const shownKey = `slack:batch:${batchId}:${what}:shown-seq`;
    const slot = `slack:batch:${batchId}:${what}:slot`;
    if (((await store.get<number>(shownKey)) ?? 0) >= record.seq) return 'skipped';
    if (!(await store.add(slot, record.seq, UPDATE_LEASE_MS))) throw new NotYet(`the ${what} of batch ${batchId} is being updated, or was under a second ago`);
    try {
      const readSeq = await deps.auditHead();
      const result = await show();
      if (result === 'delivered' && ((await store.get<number>(shownKey)) ?? 0) < readSeq) await store.set(shownKey, readSeq, MARK_TTL_MS);
      return result;
    } finally {
      await store.delete(slot);
      await store.add(slot, record.seq, UPDATE_EVERY_MS);
    }
  }

  /**
   * Whether every member may have settled, known without reading them: the members whose records
   * ended them are a set in the store (adding one twice changes nothing). Only then is the batch
   * read to be sure.
   */
  async function maybeSettled(record: AuditRecord, batchId: string): Promise<boolean> {
    const ended = `slack:batch:${batchId}:ended`;
    await store.indexAdd(ended, record.requestId, record.seq);
    const batch = await deps.batchRecord(batchId);
    return batch !== undefined && (await store.indexCount(ended)) >= batch.members.length;
  }

  const viewOf = async (now: BatchNow): Promise<BatchView> => ({
    ...now,
    labelOf: deps.labelOf,
    fieldLabel: deps.fieldLabel,
    privileged: deps.privileged,
    requiredApprovals: deps.requiredApprovals,
    approversText: deps.approversText,
    listing: now.batch.kind === 'csv' && !(await deps.threads.accountsListed(now.batch.id)),
  });

  /**
   * The batch's message, then, for a CSV, every account as it will be sent in a file in its
   * thread; only then does the message get its Approve and Reject (SPEC §6: approvers see what
   * they grant, and 200 rows do not fit in a message).
   */
  async function postMessage(batchId: string, record: AuditRecord): Promise<StepResult> {
    const batch = await deps.batchRecord(batchId);
    if (!batch) return 'skipped';
    const posted = await deps.postParent(batchId, batch.channel, async () => {
      const now = await deps.batch(batchId);
      return now && batchMessage(await viewOf(now));
    });
    if (batch.kind !== 'csv') return posted;
    // Listed once; the update that shows the buttons is repeated by a retry, which cannot tell
    // whether it went through, and keeps to the pace of every other update of the message.
    if (!(await deps.threads.accountsListed(batchId))) await listAccounts(batch);
    return throttled(batchId, 'parent_update', record, () => update(batchId));
  }

  async function listAccounts(batch: Batch): Promise<void> {
    const thread = await deps.threadOf(batch.id);
    const now = thread && (await deps.batch(batch.id));
    if (!thread || !now) return;
    const rows = now.members.map((member) => ({ row: rowOf(batch, member), provider: deps.labelOf(member.provider), target: member.target, details: member.details }));
    await toSlack(thread.channel, () =>
      uploadCsv(client, {
        channel: thread.channel,
        threadTs: thread.ts,
        filename: `${batch.id}-accounts.csv`,
        title: `Accounts of ${batch.id}`,
        comment: md`Every account of ${code(batch.id)} as it will be sent (secrets masked): read it before you approve.`.text,
        content: accountsCsv(rows),
      }),
    );
    await deps.threads.markAccountsListed(batch.id);
  }

  async function update(batchId: string): Promise<StepResult> {
    const thread = await deps.threadOf(batchId);
    const now = thread && (await deps.batch(batchId));
    if (!thread || !now) return 'skipped';
    const message = batchMessage(await viewOf(now));
    await toSlack(thread.channel, () => client.chat.update({ channel: thread.channel, ts: thread.ts, ...message }));
    return 'delivered';
  }

  async function reply(batchId: string, message: { text: string; blocks?: unknown[] }): Promise<StepResult> {
    const thread = await deps.threadOf(batchId);
    if (!thread) return 'skipped';
    await toSlack(thread.channel, () => client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: message.text, ...(message.blocks && { blocks: message.blocks as never }) }));
    return 'delivered';
  }

  async function requesterDm(record: AuditRecord, batchId: string): Promise<StepResult> {
    if (record.action === 'requested' ? !(await first(batchId, 'requester_dm:requested', record)) : !(await maybeSettled(record, batchId))) return 'skipped';
    const now = await deps.batch(batchId);
    if (!now) return 'skipped';
    const { batch, members } = now;
    const title = batchTitle(batch, members, deps.labelOf);
    if (record.action === 'requested') {
      const posted = (await deps.threadOf(batchId)) ?? { unpostedIn: batch.channel, reason: (await deps.unpostedReason(batchId)) ?? 'an error' };
      return deps.dm(batch.requester, filedDm(batch.id, md`for ${title}`, posted).text);
    }
    // The end of the batch is told once, when nothing waits for a decision or a provider any more.
    const counts = batchCounts(members);
    if (!batchSettled(counts) || !(await first(batchId, 'requester_dm:settled', record))) return 'skipped';
    const thread = await deps.threads.get(batchId);
    const see = thread?.permalink ? md` ${link(thread.permalink, 'See the thread.')}` : md``;
    const outcome = counts.stopped === counts.total ? `was ${record.action}` : `is done: ${progressText(counts)}`;
    return deps.dm(batch.requester, md`Your request ${code(batch.id)} for ${title} ${outcome}.${see}`.text);
  }

  async function auditLine(record: AuditRecord, request: AccessRequest, batchId: string): Promise<StepResult> {
    if (!deps.auditChannel) return 'skipped';
    const channel = deps.auditChannel;
    const thread = await deps.threads.get(batchId);
    let text: string;
    if (DECISIONS.has(record.action)) {
      if (!(await first(batchId, `audit_line:${record.action}:${aboutOf(record)}`, record))) return 'skipped';
      const now = await deps.batch(batchId);
      if (!now) return 'skipped';
      text = batchAuditMessage(record, await viewOf(now), thread?.permalink ? link(thread.permalink, 'thread') : undefined).text;
    } else {
      text = auditMessage(record, deps.labelOf(request.provider), thread?.permalink).text;
    }
    await toSlack(channel, () => client.chat.postMessage({ channel, text, unfurl_links: false }));
    return 'delivered';
  }

  async function threadReply(record: AuditRecord, request: AccessRequest, batchId: string): Promise<StepResult> {
    if (ACCOUNT_EVENTS.has(record.action)) {
      const line = accountOutcome(record, request, deps.labelOf(request.provider));
      return line ? reply(batchId, line) : 'skipped';
    }
    if (!(await first(batchId, `thread_reply:${record.action}:${aboutOf(record)}`, record))) return 'skipped';
    const now = await deps.batch(batchId);
    const said = now && batchDecisionReply(record, await viewOf(now));
    return said ? reply(batchId, { text: said.text }) : 'skipped';
  }

  /** A CSV batch's results file, once nothing waits any more and something was sent to the provider. */
  async function results(record: AuditRecord, batchId: string): Promise<StepResult> {
    if (!(await maybeSettled(record, batchId))) return 'skipped';
    const now = await deps.batch(batchId);
    if (!now || now.batch.kind !== 'csv') return 'skipped';
    const counts = batchCounts(now.members);
    if (!batchSettled(counts) || counts.stopped === counts.total || !(await first(batchId, 'batch_results', record))) return 'skipped';
    const thread = await deps.threadOf(batchId);
    if (!thread) return 'skipped';
    const { batch, members } = now;
    const rows = members.map((member) => ({
      row: rowOf(batch, member),
      target: member.target,
      provider: deps.labelOf(member.provider),
      outcome: member.outcome?.kind === 'created' && member.outcome.invited ? 'invited' : member.outcome?.kind === 'dry_run' ? 'dry run' : member.state,
      detail: member.outcome?.kind === 'created' ? member.outcome.providerUserId : (member.outcome?.message ?? ''),
    }));
    await toSlack(thread.channel, () =>
      uploadCsv(client, {
        channel: thread.channel,
        threadTs: thread.ts,
        filename: `${batch.id}-results.csv`,
        title: `Results of ${batch.id}`,
        comment: md`Results of ${code(batch.id)}: ${progressText(counts)}.`.text,
        content: resultsCsv(rows),
      }),
    );
    return 'delivered';
  }

  return {
    /** The steps a batch member's record owes. */
    stepsOf(record: AuditRecord): StepKind[] {
      if (record.action === 'requested') return ['request_message', 'requester_dm', 'audit_line', 'home'];
      const steps: StepKind[] = ['parent_update'];
      if (DECISIONS.has(record.action) || ACCOUNT_EVENTS.has(record.action)) steps.unshift('thread_reply');
      if (record.action === 'succeeded') steps.push('reveal');
      if (record.action === 'escalated') steps.push('escalation_dm');
      if (record.action !== 'provisioning') steps.push('audit_line');
      if (MAY_SETTLE.has(record.action)) steps.push('batch_results', 'requester_dm');
      return [...steps, 'home'];
    },

    async run(kind: StepKind, record: AuditRecord, request: AccessRequest): Promise<StepResult> {
      const batchId = request.batch!.id;
      switch (kind) {
        case 'request_message':
          return (await first(batchId, kind, record)) ? postMessage(batchId, record) : 'skipped';
        case 'parent_update':
          return throttled(batchId, kind, record, () => update(batchId));
        case 'thread_reply':
          return threadReply(record, request, batchId);
        case 'requester_dm':
          return requesterDm(record, batchId);
        case 'audit_line':
          return auditLine(record, request, batchId);
        case 'reveal':
          return deps.offerReveal(request);
        case 'escalation_dm': {
          if (!(await first(batchId, `${kind}:${record.provider}`, record))) return 'skipped';
          const now = await deps.batch(batchId);
          if (!now) return 'skipped';
          return deps.escalationDms(request, md`Request ${code(batchId)} for ${batchTitle(now.batch, now.members, deps.labelOf)} (its ${deps.labelOf(request.provider)} accounts)`);
        }
        case 'batch_results':
          return results(record, batchId);
        case 'home': {
          const { refreshHome } = deps;
          if (!refreshHome) return 'skipped';
          return throttled(batchId, kind, record, async () => {
            // Each provider's approvers see the batch: refreshed for one member of each provider.
            const members = (await deps.batch(batchId))?.members ?? [request];
            const perProvider = [...new Map(members.map((member) => [member.provider, member])).values()];
            for (const member of perProvider) await refreshHome(member);
            return 'delivered';
          });
        }
        default:
          return 'skipped';
      }
    },
  };
}
