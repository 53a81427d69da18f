// npm run bench [-- --quick] [--lifecycles N] [--cpu-prof DIR]: the compiled adduser-bot against two bare Bolt
// floors, in one process tree on loopback, in one run. Prints numbers and whether each target of
// issue 10 (SPEC §6's bounded work per CSV, issue 22; a batch within Slack's limits, issue 24) is
// met; never fails on them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCheckCentralSimulator } from '../test/simulators/checkcentral.js';
import { type OpenedView, stateValues } from '../test/support/e2e.js';
import { newTriggerId, startFakeSlack } from '../test/support/fake-slack.js';
import { commandBody, payloadBody, postToSlackEvents } from '../test/support/slack-requests.js';
import { waitFor } from '../test/support/wait.js';
import { batchUnderLimitsReport, measureBatchUnderLimits, outcomeWatcher } from './batch-under-limits.js';
import { measureCsvLimits } from './csv-limits.js';
import { ms, verdict } from './format.js';
import { approveClick, csvSubmission } from './payloads.js';
import { type Child, launch, root } from './processes.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const ACKS = quick ? 100 : 1_000;
const lifecyclesArg = process.argv.indexOf('--lifecycles');
const LIFECYCLES = lifecyclesArg > 0 ? Number(process.argv[lifecyclesArg + 1]) : quick ? 100 : 5_000;
// Before the memory baseline: caches, JIT and the heap settle, so the growth is what stays.
const WARMUP_LIFECYCLES = quick ? 20 : 200;
// --cpu-prof DIR: the long-running adduser-bot writes a V8 CPU profile there when it stops.
const profileArg = process.argv.indexOf('--cpu-prof');
const profileDir = profileArg > 0 ? process.argv[profileArg + 1] : undefined;
const LIFECYCLE_CONCURRENCY = 8;
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench-token';
// CheckCentral publishes no per-second limit, so the lifecycle numbers measure the bot, not a
// provider's rate limit (DigiCert's 100 per 5 s would queue most of a 5,000-lifecycle run).
const CC_TOKEN = 'bench-cc-token';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const mb = (value: number) => `${value.toFixed(1)} MB`;

/** Resident megabytes of one process, as the kernel counts them. */
const rssOf = (child: Child) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.process.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function ackLatencies(url: string, count: number, concurrency: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const body = commandBody({ user: `UBENCH${i % 50}`, channel: 'CBENCH', text: '', responseUrl: 'http://127.0.0.1:9/', triggerId: newTriggerId() });
      const res = await postToSlackEvents(url, body, { secret: SECRET });
      if (res.status !== 200) throw new Error(`ack answered ${res.status}`);
      times.push(res.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return times.sort((a, b) => a - b);
}

/**
 * Finds items by key in a growing list without rescanning it: thousands of lifecycles each
 * waiting on a linear search would measure the load generator, not the bot.
 */
function index<T>(items: () => T[], keyOf: (item: T) => string | undefined) {
  const found = new Map<string, T>();
  let seen = 0;
  return (key: string) => () => {
    const list = items();
    for (; seen < list.length; seen++) {
      const item = list[seen]!;
      const itemKey = keyOf(item);
      if (itemKey !== undefined && !found.has(itemKey)) found.set(itemKey, item);
    }
    return found.get(key);
  };
}

/** Resident and V8-heap megabytes of the bot, from its own /metrics. */
async function memory(url: string): Promise<{ rss: number; heap: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
  return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
}

// Without Slack's rate limits: these numbers measure the bot, not Slack's pace (the batch under
// Slack's limits has a Slack of its own).
const slack = await startFakeSlack({ limits: 'none' });
// The fake answers only for people and channels the workspace has, as Slack does.
for (const user of ['UBENCH', 'UAPPROVER01', ...Array.from({ length: 50 }, (_, i) => `UBENCH${i}`), ...Array.from({ length: 20 }, (_, i) => `UREQ${i}`)]) slack.addUser(user);
slack.addChannel('CBENCH');
const provider = await startCheckCentralSimulator({ token: CC_TOKEN });
const dir = mkdtempSync(join(tmpdir(), 'adduser-bench-'));
const common = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET };
let launches = 0;
/** adduser-bot against the Slack at `slackUrl`. */
const launchOurs = (slackUrl: string, extra: Record<string, string> = {}, nodeArgs?: string[]) =>
  launch(
    `${root}dist/main.js`,
    {
      ...common,
      SLACK_API_URL: slackUrl,
      LOG_LEVEL: 'warn',
      // A fresh store per launch, so every start is a first start.
      STORE_URL: `sqlite://${join(dir, `bench-${launches++}.sqlite`)}`,
      ADDUSER_REQUESTS_CHANNEL: 'CREQUESTS1',
      ADDUSER_APPROVERS: 'UAPPROVER01',
      // The main fake Slack has no limits: the bot keeps only Retry-Afters (the batch under limits turns its pace on).
      ADDUSER_SLACK_PACE: 'off',
      // One benchmark requester keeps up to the lifecycle concurrency pending at once.
      ADDUSER_MAX_PENDING: '1000',
      CHECKCENTRAL_API_TOKEN: CC_TOKEN,
      CHECKCENTRAL_BASE_URL: provider.url,
      ...extra,
    },
    nodeArgs,
  );
