// Issue 24, item 5: one CSV batch of CheckCentral accounts under Slack's published rate limits
// (a fake Slack of its own, limits: 'slack', with an audit channel), approved once: how many
// messages its thread gets, how long until every outcome can be read there and the results file
// is in it, and what the bot asked of Slack meanwhile: calls, 429s, and calls made before a
// Retry-After Slack had answered ran out. Capped in time: a bot that does not pace itself takes
// minutes, and what it did by the cap is the number.
import type { Recorded } from '../test/simulators/harness.js';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../test/support/fake-slack.js';
import { postToSlackEvents } from '../test/support/slack-requests.js';
import { waitFor } from '../test/support/wait.js';
import { loopMaxMs } from './csv-limits.js';
import { ms, seconds, verdict } from './format.js';
import { approveClick, csvSubmission } from './payloads.js';
import type { Child } from './processes.js';

const REQUESTER = 'UBENCH';
const APPROVER = 'UAPPROVER01';

export interface BatchUnderLimitsOptions {
  rows: number;
  /** From the submission on; whatever is not done by then is reported as not done. */
  capMs: number;
  secret: string;
  /** Starts adduser-bot against the Slack Web API at `slackUrl`, with CAUDITLOG1 as its audit channel. */
  start: (slackUrl: string) => Promise<Child>;
  /** What the provider received so far (CheckCentral's simulator). */
  providerRequests: () => Recorded[];
}

export interface BatchUnderLimits {
  rows: number;
  /** Whether Approve could be clicked before the cap. */
  approved: boolean;
  creates: number;
  /** Approval → the last create the provider received (ms). */
  lastCreateMs?: number;
  /** Accounts whose outcome a delivered message in the thread names, after the approval. */
  visible: number;
  /** Approval → the message that made the last of them visible, once all are (ms). */
  allVisibleMs?: number;
  /** Approval → the results file delivered in the thread (ms). */
  resultsFileMs?: number;
  /** Messages delivered in the thread over the batch's life, and after the approval. */
  threadMessages: number;
  threadMessagesAfterApproval: number;
  auditLines: number;
  /** From the submission on, by method. */
  calls: Map<string, number>;
  rateLimited: Map<string, number>;
  /** chat.postMessage's 429s by channel: its limit is per channel. */
  postsRateLimited: Map<string, number>;
  ignoredRetryAfter: Map<string, number>;
  /** The bot's longest event-loop delay from the approval to the end (ms). */
  loopMaxMs: number;
  elapsedMs: number;
}

const delivered = (call: SlackCall) => call.status === 200 && call.response?.ok === true;

