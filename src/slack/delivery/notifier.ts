import type { types, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { type AnyProvider, fieldLabel, labelIn } from '../../adapters/providers/types.js';
import type { Store } from '../../adapters/store/types.js';
import type { AuditLog, AuditRecord } from '../../domain/audit.js';
import type { Batch } from '../../domain/batch/batch.js';
import type { Notifier } from '../../domain/events.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import { anchorMessage, auditMessage, filedDm, threadReply } from '../blocks/event-messages.js';
import type { Marked } from '../blocks/grants.js';
import { IDS } from '../blocks/ids.js';
import { button, requestMessage } from '../blocks/request-message.js';
import { code, link, md, mrkdwn } from '../blocks/text.js';
import { type BatchNow, createBatchSteps } from './batch-steps.js';
import { completionOf } from './function-completion.js';
import type { FunctionTokens } from './function-tokens.js';
import { createOutbox, NotYet, Refused, type StepKind, type StepResult, toSlack, type Undeliverable } from './outbox.js';
import { slackError } from '../workspace/reachability.js';
import type { Thread, Threads } from './threads.js';

export interface SlackNotifierDeps {
  client: webApi.WebClient;
  store: Store;
  audit: AuditLog;
  threads: Threads;
  providers: readonly AnyProvider[];
  auditChannel: string | undefined;
  /** Approvals a request needs under the policy in force (more when it holds a privileged value). */
  requiredApprovals: (request: AccessRequest) => number;
  approversText: (provider: string) => string;
  /** The values of a request the policy in force marks as privileged (`privileged:`). */
  privileged: (request: AccessRequest) => readonly Marked[];
  /** The request and its approvers as they are now, so a late delivery never shows a stale state. */
  current: (id: string) => Promise<{ request: AccessRequest; approvedBy: readonly string[] } | undefined>;
  /** A batch (SPEC §9) and its members as they are now. */
  batch: (id: string) => Promise<BatchNow | undefined>;
  batchRecord: (id: string) => Promise<Batch | undefined>;
  /** Generated secrets to show the requester once (taken: a second call gets nothing). */
  /** Whether generated passwords wait for the requester to open them. */
  hasRevealed: (id: string) => Promise<boolean>;
  /** Refreshes the App Homes that show the request. */
  refreshHome?: (request: AccessRequest) => Promise<void>;
  /** The execution tokens of the workflow steps that filed requests. */
  functionTokens: FunctionTokens;
  /** Counts a message Slack refused for good (for /metrics). */
  onUndeliverable?: (entry: Undeliverable) => void;
  /** This process, for delivery claims; a claim held by a dead process is taken over. */
  instanceId: string;
  alive: (instance: string) => Promise<boolean>;
  log: Logger;
}

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

/** The records after which a request's outcome is settled for its workflow step; `unknown` waits for an approver. */
const ENDS_WORKFLOW_STEP: ReadonlySet<AuditRecord['action']> = new Set(['succeeded', 'failed', 'rejected', 'cancelled', 'expired']);

/** Slack's answers to a token that no longer works. */
const EXPIRED_TOKEN: ReadonlySet<string> = new Set(['invalid_auth', 'token_expired', 'token_revoked', 'not_authed']);

/** Set when the request (or batch) message was refused for good: its thread will never exist. */
const unpostedKey = (id: string) => `slack:outbox:unposted:${id}`;

/** A batch member's messages live in its batch's thread. */
const threadIdOf = (request: AccessRequest) => request.batch?.id ?? request.id;

/** The chain's head, outside the store (`npm run audit -- verify --anchor` checks the store against it). */
async function anchorLine(client: webApi.WebClient, channel: string | undefined, record: AuditRecord): Promise<StepResult> {
  if (!channel) return 'skipped';
  await toSlack(channel, () => client.chat.postMessage({ channel, text: anchorMessage(record).text, unfurl_links: false }));
  return 'delivered';
}

/**
 * Slack's side of the durable outbox (`outbox.ts`): which messages each audit record owes, and
 * how each one is sent. Every message reads the request as it is now, so a late delivery never
 * shows a stale state; a failed delivery never touches the request itself, so it can never
 * re-run provisioning.
 */
export function createSlackNotifier(deps: SlackNotifierDeps): Notifier & {
  /** Owes the audit channel a line anchoring the chain at `record` (audit-anchors.ts decides when). */
  anchor: (record: AuditRecord) => Promise<unknown>;
  sweep: () => Promise<void>;
  idle: () => Promise<void>;
  depth: () => Promise<number>;
} {
  const { client, store, threads } = deps;
  const labelOf = labelIn(deps.providers);
  const fieldLabelOf = (provider: string, field: string) => {
    const found = deps.providers.find((one) => one.id === provider);
    return found ? fieldLabel(found, field) : field;
  };
  /** What a request asks for, as its DMs name it. */
  const askedFor = (request: AccessRequest) => md`for a ${labelOf(request.provider)} account for *${request.target}*`;

  async function render(id: string) {
    const now = await deps.current(id);
    if (!now) return undefined;
    return requestMessage({
      request: now.request,
      providerLabel: labelOf(now.request.provider),
      approvedBy: now.approvedBy,
      requiredApprovals: deps.requiredApprovals(now.request),
      approversText: deps.approversText(now.request.provider),
      privileged: deps.privileged(now.request).map((one) => ({ ...one, field: fieldLabelOf(now.request.provider, one.field) })),
    });
  }

  /** The request's thread; undefined when its message was refused for good; NotYet while it is still owed. */
  async function threadOf(requestId: string): Promise<Thread | undefined> {
    const thread = await threads.get(requestId);
    if (thread) return thread;
    if (await store.get(unpostedKey(requestId))) return undefined;
    throw new NotYet(`the request message of ${requestId} is not posted yet`);
  }

  /**
   * Posts the parent message of a request's (or batch's) thread, once: where it landed is kept
   * under `id`, and a refusal for good is remembered, since that thread will never exist.
   */
  async function postParent(id: string, where: string, render: () => Promise<{ text: string; blocks: types.KnownBlock[] } | undefined>): Promise<StepResult> {
    if (await threads.get(id)) return 'delivered';
    const message = await render();
    if (!message) return 'skipped';
    const posted = await toSlack(where, () => client.chat.postMessage({ channel: where, ...message, unfurl_links: false })).catch(async (error: unknown) => {
      if (error instanceof Refused) await store.add(unpostedKey(id), error.error);
      throw error;
    });
    const ts = posted.ts!;
    const channel = posted.channel ?? where;
    const permalink = await client.chat.getPermalink({ channel, message_ts: ts }).catch(() => undefined);
    await threads.save(id, { channel, ts, permalink: permalink?.permalink });
    return 'delivered';
  }

  async function dm(user: string, text: string): Promise<StepResult> {
    await toSlack(user, () => client.chat.postMessage({ channel: user, text }));
    return 'delivered';
  }

  async function requesterDm(record: AuditRecord, request: AccessRequest): Promise<StepResult> {
    const thread = await threadOf(threadIdOf(request));
    if (record.action === 'requested') {
      // Without the unposted DM the requester of a stored, valid request would hear nothing at all.
      const posted = thread ?? { unpostedIn: request.channel, reason: (await store.get<string>(unpostedKey(request.id))) ?? 'an error' };
      return dm(request.requester, filedDm(request.id, askedFor(request), posted).text);
    }
    // Only the record that settles the request says so: an earlier one, read late, would find the same outcome and say it twice.
    const final = FINAL_NOTICE[record.action];
    if (!final) return 'skipped';
    const notice = record.action === 'succeeded' ? succeededNotice(request) : final;
    const see = thread?.permalink ? md` ${link(thread.permalink, 'See the thread.')}` : md``;
    return dm(request.requester, md`Your request ${code(request.id)} ${notice}.${see}`.text);
  }

  /**
   * SPEC §8: the people a request escalated to hear it by DM. One DM each, marked once sent, so
   * a retry after one of them failed does not repeat the others.
   */
  async function escalationDms(request: AccessRequest, subject = md`Request ${code(request.id)} ${askedFor(request)}`): Promise<StepResult> {
    const users = request.escalatedTo?.users ?? [];
    if (users.length === 0) return 'skipped';
    const thread = await threadOf(threadIdOf(request));
    const see = thread?.permalink ? md` ${link(thread.permalink, 'See the request.')}` : md``;
    const text = md`${subject} is still waiting for approval, and the policy now asks you too: you may approve or reject it.${see}`.text;
    for (const user of users) {
      const sent = escalationDmKey(request.id, user);
      if (await store.get(sent)) continue;
      await dm(user, text);
      await store.set(sent, true, ESCALATION_DM_MARK_MS);
    }
    return 'delivered';
  }

  async function threadReplyStep(record: AuditRecord, request: AccessRequest, approvedBy: readonly string[]): Promise<StepResult> {
    const thread = await threadOf(threadIdOf(request));
    if (!thread) return 'skipped';
    const position = approvedBy.indexOf(record.actor) + 1;
    const remaining = record.action === 'approved' && request.state === 'pending' ? Math.max(0, deps.requiredApprovals(request) - position) : 0;
    const reply = threadReply({ request, audit: record, remaining }, labelOf(request.provider));
    if (!reply) return 'skipped';
    await toSlack(thread.channel, () => client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: reply.text }));
    return 'delivered';
  }

  async function parentUpdate(request: AccessRequest): Promise<StepResult> {
    const thread = await threadOf(threadIdOf(request));
    const message = thread && (await render(request.id));
    if (!thread || !message) return 'skipped';
    await toSlack(thread.channel, () => client.chat.update({ channel: thread.channel, ts: thread.ts, ...message }));
    return 'delivered';
  }

  /**
   * A button, not the password: the requester opens it in a modal (reveal listener), so the
   * secret is never in a message, a DM's history or a notification.
   */
  async function offerReveal(request: AccessRequest): Promise<StepResult> {
    if (!(await deps.hasRevealed(request.id))) return 'skipped';
    const thread = await threadOf(threadIdOf(request));
    const offer = md`Your new ${labelOf(request.provider)} account for *${request.target}* has a password the bot generated. Open it once, only you can: it is not kept after that.`;
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

  async function auditLine(record: AuditRecord, request: AccessRequest): Promise<StepResult> {
    if (!deps.auditChannel) return 'skipped';
    const channel = deps.auditChannel;
    const thread = await threads.get(request.id);
    await toSlack(channel, () =>
      client.chat.postMessage({ channel, text: auditMessage(record, labelOf(request.provider), thread?.permalink).text, unfurl_links: false }),
    );
    return 'delivered';
  }

  /**
   * SPEC §10: the step that filed the request completes with its outcome, with the execution's
   * own token. An outbox step like any message, so it happens once whichever replica sends it,
   * and after a restart still.
   */
  async function completeWorkflowStep(request: AccessRequest): Promise<StepResult> {
    const completion = request.workflow && completionOf(request, labelOf(request.provider));
    if (!request.workflow || !completion) return 'skipped';
    const function_execution_id = request.workflow.functionExecutionId;
    const token = await deps.functionTokens.get(function_execution_id);
    const where = `workflow step ${function_execution_id}`;
    try {
      await toSlack(where, () =>
        completion.ok
          ? client.functions.completeSuccess({ token, function_execution_id, outputs: completion.outputs })
          : client.functions.completeError({ token, function_execution_id, error: completion.error }),
      );
    } catch (error) {
      // A refusal for good (the workflow was cancelled, the execution is gone) ends the step as
      // surely as a completion: its token has nothing left to do. How long a token lives Slack
      // does not say, and a request may wait days: a refused token is dropped too, so the retry
      // completes with the bot token, which Slack also takes.
      if (error instanceof Refused || (token !== undefined && EXPIRED_TOKEN.has(slackError(error) ?? ''))) await deps.functionTokens.forget(function_execution_id);
      throw error;
    }
    await deps.functionTokens.forget(function_execution_id);
    return 'delivered';
  }

  async function run(kind: StepKind, record: AuditRecord): Promise<StepResult> {
    // About the whole chain, not the record's request.
    if (kind === 'anchor') return anchorLine(client, deps.auditChannel, record);
    const now = await deps.current(record.requestId);
    if (!now) return 'skipped';
    const { request, approvedBy } = now;
    if (request.batch) return batchSteps.run(kind, record, request);
    switch (kind) {
      case 'request_message':
        return postParent(request.id, request.channel, () => render(request.id));
      case 'thread_reply':
        return threadReplyStep(record, request, approvedBy);
      case 'parent_update':
        return parentUpdate(request);
      case 'reveal':
        return offerReveal(request);
      case 'requester_dm':
        return requesterDm(record, request);
      case 'escalation_dm':
        return escalationDms(request);
      case 'audit_line':
        return auditLine(record, request);
      case 'workflow_completion':
        return completeWorkflowStep(request);
      case 'batch_results':
        return 'skipped';
      case 'home':
        if (!deps.refreshHome) return 'skipped';
        await deps.refreshHome(request);
        return 'delivered';
    }
  }

  const batchSteps = createBatchSteps({
    client,
    store,
    threads,
    auditChannel: deps.auditChannel,
    labelOf,
    fieldLabel: fieldLabelOf,
    privileged: deps.privileged,
    requiredApprovals: deps.requiredApprovals,
    approversText: deps.approversText,
    batch: deps.batch,
    batchRecord: deps.batchRecord,
    auditHead: () => deps.audit.head(),
    threadOf,
    postParent,
    unpostedReason: (id) => store.get<string>(unpostedKey(id)),
    dm,
    offerReveal,
    escalationDms,
    refreshHome: deps.refreshHome,
  });

  function stepsOf(record: AuditRecord): StepKind[] {
    if (record.batchId) return batchSteps.stepsOf(record);
    const tail: StepKind[] = ['audit_line', 'home'];
    if (record.action === 'requested') return ['request_message', 'requester_dm', ...tail];
    const steps: StepKind[] = ['thread_reply', 'parent_update'];
    if (record.action === 'succeeded') steps.push('reveal');
    if (record.action === 'escalated') steps.push('escalation_dm');
    else if (record.action !== 'approved') steps.push('requester_dm');
    if (record.via === 'workflow' && ENDS_WORKFLOW_STEP.has(record.action)) steps.push('workflow_completion');
    return [...steps, ...tail];
  }

  const outbox = createOutbox({
    store,
    audit: deps.audit,
    stepsOf,
    run,
    onUndeliverable: deps.onUndeliverable,
    instanceId: deps.instanceId,
    alive: deps.alive,
    log: deps.log,
  });

  return {
    publish(event) {
      void outbox.publish(event.audit);
    },
    anchor: (record) => outbox.file(record, 'anchor'),
    sweep: outbox.sweep,
    depth: outbox.depth,
    idle: outbox.idle,
  };
}
