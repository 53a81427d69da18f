// npm run bench [-- --quick]: adduser-bot against a bare Bolt app, in one process tree on
// loopback, in one run. Prints numbers; never fails on them.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCheckCentralSimulator } from '../test/simulators/checkcentral.js';
import { closedPort } from '../test/simulators/harness.js';
import { type OpenedView, stateValues } from '../test/support/e2e.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { commandBody, payloadBody, postToSlackEvents } from '../test/support/slack-requests.js';
import { waitFor } from '../test/support/wait.js';

const quick = process.argv.includes('--quick');
const ACKS = quick ? 200 : 2_000;
const lifecyclesArg = process.argv.indexOf('--lifecycles');
const LIFECYCLES = lifecyclesArg > 0 ? Number(process.argv[lifecyclesArg + 1]) : quick ? 100 : 5_000;
const LIFECYCLE_CONCURRENCY = 8;
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench-token';
// CheckCentral publishes no per-second limit, so the lifecycle numbers measure the bot, not a
// provider's rate limit (DigiCert's 100 per 5 s would queue most of a 5,000-lifecycle run).
const CC_TOKEN = 'bench-cc-token';

const root = fileURLToPath(new URL('../', import.meta.url));

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (value: number) => `${value.toFixed(2)} ms`;
const ratio = (ours: number, base: number) => `${(ours / base).toFixed(2)}×`;

interface Child {
  process: ChildProcess;
  url: string;
  startMs: number;
  stop: () => Promise<void>;
}

