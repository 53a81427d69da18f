import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Outcome } from '../../src/adapters/providers/outcome.js';
import type { Store } from '../../src/adapters/store/types.js';
import type { Lifecycle } from '../../src/domain/lifecycle/index.js';
import type { RequestReads } from '../../src/domain/requests/reads.js';
import { APPROVERS, type LifecycleHarness, startLifecycle } from '../support/lifecycle.js';

const form = { email: 'fenced@myorg.example', name: 'Fen Ced', accessLevel: 'user', userGroups: ['grp-ops'], notify_failures: ['sms'], reason: 'fencing test' };

/**
 * The lifecycle over a real SQLite store whose next transition can be held, so an interleaving
 * that is rare through Slack (a click that read the request before another click's whole retry
 * ran) happens every time.
 */
describe('fencing: a transition moves only the version its caller read', () => {
  let h: LifecycleHarness;
  let held: Promise<void> | undefined;
  let store: Store;
  let lifecycle: Lifecycle;
  let requests: RequestReads;

  beforeEach(async () => {
    h = await startLifecycle({
      wrapStore: (real) => ({
        ...real,
        async transition(key, from, next, version) {
          const wait = held;
          held = undefined;
          await wait;
          return real.transition(key, from, next, version);
        },
      }),
    });
    ({ store, lifecycle, requests } = h);
  });
  afterEach(async () => h.stop());

  async function unknownRequest(): Promise<string> {
    const submitted = await lifecycle.submit({ requester: 'UREQUESTER', provider: 'checkcentral', form, channel: 'CREQUESTS' });
    if (!submitted.ok || !('request' in submitted)) throw new Error('not submitted');
    const id = submitted.request.id;
    expect(await lifecycle.approve(id, APPROVERS[0]!)).toMatchObject({ ok: true, remaining: 0 });
    await lifecycle.provision(id, APPROVERS[0]!);
    expect((await requests.get(id))?.state).toBe('unknown');
    return id;
  }

  /** A create call held open while another replica, deciding this process was dead, marks the request unknown. */
  async function createOutWhileRecoveryMarksUnknown() {
    const submitted = await lifecycle.submit({ requester: 'UREQUESTER', provider: 'checkcentral', form, channel: 'CREQUESTS' });
    if (!submitted.ok || !('request' in submitted)) throw new Error('not submitted');
    const id = submitted.request.id;
    let answer!: (outcome: Outcome) => void;
    h.answers.push(() => new Promise<Outcome>((resolve) => (answer = resolve)));
    await lifecycle.approve(id, APPROVERS[0]!);
    const provisioning = lifecycle.provision(id, APPROVERS[0]!);
    await expect.poll(() => h.calls.length).toBe(1);
    const current = (await requests.get(id))!;
    expect(current.state).toBe('provisioning');
    expect(await store.transition(`request:${id}`, ['provisioning'], { ...current, state: 'unknown', version: (current.version ?? 0) + 1 }, current.version ?? 0)).toBe(true);
    return { id, answer, provisioning };
  }

  test('two Retry clicks on one unknown request, the second read before the first ran its whole retry: one create', async () => {
    const id = await unknownRequest();
    let release!: () => void;
    held = new Promise<void>((resolve) => (release = resolve));
    // The second click reads the request (unknown) and is held at its transition…
    const late = lifecycle.retry(id, APPROVERS[1]!);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // …while the first click retries, and the provider fails fast: unknown again.
    expect(await lifecycle.retry(id, APPROVERS[0]!)).toMatchObject({ ok: true });
    await lifecycle.provision(id, APPROVERS[0]!);
    expect((await requests.get(id))?.state).toBe('unknown');
    release();
    expect(await late).toEqual({ ok: false, why: 'This request is already unknown.' });
    await lifecycle.provision(id, APPROVERS[1]!);
    expect(h.calls.length).toBe(2);
  });

  test('an answer that arrives after recovery turned the request unknown settles it, and the audit says so', async () => {
    const { id, answer, provisioning } = await createOutWhileRecoveryMarksUnknown();
    answer({ kind: 'created', providerUserId: 'CC-77' });
    const done = await provisioning;
    expect(done).toMatchObject({ state: 'succeeded', outcome: { kind: 'created', providerUserId: 'CC-77' } });
    expect(h.calls.length).toBe(1);
    const audit = await h.audit.read();
    expect(audit.filter((record) => record.requestId === id).map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
  });

  test('an answer that arrives after an approver chose Retry is kept as a late answer, not dropped, and moves nothing', async () => {
    const { id, answer, provisioning: first } = await createOutWhileRecoveryMarksUnknown();
    expect(await lifecycle.retry(id, APPROVERS[1]!)).toMatchObject({ ok: true });
    answer({ kind: 'created', providerUserId: 'CC-88' });
    expect(await first).toBeUndefined();
    expect((await requests.get(id))?.state).toBe('approved');
    const late = (await h.audit.read()).filter((record) => record.requestId === id && record.action === 'late_answer');
    expect(late).toEqual([expect.objectContaining({ providerUserId: 'CC-88' })]);
  });

  test('a pending request past its expiry time cannot be approved, even before the sweep came by', async () => {
    const submitted = await lifecycle.submit({ requester: 'UREQUESTER', provider: 'checkcentral', form, channel: 'CREQUESTS' });
    if (!submitted.ok || !('request' in submitted)) throw new Error('not submitted');
    h.clock.now += 3_600_000;
    expect(await lifecycle.approve(submitted.request.id, APPROVERS[0]!)).toMatchObject({ ok: false, why: expect.stringContaining('expired') });
    expect((await requests.get(submitted.request.id))?.state).toBe('expired');
    expect(h.calls.length).toBe(0);
  });
});
