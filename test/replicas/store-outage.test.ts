import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import { byUserKey } from '../../src/domain/requests/keys.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import type { BotProcess } from '../support/bot-process.js';
import { runCli } from '../support/cli.js';
import { clickPayload, type SlackDriver } from '../support/driver.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { type OwnRedis, startOwnRedis } from '../support/own-redis.js';
import { startReplicas } from '../support/replicas.js';
import { payloadBody } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-outage-key-7c1d';
const OUTAGE_MS = 10_000;
const FORM = { first_name: 'Olga', last_name: 'Outage', container: '93288', access_roles: ['5'], reason: 'store outage test' };
const form = (username: string) => ({ ...FORM, username, email: `${username}@example.com` });

interface Probe {
  bot: number;
  at: number;
  ms: number;
  status: number;
  body: string;
}

/** Asks every bot's /readyz every 200 ms, each probe given 2 s (twice what it is allowed), until stopped. */
function probeReadiness(ports: number[]) {
  const probes: Probe[] = [];
  let running = true;
  const loops = ports.map(async (port, bot) => {
    while (running) {
      const at = Date.now();
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      probes.push({ bot, at, ms: Date.now() - at, status: res?.status ?? 0, body: res ? await res.text() : 'no answer' });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  return {
    probes,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('two replicas while their Redis is SIGKILLed and restarted', { timeout: 90_000 }, () => {
  let slack: FakeSlack;
  let dc: DigiCertSimulator;
  let redis: OwnRedis;
  let dir: string;
  let store: Store;
  let bots: BotProcess[] = [];
  let drivers: SlackDriver[] = [];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    [slack, dc, redis] = await Promise.all([startFakeSlack({ limits: 'none' }), startDigiCertSimulator({ apiKey: DC_KEY }), startOwnRedis()]);
    dir = mkdtempSync(join(tmpdir(), 'adduser-outage-'));
    store = await openStore(redis.url, { log: pino({ level: 'silent' }) });
    ({ bots, drivers, stop } = await startReplicas({ count: 2, storeUrl: redis.url, store, slack, cwd: dir, env: { DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_SLACK_PACE: 'off' } }));
  });
  afterAll(async () => {
    await stop?.();
    await store?.close();
    await Promise.all([slack?.close(), dc?.close(), redis?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('readiness says so within a second, a form is told nothing was saved, a click is told it was not recorded, a create in flight ends created once, and nobody is judged dead', async () => {
    const [a, b] = drivers as [SlackDriver, SlackDriver];
    // Before the outage: one request waiting for approval, one approved whose create call is held out.
    let before = slack.calls.length;
    await a.submit('UREQUESTER1', await a.openModal('UREQUESTER1', 'digicert'), form('waiting.one'));
    const waiting = await a.postedRequestId(before);
    before = slack.calls.length;
    await a.submit('UREQUESTER2', await a.openModal('UREQUESTER2', 'digicert'), form('inflight.two'));
    const inFlight = await a.postedRequestId(before);
    const thread = await waitFor(() => store.get<{ channel: string; ts: string }>(`slack:thread:${waiting}`), { what: 'the waiting request message' });
    await waitFor(() => store.get(`slack:thread:${inFlight}`), { what: 'the in-flight request message' });
    const outageForm = await b.openModal('UREQUESTER3', 'digicert');
    dc.inject({ kind: 'delay', ms: 5_000 }, { path: /^\/user$/, times: 1 });
    await a.click('UAPPROVER01', 'request_approve', inFlight);
    await waitFor(() => dc.requests.some((request) => request.path === '/user'), { what: 'the create call' });

    const ports = await Promise.all(bots.map((bot) => bot.port()));
    const readiness = probeReadiness(ports);
    await redis.kill();
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 500));

    const submitted = await b.submit('UREQUESTER3', outageForm, form('outage.three'));
    const clicked = await a.send(payloadBody(clickPayload('UAPPROVER01', 'request_approve', waiting, thread, `${slack.url.replace(/\/api\/$/, '')}/respond/outage`)));
    const told = await waitFor(() => slack.callsTo('chat.postEphemeral').find((call) => call.args.user === 'UAPPROVER01'), { timeoutMs: 3_000, what: 'the approver to be told' });
    const metricsDuring = await fetch(`http://127.0.0.1:${ports[0]}/metrics`, { signal: AbortSignal.timeout(3_000) }).then((res) => res.text());

    await new Promise((resolve) => setTimeout(resolve, killedAt + OUTAGE_MS - Date.now()));
    await redis.restart();
    const backAt = Date.now();
    await a.waitForState(inFlight, 'succeeded', 20_000);
    // Past recovery's grace, the announcement grace and a recovery run: anything filed late would be by now.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, backAt + 11_000 - Date.now())));
    await readiness.stop();

    // /readyz: every probe answered within a second; 503 store: unavailable during, 200 within 3 s after.
    const { probes } = readiness;
    expect(probes.filter((probe) => probe.ms >= 1_000)).toEqual([]);
    const during = probes.filter((probe) => probe.at > killedAt + 300 && probe.at + probe.ms < backAt);
    expect(during.length).toBeGreaterThan(20);
    expect(during.filter((probe) => probe.status !== 503 || !/^store: unavailable \(.+\)$/m.test(probe.body))).toEqual([]);
    for (const bot of [0, 1]) {
      const ready = probes.find((probe) => probe.bot === bot && probe.at > backAt && probe.status === 200);
      expect(ready, `bot ${bot} ready again`).toBeDefined();
      expect(ready!.at - backAt).toBeLessThan(3_000);
      expect(probes.filter((probe) => probe.bot === bot && probe.at > ready!.at && probe.status !== 200)).toEqual([]);
    }

    expect(metricsDuring).toMatch(/^adduser_store_up 0$/m);
    expect(await fetch(`http://127.0.0.1:${ports[0]}/metrics`).then((res) => res.text())).toMatch(/^adduser_store_up 1$/m);

    // The form: answered in time, in the form, and never filed.
    expect(submitted.ms).toBeLessThan(3_000);
    expect(submitted.status).toBe(200);
    expect(submitted.json()).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(submitted.json())).toContain('Nothing was saved');
    const filed = await store.range<string>(byUserKey('UREQUESTER3'), 0, -1);
    expect((await Promise.all(filed.map((id) => a.request(id)))).filter(Boolean)).toEqual([]);
    expect(slack.callsTo('chat.postMessage').filter((call) => String(call.args.text).includes('UREQUESTER3'))).toEqual([]);

    // The click: acknowledged in time, told privately, and nothing of it happened later.
    expect(clicked.ms).toBeLessThan(3_000);
    expect(String(told.args.text)).toContain('not recorded');
    expect((await a.request(waiting))?.state).toBe('pending');
    expect((await a.auditFor(waiting)).map((record) => record.action)).toEqual(['requested']);

    // The create in flight: one call, created, and no replica said its outcome was unknown.
    expect(dc.requests.filter((request) => request.path === '/user')).toHaveLength(1);
    expect((await a.request(inFlight))?.outcome).toMatchObject({ kind: 'created' });
    expect((await a.auditFor(inFlight)).map((record) => record.action)).not.toContain('unknown');
    expect(a.slackText()).not.toMatch(/Outcome unknown|may or may not exist/);

    // The log: one warn when the store went, one info when it came back, nothing louder.
    for (const bot of bots) {
      const lines = bot.stdout().split('\n').filter(Boolean);
      expect(lines.filter((line) => line.includes('"msg":"the store is unavailable')).length).toBe(1);
      expect(lines.filter((line) => line.includes('"msg":"the store is back after')).length).toBe(1);
      expect(lines.filter((line) => line.includes('"level":50'))).toEqual([]);
      expect(bot.stdout() + bot.stderr()).not.toMatch(/Cannot write headers|Error \[\d+ bytes of content not logged\]/);
    }

    const verify = await runCli('audit', ['verify'], { STORE_URL: redis.url }, dir);
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
  });

  test('a replica that really dies during the outage is still recovered, once the others gave it one liveness period', async () => {
    const [a, b] = drivers as [SlackDriver, SlackDriver];
    const before = slack.calls.length;
    await a.submit('UREQUESTER4', await a.openModal('UREQUESTER4', 'digicert'), form('crashed.four'));
    const id = await a.postedRequestId(before);
    await waitFor(() => store.get(`slack:thread:${id}`), { what: 'the request message' });
    const creates = dc.requests.filter((request) => request.path === '/user').length;
    dc.inject({ kind: 'delay', ms: 8_000 }, { path: /^\/user$/, times: 1 });
    await a.click('UAPPROVER01', 'request_approve', id);
    await waitFor(() => dc.requests.filter((request) => request.path === '/user').length > creates, { what: 'the create call' });

    await redis.kill();
    await bots[0]!.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await redis.restart();
    const backAt = Date.now();
    await b.waitForState(id, 'unknown', 20_000);
    const judgedAfter = Date.now() - backAt;
    // Not before every replica had a liveness period (5 s) to renew its key, and not much after.
    expect(judgedAfter).toBeGreaterThanOrEqual(5_000);
    expect(judgedAfter).toBeLessThan(15_000);
    // The audit record follows the state's move, written in the background.
    await waitFor(async () => (await b.auditFor(id)).some((record) => record.action === 'unknown'), { what: "the request's unknown outcome in the audit" });
  });
});
