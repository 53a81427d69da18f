import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLimiter, LimiterBusy } from '../../src/adapters/providers/limiter.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type E2E, startE2E } from '../support/e2e.js';
import { suggestion } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

/** view.state with `container` chosen in the DigiCert modal, for the roles lookup. */
const chosen = (container: string) => ({ container: { 'field:container': { type: 'external_select', selected_option: { value: container, text: { type: 'plain_text', text: container } } } } });

describe('provider limits', () => {
  test('the limiter holds calls beyond the concurrency and the window, in order', async () => {
    const limiter = createLimiter({ concurrency: 2, windows: [{ limit: 3, perMs: 300 }] });
    let active = 0;
    let most = 0;
    const starts: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        limiter.run(async () => {
          active += 1;
          most = Math.max(most, active);
          starts[i] = performance.now() - t0;
          await new Promise((resolve) => setTimeout(resolve, 20));
          active -= 1;
        }),
      ),
    );
    expect(most).toBe(2);
    // In order, and the fourth held until the first's slot left the 300-ms window (no upper
    // bound: on a loaded machine any start may come late, never early).
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(starts[3]! - starts[0]!).toBeGreaterThanOrEqual(290);
    expect(starts[4]).toBeGreaterThanOrEqual(starts[3]!);
    expect(limiter.queued()).toBe(0);
  });

  test('calls that reach the provider late are counted from their answer: the provider never sees more than the window allows', async () => {
    // 2 per 300 ms (+250 ms margin); the first two take 400 ms to arrive, longer than the margin.
    const limiter = createLimiter({ concurrency: 5, windows: [{ limit: 2, perMs: 300 }] });
    const arrivals: number[] = [];
    const t0 = performance.now();
    const send = (lagMs: number) => () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          arrivals.push(performance.now() - t0);
          resolve();
        }, lagMs),
      );
    await Promise.all([limiter.run(send(400)), limiter.run(send(400)), limiter.run(send(0)), limiter.run(send(0))]);
    arrivals.sort((a, b) => a - b);
    const busiest = Math.max(...arrivals.map((start) => arrivals.filter((time) => time >= start && time < start + 300).length));
    expect(busiest).toBeLessThanOrEqual(2);
  });

  test('a hold (the provider said its budget is spent) keeps calls not yet started waiting until then, with or without windows', async () => {
    for (const windows of [[], [{ limit: 100, perMs: 60_000 }]]) {
      const limiter = createLimiter({ concurrency: 2, windows });
      const t0 = Date.now();
      await limiter.run(async () => limiter.holdUntil(t0 + 300));
      // An earlier time never shortens a hold.
      limiter.holdUntil(t0);
      const started: number[] = [];
      await Promise.all([0, 1].map(() => limiter.run(async () => void started.push(Date.now()))));
      expect(Math.min(...started)).toBeGreaterThanOrEqual(t0 + 300);
      await expect(createLimiter({ concurrency: 1, windows }).run(async () => 'free')).resolves.toBe('free');
    }
    const busy = createLimiter({ concurrency: 1, windows: [] });
    busy.holdUntil(Date.now() + 5_000);
    await expect(busy.run(async () => 'sent', 100)).rejects.toBeInstanceOf(LimiterBusy);
  });

  test('a call that may wait only briefly gives up unsent when no slot frees in time; the queue goes on', async () => {
    const limiter = createLimiter({ concurrency: 1, windows: [] });
    let release!: () => void;
    const holding = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    let called = false;
    await expect(limiter.run(async () => (called = true), 50)).rejects.toBeInstanceOf(LimiterBusy);
    expect(called).toBe(false);
    expect(limiter.queued()).toBe(0);
    const later = limiter.run(async () => 'ran');
    release();
    await holding;
    await expect(later).resolves.toBe('ran');
  });

  describe('DigiCert: 100 requests per 5 s', { timeout: 60_000 }, () => {
    const DC_KEY = 'dc-limit-key-77c1';
    let dc: DigiCertSimulator;
    let e2e: E2E;
    beforeAll(async () => {
      dc = await startDigiCertSimulator({ apiKey: DC_KEY, rateLimits: [{ limit: 100, perMs: 5_000 }, { limit: 1_000, perMs: 180_000 }] });
      // Many requests from one person, all pending at once.
      // A provider's limits are the subject: a hundred request messages in one channel would wait on Slack's pace instead.
      e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: 'UAPPROVER01', LOG_LEVEL: 'info', ADDUSER_MAX_PENDING: '1000' }, { limits: 'none' });
    });
    afterAll(async () => {
      await e2e.close();
      await dc.close();
    });

    test('110 approvals at once: the last ones queue instead of meeting 429s, and all succeed', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 110; n++) {
        const view = await e2e.openModal('UREQUESTER1', 'digicert');
        const before = e2e.slack.calls.length;
        await e2e.submit('UREQUESTER1', view, { username: `limit.user${n}`, first_name: 'Lim', last_name: 'It', email: `lim${n}@example.com`, container: '93288', access_roles: ['5'], reason: 'rate limit test' });
        ids.push(await e2e.postedRequestId(before));
      }
      await waitFor(async () => (await Promise.all(ids.map((id) => e2e.store.get(`slack:thread:${id}`)))).every(Boolean), { timeoutMs: 20_000, what: 'every request message' });
      await Promise.all(ids.map((id) => e2e.click('UAPPROVER01', 'request_approve', id)));
      await waitFor(() => e2e.logs.text().includes('queued behind the provider’s rate limit'), { what: 'calls to queue' });
      const metrics = await (await fetch(`${e2e.url}/metrics`)).text();
      expect(metrics).toMatch(/^adduser_provider_queue_depth\{provider="digicert"\} [1-9]\d*$/m);
      for (const id of ids) await e2e.waitForState(id, 'succeeded', 20_000);
      const creates = dc.requests.filter((request) => request.path === '/user');
      // No create met a 429: each one sent was accepted.
      expect(creates).toHaveLength(110);
      expect(dc.users).toHaveLength(110);
      const first = creates[0]!.receivedAt;
      expect(creates[100]!.receivedAt - first).toBeGreaterThanOrEqual(4_900);
    });

    test('lookups share the limit with creates: 60 approvals and 70 role lookups at once, 0 × 429', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 60; n++) {
        const view = await e2e.openModal('UREQUESTER1', 'digicert');
        const before = e2e.slack.calls.length;
        await e2e.submit('UREQUESTER1', view, { username: `shared.user${n}`, first_name: 'Sha', last_name: 'Red', email: `shared${n}@example.com`, container: '93288', access_roles: ['5'], reason: 'shared limit test' });
        ids.push(await e2e.postedRequestId(before));
      }
      await waitFor(async () => (await Promise.all(ids.map((id) => e2e.store.get(`slack:thread:${id}`)))).every(Boolean), { timeoutMs: 20_000, what: 'every request message' });
      // The window of the previous test must be over before this one counts.
      await waitFor(() => dc.requests.every((request) => request.receivedAt < performance.now() - 5_300) || undefined, { timeoutMs: 10_000, what: 'a quiet window' });
      const view = await e2e.openModal('UREQUESTER1', 'digicert');
      const since = dc.requests.length;
      const answers = await Promise.all([
        ...ids.map((id) => e2e.click('UAPPROVER01', 'request_approve', id)),
        ...Array.from({ length: 70 }, (_, n) => e2e.send(suggestion('UREQUESTER1', view, 'access_roles', '', chosen(String(500_001 + n))))),
      ]);
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      for (const id of ids) await e2e.waitForState(id, 'succeeded', 20_000);
      const seen = dc.requests.slice(since);
      expect(seen.filter((request) => request.path === '/user')).toHaveLength(60);
      expect(seen.filter((request) => request.status === 429)).toEqual([]);
    });

    test('a lookup parameter is checked before it reaches the URL, and a failed lookup is remembered briefly', async () => {
      // The previous test spends DigiCert's window: a lookup waiting for a place in it would miss its
      // own deadline, and the one call this test expects would never be made.
      await waitFor(() => dc.requests.every((request) => request.receivedAt < performance.now() - 5_300) || undefined, { timeoutMs: 10_000, what: 'a quiet window' });
      const view = await e2e.openModal('UREQUESTER1', 'digicert');
      const since = dc.requests.length;
      for (const container of ['..', '1/../../user', '12a']) {
        const answer = await e2e.send(suggestion('UREQUESTER1', view, 'access_roles', '', chosen(container)));
        expect(answer.status).toBe(200);
      }
      expect(dc.requests.slice(since)).toEqual([]);
      for (let n = 0; n < 3; n++) await e2e.send(suggestion('UREQUESTER1', view, 'access_roles', '', chosen('777777')));
      expect(dc.requests.slice(since).map((request) => request.path)).toEqual(['/container/777777/role']);
    });
  });
});