/** Ack only, ack + views.open, adduser-bot: indexed by the three constants below. */
const apps = [
  { start: () => launch(`${root}bench/bare-bolt.js`, { ...common, SLACK_API_URL: slack.url }) },
  { start: () => launch(`${root}bench/bare-bolt.js`, { ...common, SLACK_API_URL: slack.url, BARE_MODAL: '1' }) },
  { start: (nodeArgs?: string[]) => launchOurs(slack.url, {}, nodeArgs) },
] as const;
/** The apps in a different order each round, so no app always runs first or last. */
const rotated = <T>(items: readonly T[], round: number) => items.map((_, i) => items[(i + round) % items.length]!);
const [ackOnly, modal, ours] = [0, 1, 2] as const;

const say = (line: string) => process.stdout.write(`${line}\n`);
say(
  `adduser-bot benchmark (${quick ? 'quick' : 'full'}): node ${process.version}, ${cpus().length} cores (load ${loadavg()[0]!.toFixed(1)}), loopback, ` +
    `${ROUNDS} interleaved rounds, medians over rounds; ${ACKS} acks per app per round`,
);

// Start and RSS after start: a fresh process of each app per round, 1 s after /healthz answers.
const startMs: [number[], number[], number[]] = [[], [], []];
const startRss: [number[], number[], number[]] = [[], [], []];
for (let round = 0; round < ROUNDS; round++) {
  for (const which of rotated([ackOnly, modal, ours], round)) {
    const child = await apps[which].start();
    await sleep(1_000);
    startMs[which].push(child.startMs);
    startRss[which].push(rssOf(child));
    await child.stop();
  }
}
const [startAck, startModal, startOurs] = startMs.map(median) as [number, number, number];
const [rssAck, rssModal, rssOurs] = startRss.map(median) as [number, number, number];
say(
  `start → /healthz: ack only ${ms(startAck)}, ack + views.open ${ms(startModal)}, adduser-bot ${ms(startOurs)}; ` +
    `ratio ${(startOurs / startModal).toFixed(2)}× ${verdict(startOurs / startModal, 1.2, '×')}`,
);
say(
  `RSS after start: ack only ${mb(rssAck)}, ack + views.open ${mb(rssModal)}, adduser-bot ${mb(rssOurs)}; ` +
    `ratio ${(rssOurs / rssModal).toFixed(2)}× ${verdict(rssOurs / rssModal, 1.5, '×')}`,
);

