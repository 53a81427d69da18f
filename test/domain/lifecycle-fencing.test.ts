import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Outcome } from '../../src/adapters/providers/outcome.js';
import { providers } from '../../src/adapters/providers/registry.js';
import { policyFromVariables } from '../../src/config/policy-variables.js';
import { createSecretBox } from '../../src/adapters/store/sealed.js';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import { createAuditLog } from '../../src/domain/audit.js';
import { createLifecycle, type Lifecycle } from '../../src/domain/lifecycle.js';
import { createLiveness } from '../../src/domain/liveness.js';

const APPROVERS = ['UAPPROVER1', 'UAPPROVER2'];
const form = { email: 'fenced@myorg.example', name: 'Fen Ced', accessLevel: 'user', userGroups: ['grp-ops'], notify_failures: ['sms'], reason: 'fencing test' };

/**
 * The lifecycle over a real SQLite store whose next transition can be held, so an interleaving
 * that is rare through Slack (a click that read the request before another click's whole retry
 * ran) happens every time.
 */
describe('fencing: a transition moves only the version its caller read', () => {
  let dir: string;
  let store: Store;
  let held: Promise<void> | undefined;
  let answers: (() => Promise<Outcome>)[];
  let creates: number;
  let lifecycle: Lifecycle;
  let now: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'adduser-fencing-'));
    const real = await openStore(`sqlite://${join(dir, 'store.sqlite')}`, { log: pino({ level: 'silent' }) });
    store = {
      ...real,
      async transition(key, from, next, version) {
        const wait = held;
        held = undefined;
        await wait;
        return real.transition(key, from, next, version);
      },
    };
    creates = 0;
    answers = [];
    now = Date.parse('2026-12-01T10:00:00Z');
    lifecycle = createLifecycle({
      store,
      audit: createAuditLog(store),
      providers,
      settings: { checkcentral: { configured: true } as never, smscentral: { configured: true } as never, digicert: { configured: true } as never },
      create: async () => {
        creates += 1;
        const answer = answers.shift() ?? (async (): Promise<Outcome> => ({ kind: 'unknown', message: 'timed out after sending' }));
        return { outcome: await answer(), request: 'POST /users' };
      },
      policy: () => policyFromVariables({ requestsChannel: undefined, approvers: { users: APPROVERS, groups: [] }, approversByProvider: {}, requiredApprovals: 1, ttlMs: 3_600_000 }),
      botActor: () => 'UBOT',
      directory: { isAdminOrOwner: async () => false, groupMembers: async () => [] },
      notifier: { publish: () => undefined },
      liveness: createLiveness(store, 'this-process'),
      dryRun: false,
      maxPending: 10,
      log: pino({ level: 'silent' }),
      secrets: createSecretBox(undefined),
      hideFromLogs: () => undefined,
      now: () => new Date(now),
    });
  });
  afterEach(async () => {
    await lifecycle.settled();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function unknownRequest(): Promise<string> {
    const submitted = await lifecycle.submit({ requester: 'UREQUESTER', provider: 'checkcentral', form, channel: 'CREQUESTS' });
    if (!submitted.ok || !('request' in submitted)) throw new Error('not submitted');
    const id = submitted.request.id;
    expect(await lifecycle.approve(id, APPROVERS[0]!)).toMatchObject({ ok: true, remaining: 0 });
    await lifecycle.provision(id, APPROVERS[0]!);
    expect((await lifecycle.get(id))?.state).toBe('unknown');
    return id;
  }

  /** A create call held open while another replica, deciding this process was dead, marks the request unknown. */
  async function createOutWhileRecoveryMarksUnknown() {
    const submitted = await lifecycle.submit({ requester: 'UREQUESTER', provider: 'checkcentral', form, channel: 'CREQUESTS' });
    if (!submitted.ok || !('request' in submitted)) throw new Error('not submitted');
    const id = submitted.request.id;
    let answer!: (outcome: Outcome) => void;
    answers.push(() => new Promise<Outcome>((resolve) => (answer = resolve)));
    await lifecycle.approve(id, APPROVERS[0]!);
    const provisioning = lifecycle.provision(id, APPROVERS[0]!);
    await expect.poll(() => creates).toBe(1);
    const current = (await lifecycle.get(id))!;
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
    expect((await lifecycle.get(id))?.state).toBe('unknown');
    release();
    expect(await late).toEqual({ ok: false, why: 'This request is already unknown.' });
    await lifecycle.provision(id, APPROVERS[1]!);
    expect(creates).toBe(2);
  });

  test('an answer that arrives after recovery turned the request unknown settles it, and the audit says so', async () => {
    const { id, answer, provisioning } = await createOutWhileRecoveryMarksUnknown();
    answer({ kind: 'created', providerUserId: 'CC-77' });
    const done = await provisioning;
    expect(done).toMatchObject({ state: 'succeeded', outcome: { kind: 'created', providerUserId: 'CC-77' } });
    expect(creates).toBe(1);
    const audit = await createAuditLog(store).read();
    expect(audit.filter((record) => record.requestId === id).map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
  });

  test('an answer that arrives after an approver chose Retry is kept as a late answer, not dropped, and moves nothing', async () => {
    const { id, answer, provisioning: first } = await createOutWhileRecoveryMarksUnknown();
    expect(await lifecycle.retry(id, APPROVERS[1]!)).toMatchObject({ ok: true });
    answer({ kind: 'created', providerUserId: 'CC-88' });
    expect(await first).toBeUndefined();
    expect((await lifecycle.get(id))?.state).toBe('approved');
    const late = (await createAuditLog(store).read()).filter((record) => record.requestId === id && record.action === 'late_answer');
    expect(late).toEqual([expect.objectContaining({ providerUserId: 'CC-88' })]);
  });

  test('a pending request past its expiry time cannot be approved, even before the sweep came by', async () => {
    const submitted = await lifecycle.submit({ requester: 'UREQUESTER', provider: 'checkcentral', form, channel: 'CREQUESTS' });
    if (!submitted.ok || !('request' in submitted)) throw new Error('not submitted');
    now += 3_600_000;
    expect(await lifecycle.approve(submitted.request.id, APPROVERS[0]!)).toMatchObject({ ok: false, why: expect.stringContaining('expired') });
    expect((await lifecycle.get(submitted.request.id))?.state).toBe('expired');
    expect(creates).toBe(0);
  });
});
