import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { openStore } from '../../src/adapters/store/open.js';
import type { AccessPolicy } from '../../src/domain/policy/model.js';
import { createPolicyVersion, versionOf } from '../../src/domain/policy/version.js';
import { APPROVERS, defaultPolicy, type LifecycleHarness, type LifecycleHarnessOptions, REQUESTER, startLifecycle } from '../support/lifecycle.js';
import { tempFiles } from '../support/temp-files.js';

/** SPEC §6: every decision is taken under the policy in force when it is taken, on every replica. */
const [FIRST, SECOND] = APPROVERS as [string, string];
const THIRD = 'UAPPROVER3';
const cc = (email: string, accessLevel = 'readonly') => ({ email, name: 'New User', accessLevel });

let h: LifecycleHarness;
const open = async (options: LifecycleHarnessOptions = {}) => (h = await startLifecycle(options));
afterEach(async () => h?.stop());

const withApprovers = (users: string[], requiredApprovals: number): AccessPolicy => {
  const base = defaultPolicy({ requiredApprovals });
  return { ...base, defaults: { ...base.defaults, approvers: { users, groups: [] } } };
};

const autoReadonly = (): AccessPolicy => {
  const base = defaultPolicy();
  return { ...base, providers: { checkcentral: { ...base.defaults, autoApprove: [{ name: 'read-only', fields: { accessLevel: ['readonly'] } }] } } };
};

describe('approvals under the policy in force', () => {
  test('an approver removed after approving no longer counts when the last approval arrives: the request waits for another', async () => {
    let policy = withApprovers([FIRST, SECOND, THIRD], 2);
    await open({ policy: () => policy });
    const submitted = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...cc('new@example.com', 'user'), reason: 'needs it' }, channel: 'C1' });
    if (!submitted.ok || !('request' in submitted)) throw new Error('not filed');
    const id = submitted.request.id;
    expect(await h.lifecycle.approve(id, FIRST)).toMatchObject({ ok: true, remaining: 1 });
    policy = withApprovers([SECOND, THIRD], 2);
    expect(await h.lifecycle.approve(id, SECOND)).toMatchObject({ ok: true, remaining: 1 });
    expect((await h.requests.get(id))?.state).toBe('pending');
    expect(await h.lifecycle.approve(id, THIRD)).toMatchObject({ ok: true, remaining: 0 });
    expect((await h.requests.get(id))?.state).toBe('approved');
  });

  test('a batch a rule would approve at submission waits for people when the rule is gone by the time it is announced', async () => {
    let policy = autoReadonly();
    await open({ policy: () => policy });
    const accounts = [{ provider: 'checkcentral', form: cc('a@example.com') }, { provider: 'checkcentral', form: cc('b@example.com') }];
    const filed = await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'new branch office', kind: 'csv', accounts });
    // Stored and acknowledged; the announcements and a rule's approval follow: the policy changes in between.
    policy = defaultPolicy();
    await h.lifecycle.settled();
    if (!filed.ok || !('requests' in filed)) throw new Error('not filed');
    for (const request of filed.requests) expect((await h.requests.get(request.id))?.state).toBe('pending');

    // The same batch under an unchanged policy is approved by the rule: the test can tell the two apart.
    policy = autoReadonly();
    const again = await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'new branch office', kind: 'csv', accounts });
    await h.lifecycle.settled();
    if (!again.ok || !('requests' in again)) throw new Error('not filed');
    for (const request of again.requests) expect((await h.requests.get(request.id))?.state).not.toBe('pending');
  });

  test('a replica that does not hold the policy in force decides nothing and says why', async () => {
    const why = 'This replica of adduser-bot holds another version of the access policy';
    await open({ policyAgreed: async () => ({ ok: false, why }) });
    expect(await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...cc('new@example.com'), reason: 'needs it' }, channel: 'C1' })).toEqual({ ok: false, errors: { provider: why } });
    expect(await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'branch', kind: 'csv', accounts: [{ provider: 'checkcentral', form: cc('a@example.com') }] })).toEqual({ ok: false, problems: [{ field: 'provider', message: why }] });
  });
});

describe('the policy version in the store', () => {
  const temp = tempFiles('adduser-policy-version-');
  test('the last to publish sets it; another replica re-reads its source, and decides nothing while it still differs', async () => {
    const store = await openStore(`sqlite://${join(temp.dir(), 'store.sqlite')}`, { log: pino({ level: 'silent' }) });
    try {
      let clock = 0;
      const onA = { policy: withApprovers([FIRST], 1), file: withApprovers([FIRST], 1) };
      const a = createPolicyVersion({ store, current: () => onA.policy, reload: () => (onA.policy = onA.file), now: () => clock });
      const b = createPolicyVersion({ store, current: () => withApprovers([SECOND], 1), reload: () => undefined, now: () => clock });
      await a.publish();
      expect(await a.check()).toEqual({ ok: true });
      await b.publish();
      const refused = await a.check();
      expect(refused).toMatchObject({ ok: false, why: expect.stringContaining('decides nothing until they agree') });
      expect(a.problem()).toBe(`policy ${versionOf(withApprovers([SECOND], 1))} is in force on other replicas; this one holds ${versionOf(withApprovers([FIRST], 1))}`);
      // Its file now says what B's does: at the next re-read (not more often than every 5 s) A agrees.
      onA.file = withApprovers([SECOND], 1);
      expect((await a.check()).ok).toBe(false);
      clock += 5_000;
      expect(await a.check()).toEqual({ ok: true });
      expect(a.problem()).toBeUndefined();
      expect(onA.policy).toEqual(withApprovers([SECOND], 1));
    } finally {
      await store.close();
    }
  });
});