const running = [await apps[ackOnly].start(), await apps[modal].start(), await apps[ours].start(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])] as const;
const bot = running[ours];
try {
  for (const concurrency of [1, 32]) {
    const p50s: [number[], number[], number[]] = [[], [], []];
    const p99s: [number[], number[], number[]] = [[], [], []];
    for (const child of running) await ackLatencies(child.url, 50, concurrency);
    for (let round = 0; round < ROUNDS; round++) {
      for (const which of rotated([ackOnly, modal, ours], round)) {
        const times = await ackLatencies(running[which].url, ACKS, concurrency);
        p50s[which].push(percentile(times, 50));
        p99s[which].push(percentile(times, 99));
      }
    }
    const [p50Ack, p50Modal, p50Ours] = p50s.map(median) as [number, number, number];
    const [p99Ack, p99Modal, p99Ours] = p99s.map(median) as [number, number, number];
    say(
      `/adduser ack, concurrency ${concurrency}: p50/p99 ack only ${ms(p50Ack)}/${ms(p99Ack)}, ack + views.open ${ms(p50Modal)}/${ms(p99Modal)}, ` +
        `adduser-bot ${ms(p50Ours)}/${ms(p99Ours)}; against ack + views.open p50 ${(p50Ours / p50Modal).toFixed(2)}× ` +
        `p99 ${(p99Ours / p99Modal).toFixed(2)}× ${verdict(p99Ours / p99Modal, 1.2, '×')}; against ack only p99 ${(p99Ours / p99Ack).toFixed(2)}×`,
    );
  }

  // A modal as the bot opens it, to submit again and again.
  await postToSlackEvents(bot.url, commandBody({ user: 'UBENCH', channel: 'CBENCH', text: 'checkcentral', responseUrl: 'http://127.0.0.1:9/' }), { secret: SECRET });
  const opened = await waitFor(() => slack.callsTo('views.open').findLast((call) => JSON.stringify(call.args.view).includes('"accessLevel"')), { what: 'a CheckCentral modal' });
  const view = { ...(opened.args.view as OpenedView), id: 'VBENCH', hash: 'h' };
  const emailIn = (text: unknown) => /(bench\.user\d+)@example\.com/.exec(String(text))?.[1];
  const requestMessage = index(() => slack.calls, (call) => (call.method === 'chat.postMessage' && call.args.channel === 'CREQUESTS1' && !call.args.thread_ts ? emailIn(call.args.text) : undefined));
  const successReply = index(() => slack.calls, (call) => (call.method === 'chat.postMessage' && call.args.thread_ts && String(call.args.text).includes('Account created') ? emailIn(call.args.text) : undefined));
  const createCall = index(() => provider.requests, (request) => (request.path === '/createUser/' ? /"email":"(bench\.user\d+)@example\.com"/.exec(request.body)?.[1] : undefined));
  /** The approver's click on Approve of a request (or batch) message. */
  const approve = (id: string, messageTs: string) => postToSlackEvents(bot.url, approveClick('UAPPROVER01', id, messageTs), { secret: SECRET });
  const lifecycle = async (n: number, approveToProvider: number[]) => {
    const username = `bench.user${n}`;
    const submitted = await postToSlackEvents(
      bot.url,
      payloadBody({
        type: 'view_submission',
        team: { id: 'TTEAM0001' },
        user: { id: `UREQ${n % 20}`, team_id: 'TTEAM0001' },
        api_app_id: 'AAPP00001',
        view: { ...view, id: `VBENCH${n}`, type: 'modal', team_id: 'TTEAM0001', state: stateValues(view, { email: `${username}@example.com`, name: 'Bench Mark', accessLevel: 'user', reason: 'benchmark' }) },
      }),
      { secret: SECRET },
    );
    if (submitted.body !== '') throw new Error(`submission refused: ${submitted.body}`);
    const posted = await waitFor(requestMessage(username), { what: 'the request message', intervalMs: 10 });
    const id = /AR-[0-9A-Z]+/.exec(String(posted.args.text))![0];
    const clicked = performance.now();
    await approve(id, '1.1');
    const create = await waitFor(createCall(username), { what: 'the create call', intervalMs: 10 });
    approveToProvider.push(create.receivedAt - clicked);
    await waitFor(successReply(username), { what: 'the success reply', intervalMs: 10 });
  };
  /** Lifecycles numbered from `first`, `count` of them; the approve → provider-call times, sorted. */
  const lifecycles = async (first: number, count: number) => {
    const times: number[] = [];
    let next = first;
    await Promise.all(
      Array.from({ length: LIFECYCLE_CONCURRENCY }, async () => {
        while (next < first + count) await lifecycle(next++, times);
      }),
    );
    return times.sort((a, b) => a - b);
  };
  await lifecycles(0, WARMUP_LIFECYCLES);
  const memoryBefore = await memory(bot.url);
  const lifecyclesStarted = performance.now();
  const approveToProvider = await lifecycles(WARMUP_LIFECYCLES, LIFECYCLES);
  const seconds = (performance.now() - lifecyclesStarted) / 1000;
  const memoryAfter = await memory(bot.url);
  const p99 = percentile(approveToProvider, 99);
  say(`lifecycles (submit → approve → provider → Slack posts), concurrency ${LIFECYCLE_CONCURRENCY}: ${LIFECYCLES} in ${seconds.toFixed(1)} s = ${(LIFECYCLES / seconds).toFixed(1)}/s`);
  say(`approve → provider request start: p50 ${ms(percentile(approveToProvider, 50))}, p99 ${ms(p99)} ${verdict(p99, 50, ' ms')}`);
  const growth = memoryAfter.rss - memoryBefore.rss;
  say(
    `adduser-bot memory over ${LIFECYCLES} lifecycles after ${WARMUP_LIFECYCLES} to warm up: RSS ${mb(memoryBefore.rss)} → ${mb(memoryAfter.rss)}, ` +
      `growth ${mb(growth)}${quick ? '' : ` ${verdict(growth, 20, ' MB')}`}; V8 heap used ${mb(memoryBefore.heap)} → ${mb(memoryAfter.heap)} (${mb(memoryAfter.heap - memoryBefore.heap)})`,
  );

  /**
   * SPEC §9: one CSV request of `rows` CheckCentral accounts, approved once. The time from the
   * click to the last create reaching the provider, and every Slack call the batch caused.
   */
  const batch = async (rows: number) => {
    const tag = `batch${rows}.user`;
    const content = ['email,name,accessLevel', ...Array.from({ length: rows }, (_, n) => `${tag}${n}@example.com,Bench Batch,user`)].join('\n');
    const file = slack.addFile({ user: 'UBENCH', name: `bench-${rows}.csv`, content });
    const firstCall = slack.calls.length;
    const submitted = await postToSlackEvents(bot.url, csvSubmission(`VBATCH${rows}`, file, 'benchmark batch'), { secret: SECRET });
    if (submitted.body !== '') throw new Error(`batch refused: ${submitted.body}`);
    const posted = await waitFor(() => slack.calls.slice(firstCall).find((call) => call.method === 'chat.postMessage' && String(call.args.text).includes('AB-')), { what: 'the batch message' });
    const id = /AB-[0-9A-Z]+/.exec(String(posted.args.text))![0];
    // Approve is offered once every account is in the thread as a file: the parent then gets its buttons.
    await waitFor(() => slack.calls.some((call) => call.method === 'chat.update' && call.args.ts === posted.response?.ts && JSON.stringify(call.args.blocks).includes('request_approve')), { what: 'the accounts file, then the buttons', timeoutMs: 30_000 });
    const fromClick = slack.calls.length;
    const clicked = performance.now();
    await approve(id, String(posted.response?.ts ?? '1.1'));
    const creates = () => provider.requests.filter((request) => request.path === '/createUser/' && request.body.includes(tag));
    await waitFor(() => creates().length === rows, { what: `${rows} creates`, timeoutMs: 120_000, intervalMs: 10 });
    const lastCreate = Math.max(...creates().map((request) => request.receivedAt)) - clicked;
    // Done when every account's outcome can be read in the thread (outcomes are grouped, and a
    // group's message is updated as accounts finish) and the results file is there; then count
    // what the batch asked of Slack.
    const outcomes = outcomeWatcher(slack.calls, fromClick, String(posted.response?.ts), tag);
    await waitFor(() => outcomes().size === rows && slack.uploads.some((upload) => upload.filename === `${id}-results.csv`), { what: 'every outcome and the results file', timeoutMs: 120_000, intervalMs: 50 });
    const lastLine = Math.max(...outcomes().values()) - (performance.timeOrigin + clicked);
    await sleep(2_000);
    // The calls this batch caused: those naming it, its thread or its accounts (earlier requests' late messages are not its).
    const ts = String(posted.response?.ts);
    const ours = slack.calls.slice(firstCall).filter((call) => call.method === 'conversations.info' || [id, ts, tag].some((mark) => call.raw.includes(mark)));
    const byMethod = new Map<string, number>();
    for (const call of ours) byMethod.set(call.method, (byMethod.get(call.method) ?? 0) + 1);
    const counts = [...byMethod].sort(([a], [b]) => a.localeCompare(b)).map(([method, count]) => `${method} ${count}`).join(', ');
    say(`batch of ${rows} CheckCentral accounts: CSV submitted → ack ${ms(submitted.ms)}; approve → last create ${ms(lastCreate)}, → last outcome readable in the thread ${ms(lastLine)}; Slack calls (${ours.length}): ${counts}`);
  };
  await batch(50);
  await batch(200);

  // SPEC §6: the worst ~1 MB CSVs, each answered, and the bot's own event loop never held long.
  const limits = await measureCsvLimits({ url: bot.url, slack, secret: SECRET, user: 'UBENCH', rounds: quick ? 1 : 3 });
  say(`CSV limits before work (${quick ? 1 : 3} round${quick ? '' : 's'} a shape, the worst; loop delay: the bot's own monitorEventLoopDelay, via /metrics, over each submission):`);
  for (const result of limits) {
    say(
      `  ${result.shape}, ${(result.bytes / 1000).toFixed(0)} KB: answered in ${ms(result.answerMs)} ${verdict(result.answerMs, 1_000, ' ms')}, ` +
        `loop held at most ${result.loopMaxMs > 0 ? ms(result.loopMaxMs) : 'under 10 ms (no 10-ms sample in the window)'} ${verdict(result.loopMaxMs, 100, ' ms')}: ${result.answer.split('\n')[0]!.slice(0, 90)}`,
    );
  }

  // Issue 24: a batch under Slack's published rate limits, in a Slack of its own; CI's quick run keeps it small.
  const underLimits = await measureBatchUnderLimits({
    rows: quick ? 20 : 200,
    capMs: quick ? 60_000 : 480_000,
    secret: SECRET,
    start: (slackUrl) => launchOurs(slackUrl, { ADDUSER_AUDIT_CHANNEL: 'CAUDITLOG1', ADDUSER_SLACK_PACE: 'slack' }),
    providerRequests: () => provider.requests,
  });
  for (const line of batchUnderLimitsReport(underLimits)) say(line);
} finally {
  await Promise.all(running.map((child) => child.stop()));
  await Promise.all([slack.close(), provider.close()]);
  rmSync(dir, { recursive: true, force: true });
}