async function launch(script: string, env: Record<string, string>): Promise<Child> {
  const port = await closedPort();
  const started = performance.now();
  // As `npm start` runs it: compiled, no loader, source maps on.
  const child = spawn(process.execPath, ['--enable-source-maps', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, { timeoutMs: 30_000, intervalMs: 5, what: `${script} /healthz` });
  const startMs = performance.now() - started;
  return {
    process: child,
    url,
    startMs,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function ackLatencies(url: string, count: number, concurrency: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const body = commandBody({ user: `UBENCH${i % 50}`, channel: 'CBENCH', text: '', responseUrl: 'http://127.0.0.1:9/', triggerId: `t${i}` });
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

const slack = await startFakeSlack();
const provider = await startCheckCentralSimulator({ token: CC_TOKEN });
const dir = mkdtempSync(join(tmpdir(), 'adduser-bench-'));
const common = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url };
const bare = await launch(`${root}bench/bare-bolt.js`, common);
const bot = await launch(`${root}dist/main.js`, {
  ...common,
  LOG_LEVEL: 'warn',
  STORE_URL: `sqlite://${join(dir, 'bench.sqlite')}`,
  ADDUSER_REQUESTS_CHANNEL: 'CREQUESTS1',
  ADDUSER_APPROVERS: 'UAPPROVER01',
  CHECKCENTRAL_API_TOKEN: CC_TOKEN,
  CHECKCENTRAL_BASE_URL: provider.url,
});

try {
  const rows: string[] = [];
  const say = (line: string) => {
    rows.push(line);
    process.stdout.write(`${line}\n`);
  };
  say(`adduser-bot benchmark (${quick ? 'quick' : 'full'}): ${ACKS} acks per run, ${LIFECYCLES} lifecycles, loopback, node ${process.version}`);
  say(`start → /healthz: bare Bolt ${ms(bare.startMs)}, adduser-bot ${ms(bot.startMs)}, ratio ${ratio(bot.startMs, bare.startMs)}`);

  for (const concurrency of [1, 32]) {
    await ackLatencies(bare.url, 50, concurrency);
    await ackLatencies(bot.url, 50, concurrency);
    const base = await ackLatencies(bare.url, ACKS, concurrency);
    const ours = await ackLatencies(bot.url, ACKS, concurrency);
    say(
      `/adduser ack, concurrency ${concurrency}: bare Bolt p50 ${ms(percentile(base, 50))} p99 ${ms(percentile(base, 99))}; ` +
        `adduser-bot p50 ${ms(percentile(ours, 50))} p99 ${ms(percentile(ours, 99))}; p99 ratio ${ratio(percentile(ours, 99), percentile(base, 99))}`,
    );
  }

  // A modal as the bot opens it, to submit again and again.
  await postToSlackEvents(bot.url, commandBody({ user: 'UBENCH', channel: 'CBENCH', text: 'checkcentral', responseUrl: 'http://127.0.0.1:9/' }), { secret: SECRET });
  const opened = await waitFor(() => slack.callsTo('views.open').findLast((call) => JSON.stringify(call.args.view).includes('"accessLevel"')), { what: 'a CheckCentral modal' });
  const view = { ...(opened.args.view as OpenedView), id: 'VBENCH', hash: 'h' };
  const memoryBefore = await memory(bot.url);
  const emailIn = (text: unknown) => /(bench\.user\d+)@example\.com/.exec(String(text))?.[1];
  const requestMessage = index(() => slack.calls, (call) => (call.method === 'chat.postMessage' && call.args.channel === 'CREQUESTS1' && !call.args.thread_ts ? emailIn(call.args.text) : undefined));
  const successReply = index(() => slack.calls, (call) => (call.method === 'chat.postMessage' && call.args.thread_ts && String(call.args.text).includes('Account created') ? emailIn(call.args.text) : undefined));
  const createCall = index(() => provider.requests, (request) => (request.path === '/createUser/' ? /"email":"(bench\.user\d+)@example\.com"/.exec(request.body)?.[1] : undefined));
  const approveToProvider: number[] = [];
  let done = 0;
  let nextLifecycle = 0;
  const lifecyclesStarted = performance.now();
  const lifecycle = async (n: number) => {
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
    await postToSlackEvents(
      bot.url,
      payloadBody({
        type: 'block_actions',
        user: { id: 'UAPPROVER01', team_id: 'TTEAM0001' },
        team: { id: 'TTEAM0001' },
        api_app_id: 'AAPP00001',
        trigger_id: `t${n}`,
        container: { type: 'message', message_ts: '1.1', channel_id: 'CREQUESTS1' },
        channel: { id: 'CREQUESTS1' },
        actions: [{ type: 'button', action_id: 'request_approve', block_id: `decide:${id}`, value: id, action_ts: '1' }],
      }),
      { secret: SECRET },
    );
    const create = await waitFor(createCall(username), { what: 'the create call', intervalMs: 10 });
    approveToProvider.push(create.receivedAt - clicked);
    await waitFor(successReply(username), { what: 'the success reply', intervalMs: 10 });
    done += 1;
  };
  await Promise.all(
    Array.from({ length: LIFECYCLE_CONCURRENCY }, async () => {
      while (nextLifecycle < LIFECYCLES) await lifecycle(nextLifecycle++);
    }),
  );
  const seconds = (performance.now() - lifecyclesStarted) / 1000;
  approveToProvider.sort((a, b) => a - b);
  const memoryAfter = await memory(bot.url);
  say(`lifecycles (submit → approve → provider → Slack posts), concurrency ${LIFECYCLE_CONCURRENCY}: ${done} in ${seconds.toFixed(1)} s = ${(done / seconds).toFixed(1)}/s`);
  say(`approve → provider request start: p50 ${ms(percentile(approveToProvider, 50))}, p99 ${ms(percentile(approveToProvider, 99))}`);
  const mb = (value: number) => `${value.toFixed(1)} MB`;
  say(
    `adduser-bot memory over ${done} lifecycles: RSS ${mb(memoryBefore.rss)} → ${mb(memoryAfter.rss)} (${mb(memoryAfter.rss - memoryBefore.rss)}), ` +
      `V8 heap used ${mb(memoryBefore.heap)} → ${mb(memoryAfter.heap)} (${mb(memoryAfter.heap - memoryBefore.heap)})`,
  );
} finally {
  await Promise.all([bare.stop(), bot.stop()]);
  await Promise.all([slack.close(), provider.close()]);
  rmSync(dir, { recursive: true, force: true });
}