const countBy = (calls: SlackCall[], keep: (call: SlackCall) => boolean = () => true, keyOf = (call: SlackCall) => call.method) => {
  const counts = new Map<string, number>();
  for (const call of calls.filter(keep)) counts.set(keyOf(call), (counts.get(keyOf(call)) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
};

/**
 * When each account's outcome was first readable in the thread: a delivered reply in it, or a
 * delivered update of such a reply, that names the account. The parent is left out: it lists
 * accounts before any outcome. Reads only the calls it has not read yet.
 */
export function outcomeWatcher(calls: SlackCall[], from: number, parentTs: string, tag: string) {
  const seenAt = new Map<string, number>();
  const replies = new Set<string>();
  const accounts = new RegExp(`${tag.replace('.', '\\.')}\\d+@example\\.com`, 'g');
  let cursor = from;
  return () => {
    for (; cursor < calls.length; cursor++) {
      const call = calls[cursor]!;
      const reply = call.method === 'chat.postMessage' && call.args.thread_ts === parentTs;
      if (reply && delivered(call)) replies.add(String(call.response?.ts));
      const edit = call.method === 'chat.update' && replies.has(String(call.args.ts));
      if (!(reply || edit) || !delivered(call)) continue;
      for (const [account] of JSON.stringify(call.args).matchAll(accounts)) if (!seenAt.has(account)) seenAt.set(account, call.at);
    }
    return seenAt;
  };
}

export async function measureBatchUnderLimits(options: BatchUnderLimitsOptions): Promise<BatchUnderLimits> {
  const slack = await startFakeSlack({ limits: 'slack' });
  for (const user of [REQUESTER, APPROVER]) slack.addUser(user);
  const bot = await options.start(slack.url);
  try {
    return await runBatch(options, slack, bot);
  } finally {
    await bot.stop();
    await slack.close();
  }
}

async function runBatch(options: BatchUnderLimitsOptions, slack: FakeSlack, bot: Child): Promise<BatchUnderLimits> {
  const { rows, capMs } = options;
  const started = performance.now();
  const deadline = started + capMs;
  const within = (check: () => unknown, intervalMs = 100) =>
    waitFor(check, { timeoutMs: Math.max(0, deadline - performance.now()), intervalMs }).then(
      () => true,
      () => false,
    );
  const tag = `limits${rows}.user`;
  const content = ['email,name,accessLevel', ...Array.from({ length: rows }, (_, n) => `${tag}${n}@example.com,Bench Limits,user`)].join('\n');
  const file = slack.addFile({ user: REQUESTER, name: `limits-${rows}.csv`, content });
  const first = slack.calls.length;
  const submitted = await postToSlackEvents(bot.url, csvSubmission(`VLIMITS${rows}`, file, 'benchmark: a batch under Slack limits'), { secret: options.secret });
  if (submitted.body !== '') throw new Error(`batch refused: ${submitted.body}`);
  const parent = await waitFor(() => slack.calls.slice(first).find((call) => call.method === 'chat.postMessage' && delivered(call) && String(call.args.text).includes('AB-')), { what: 'the batch message', timeoutMs: capMs });
  const id = /AB-[0-9A-Z]+/.exec(String(parent.args.text))![0];
  const parentTs = String(parent.response?.ts);
  // Approve is offered once every account is in the thread as a file: the parent then gets its buttons.
  const buttons = await within(() => slack.calls.some((call) => call.method === 'chat.update' && delivered(call) && call.args.ts === parentTs && JSON.stringify(call.args.blocks).includes('request_approve')));
  const clickedAt = Date.now();
  const clickedPerf = performance.now();
  const fromClick = slack.calls.length;
  if (buttons) {
    await loopMaxMs(bot.url);
    const clicked = await postToSlackEvents(bot.url, approveClick(APPROVER, id, parentTs), { secret: options.secret });
    if (clicked.status !== 200) throw new Error(`approve answered ${clicked.status}`);
  }
  const outcomes = outcomeWatcher(slack.calls, fromClick, parentTs, tag);
  const resultsFile = () => slack.calls.slice(fromClick).find((call) => call.method === 'files.completeUploadExternal' && delivered(call) && call.args.thread_ts === parentTs);
  if (buttons) await within(() => outcomes().size === rows && resultsFile(), 250);
  const loopMax = buttons ? await loopMaxMs(bot.url) : Number.NaN;
  const creates = options.providerRequests().filter((request) => request.path === '/createUser/' && request.body.includes(tag));
  const seen = outcomes();
  const calls = slack.calls.slice(first);
  const inThread = calls.filter((call) => call.method === 'chat.postMessage' && delivered(call) && call.args.thread_ts === parentTs);
  const results = resultsFile();
  return {
    rows,
    approved: buttons,
    creates: creates.length,
    lastCreateMs: creates.length > 0 ? Math.max(...creates.map((request) => request.receivedAt)) - clickedPerf : undefined,
    visible: seen.size,
    allVisibleMs: seen.size === rows ? Math.max(...seen.values()) - clickedAt : undefined,
    resultsFileMs: results ? results.at - clickedAt : undefined,
    threadMessages: inThread.length,
    threadMessagesAfterApproval: inThread.filter((call) => call.at >= clickedAt).length,
    auditLines: calls.filter((call) => call.method === 'chat.postMessage' && delivered(call) && call.args.channel === 'CAUDITLOG1').length,
    calls: countBy(calls),
    rateLimited: countBy(calls, (call) => call.status === 429),
    postsRateLimited: countBy(calls, (call) => call.status === 429 && call.method === 'chat.postMessage', (call) => String(call.args.channel)),
    ignoredRetryAfter: countBy(calls, (call) => call.ignoredRetryAfter === true),
    loopMaxMs: loopMax,
    elapsedMs: performance.now() - started,
  };
}

const counts = (byMethod: Map<string, number>) => {
  const total = [...byMethod.values()].reduce((sum, count) => sum + count, 0);
  return `${total}${total > 0 ? `: ${[...byMethod].map(([method, count]) => `${method} ${count}`).join(', ')}` : ''}`;
};

/**
 * The lines the benchmark prints. Issue 24's targets are for a batch of 200 (at most 25 thread
 * messages, every outcome in the thread within 60 s of the last create, the loop never held over
 * 100 ms): a smaller batch meets the first by its size alone, so it is shown no verdict.
 */
export function batchUnderLimitsReport(result: BatchUnderLimits): string[] {
  const verdictAt200 = (value: number, limit: number, unit: string) => (result.rows === 200 ? ` ${verdict(value, limit, unit)}` : '');
  const head = `batch of ${result.rows} CheckCentral accounts under Slack's rate limits (audit channel on), ${seconds(result.elapsedMs)} from the submission to the end`;
  if (!result.approved) return [`${head}: no Approve button by the cap; Slack calls ${counts(result.calls)}; 429s ${counts(result.rateLimited)}`];
  const afterLastCreate = result.allVisibleMs !== undefined && result.lastCreateMs !== undefined ? result.allVisibleMs - result.lastCreateMs : undefined;
  return [
    `${head}:`,
    `  approve → last create ${result.lastCreateMs === undefined ? 'none' : seconds(result.lastCreateMs)} (${result.creates} of ${result.rows} created); ` +
      `→ every outcome in the thread ${result.allVisibleMs === undefined ? `not by the cap (${result.visible} of ${result.rows} visible)` : `${seconds(result.allVisibleMs)}, ${seconds(afterLastCreate!)} after the last create${verdictAt200(afterLastCreate! / 1000, 60, ' s')}`}; ` +
      `→ results file ${result.resultsFileMs === undefined ? 'not by the cap' : seconds(result.resultsFileMs)}`,
    `  thread messages ${result.threadMessages} (${result.threadMessagesAfterApproval} after the approval)${verdictAt200(result.threadMessages, 25, '')}; audit channel lines ${result.auditLines} by then; ` +
      `event loop held at most ${ms(result.loopMaxMs)}${verdictAt200(result.loopMaxMs, 100, ' ms')}`,
    `  Slack calls ${counts(result.calls)}`,
    `  429s received ${counts(result.rateLimited)}; of chat.postMessage's, by channel ${counts(result.postsRateLimited)}`,
    `  calls before a Retry-After ran out ${counts(result.ignoredRetryAfter)}`,
  ];
}
