import { once } from 'node:events';
import { connect, createServer, type Server as NetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/adapters/http/client.js';
import { createUser, type CreateResult } from '../../src/adapters/providers/execute.js';
import type { AnyProvider, FormValues, ProviderSettings } from '../../src/adapters/providers/types.js';
import { closedPort, type Simulator } from '../simulators/harness.js';
import type { CapturedLogs } from '../support/logs.js';

export interface ProviderCase<S extends Simulator> {
  provider: AnyProvider;
  start: () => Promise<S>;
  /** Settings pointing at `baseUrl` with the simulator's credentials (or wrong ones). */
  settings: (baseUrl: string, credentials?: 'wrong') => ProviderSettings;
  /** A valid parsed input; each call gives a new user so duplicates only happen on purpose. */
  input: () => unknown;
  createPath: RegExp;
  logs: CapturedLogs;
  /** Every secret value of the case: none may appear in logs, outcomes or rendered requests. */
  secrets: string[];
  /** The provider invites (GitHub): success is an invitation, and the outcome says so. */
  invites?: true;
}

/**
 * The outcome classes every provider maps into (NOTES.md), proven the same way for each:
 * through the shared executor, over real HTTP, against the provider's simulator, counting the
 * create requests it received.
 */
export function describeOutcomeMapping<S extends Simulator>(c: ProviderCase<S>): void {
  describe(`${c.provider.label}: outcome classes`, () => {
    let sim: S;
    const http = createHttpClient();
    const results: CreateResult[] = [];
    const sleeps: number[] = [];
    const create = async (settings = c.settings(sim.url), input = c.input(), extra: Partial<Parameters<typeof createUser>[3]> = {}) => {
      const result = await createUser(c.provider, settings, input, {
        http,
        log: c.logs.log,
        dryRun: false,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        ...extra,
      });
      results.push(result);
      return result;
    };
    const creates = () => sim.count(c.createPath);

    beforeAll(async () => {
      sim = await c.start();
    });
    afterAll(async () => {
      await http.close();
      await sim.close();
      const everything = [c.logs.text(), ...results.map((result) => JSON.stringify(result))].join('\n');
      for (const secret of c.secrets) expect(everything).not.toContain(secret);
    });

    test('success keeps the provider user id; one create request', async () => {
      const before = creates();
      const result = await create();
      expect(result.outcome).toEqual({ kind: 'created', providerUserId: expect.stringMatching(/\S/), ...(c.invites && { invited: true }) });
      expect(result.attempts).toBe(1);
      expect(creates() - before).toBe(1);
    });

    test('bad credentials → auth; one create request', async () => {
      const before = creates();
      const result = await create(c.settings(sim.url, 'wrong'));
      expect(result.outcome.kind).toBe('auth');
      expect(creates() - before).toBe(1);
    });

    test('429 with a short Retry-After waits as told, then succeeds; two create requests', async () => {
      const before = creates();
      sleeps.length = 0;
      sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: '' }, { path: c.createPath });
      const result = await create();
      expect(result.outcome.kind).toBe('created');
      expect(sleeps).toEqual([1000]);
      expect(result.attempts).toBe(2);
      expect(creates() - before).toBe(2);
    });

    test('429 with a long Retry-After → rate_limited, not waited for; one create request', async () => {
      const before = creates();
      sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '3600' }, body: '' }, { path: c.createPath });
      const result = await create();
      expect(result.outcome).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 3600 });
      expect(creates() - before).toBe(1);
    });

    test('500 → unknown (the user may exist), never repeated; one create request', async () => {
      const before = creates();
      sim.inject({ kind: 'status', status: 500, body: '' }, { path: c.createPath });
      const result = await create();
      expect(result.outcome.kind).toBe('unknown');
      expect(creates() - before).toBe(1);
    });

    test('no answer in time after sending → unknown, sent once', async () => {
      const before = creates();
      sim.inject({ kind: 'delay', ms: 1_500 }, { path: c.createPath });
      const result = await create(undefined, undefined, { timeouts: { totalMs: 300, headersMs: 300 } });
      expect(result.outcome).toMatchObject({ kind: 'unknown', message: expect.stringContaining('no answer in time') });
      expect(result.attempts).toBe(1);
      expect(creates() - before).toBe(1);
    });

    test('connection reset after the request → unknown, sent once', async () => {
      const before = creates();
      sim.inject({ kind: 'reset' }, { path: c.createPath });
      const result = await create();
      expect(result.outcome.kind).toBe('unknown');
      expect(creates() - before).toBe(1);
    });

    test('connection refused → unavailable after bounded retries, waiting between them', async () => {
      const port = await closedPort();
      sleeps.length = 0;
      const result = await create(c.settings(`http://127.0.0.1:${port}`));
      expect(result.outcome).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('ECONNREFUSED') });
      expect(result.attempts).toBe(3);
      expect(sleeps).toHaveLength(2);
    });

    test('connection refused is retried, since nothing was sent: the provider back by the second attempt gets one create request', async () => {
      const port = await closedPort();
      const before = creates();
      let forwarder: NetServer | undefined;
      const result = await create(c.settings(`http://127.0.0.1:${port}`), undefined, {
        // The provider comes back on the refused port while the executor waits to retry.
        sleep: async () => {
          forwarder ??= await forward(port, sim.port);
        },
      });
      forwarder?.close();
      expect(result.outcome.kind).toBe('created');
      expect(result.attempts).toBe(2);
      expect(creates() - before).toBe(1);
    });

    test('an HTML error page → a clear failure that quotes it, sent once', async () => {
      const before = creates();
      sim.inject({ kind: 'status', status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }, { path: c.createPath });
      const result = await create();
      expect(result.outcome).toMatchObject({ kind: 'unknown', message: expect.stringContaining('502 Bad Gateway') });
      expect(creates() - before).toBe(1);
      sim.inject({ kind: 'garbage', body: '' }, { path: c.createPath });
      const empty = await create();
      expect(empty.outcome).toMatchObject({ kind: 'unknown', message: expect.stringContaining('empty body') });
    });

    test('dry run sends nothing and shows the exact request with every secret masked', async () => {
      const before = sim.requests.length;
      const result = await create(undefined, undefined, { dryRun: true });
      expect(result.outcome.kind).toBe('dry_run');
      expect(result.attempts).toBe(0);
      expect(sim.requests.length).toBe(before);
      expect(result.request).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\//);
      expect(result.request).toContain('[redacted]');
      for (const secret of c.secrets) expect(result.request).not.toContain(secret);
    });

    test('a real request is never sent without credentials or while dry-run mode is on: unavailable, nothing sent', async () => {
      const before = sim.requests.length;
      const unconfigured = await create({ ...c.settings(sim.url), configured: false });
      expect(unconfigured.outcome).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('credentials are not configured') });
      const switchedOff = await create(undefined, undefined, { sendingOff: true });
      expect(switchedOff.outcome).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('ADDUSER_DRY_RUN is on') });
      expect(sim.requests.length).toBe(before);
    });
  });
}

/** Listens on `port` and pipes every connection to `target`, as the provider coming back would. */
async function forward(port: number, target: number): Promise<NetServer> {
  const server = createServer((socket) => {
    // Not kept alive past the test: the client's pooled connection would otherwise hold it open.
    socket.unref();
    const upstream = connect(target, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Form values the provider must refuse: the first issue belongs to `field` and its message says why. */
export function expectRefused(provider: AnyProvider, values: FormValues, field: string, message: RegExp): void {
  const parsed = provider.input.safeParse(provider.fromForm(values));
  expect(parsed.success).toBe(false);
  const issue = parsed.error!.issues[0]!;
  expect(provider.fieldOf(issue.path)).toBe(field);
  expect(issue.message).toMatch(message);
}
