import { afterEach, describe, expect, test } from 'vitest';
import type { AccessPolicy } from '../../src/domain/policy/model.js';
import type { Batch } from '../../src/domain/batch/batch.js';
import { batchCounts, batchSettled } from '../../src/domain/batch/batch.js';
import { APPROVERS, defaultPolicy, type LifecycleHarness, type LifecycleHarnessOptions, REQUESTER, startLifecycle } from '../support/lifecycle.js';

/** Batches (SPEC §9) in the domain: ordinary requests behind one batch, decided together, each member atomic. */
const cc = (email: string) => ({ email, name: 'New User', accessLevel: 'user' });
const sms = { USERNAME: 'jill.valentine', FIRSTNAME: 'Jill', LASTNAME: 'Valentine', ACCOUNTS: ['12345'], USERLEVEL: '3' };
const [FIRST, SECOND] = APPROVERS as [string, string];

let h: LifecycleHarness;
const open = async (options: LifecycleHarnessOptions = {}) => (h = await startLifecycle(options));
afterEach(async () => h?.stop());

/** DigiCert-like two approvals for SMS Central only, one for the rest. */
const twoForSms = (): AccessPolicy => {
  const base = defaultPolicy();
  return { ...base, providers: { smscentral: { ...base.defaults, requiredApprovals: 2 } } };
};

async function filed(accounts: { provider: string; form: Record<string, string | string[]> }[], extra: { requester?: string } = {}) {
  const result = await h.lifecycle.submitBatch({ requester: extra.requester ?? REQUESTER, channel: 'CREQUESTS', reason: 'new branch office', kind: 'csv', rows: accounts.map((_, i) => i + 2), accounts });
  if (!result.ok || !('batch' in result)) throw new Error(`not filed: ${JSON.stringify(result)}`);
  await h.lifecycle.settled();
  return result;
}

describe('submitBatch', () => {
  test('every account is an ordinary pending request behind one stored batch; each announced once, its records carrying the batch id', async () => {
    await open();
    const { batch, requests } = await filed([{ provider: 'checkcentral', form: cc('a@example.com') }, { provider: 'smscentral', form: sms }]);
    expect(batch).toMatchObject({ kind: 'csv', requester: REQUESTER, reason: 'new branch office', channel: 'CREQUESTS', rows: [2, 3] });
    expect(batch.id).toMatch(/^AB-[2-9A-HJKMNP-Z]{8}$/);
    expect(await h.store.get<Batch>(`batch:${batch.id}`)).toEqual(batch);
    expect(batch.members).toEqual(requests.map((request) => request.id));
    const stored = await Promise.all(batch.members.map((id) => h.requests.get(id)));
    expect(stored.map((request) => [request!.state, request!.provider, request!.target, request!.batch])).toEqual([
      ['pending', 'checkcentral', 'a@example.com', { id: batch.id, index: 0 }],
      ['pending', 'smscentral', 'jill.valentine', { id: batch.id, index: 1 }],
    ]);
    const records = await h.audit.read();
    expect(records.map((record) => [record.action, record.requestId, record.batchId])).toEqual(batch.members.map((id) => ['requested', id, batch.id]));
    // The generated SMS Central password is sealed in the store and kept from the logs, as for one account.
    expect(stored[1]!.generated).toEqual(['PASSWORD']);
    expect(h.hidden).toHaveLength(1);
  });

  test('nothing is stored unless every account is valid and may be asked for: problems name the account and field; the reason once', async () => {
    await open({ policy: () => ({ ...defaultPolicy(), providers: { smscentral: { ...defaultPolicy().defaults, requesters: { users: ['USOMEONE'], groups: [] } } } }) });
    const invalid = await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'x', kind: 'preset', accounts: [{ provider: 'checkcentral', form: cc('not-an-email') }, { provider: 'checkcentral', form: cc('b@example.com') }] });
    expect(invalid).toEqual({
      ok: false,
      problems: [
        { field: 'reason', message: 'Give a reason approvers can judge (at least 3 characters).' },
        { account: 0, field: 'email', message: expect.any(String) },
      ],
    });
    const refused = await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'new hire', kind: 'preset', accounts: [{ provider: 'checkcentral', form: cc('b@example.com') }, { provider: 'smscentral', form: { ...sms, PASSWORD: 'Typed-Pass-123!' } }] });
    expect(refused).toEqual({ ok: false, problems: [{ account: 1, field: 'provider', message: expect.stringContaining('SMS Central') }] });
    // A refused request's passwords never reach a log line: registering them would only let anyone grow the list every line is scrubbed against.
    expect(h.hidden).toEqual([]);
    expect(await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'new hire', kind: 'csv', accounts: [] })).toEqual({ ok: false, problems: [{ field: 'accounts', message: 'There are no accounts to ask for.' }] });
    const many = Array.from({ length: 201 }, (_, n) => ({ provider: 'checkcentral', form: cc(`u${n}@example.com`) }));
    expect(await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'new hire', kind: 'csv', accounts: many })).toEqual({ ok: false, problems: [{ field: 'accounts', message: 'One request may hold at most 200 accounts; this one has 201.' }] });
    expect(await h.audit.read()).toEqual([]);
    // The limit itself is allowed.
    const most = await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'new hire', kind: 'csv', accounts: many.slice(0, 200) });
    expect(most.ok && 'batch' in most && most.batch.members).toHaveLength(200);
  });

  test('a batch counts once against ADDUSER_MAX_PENDING, however many accounts it has, and stops counting once decided', async () => {
    await open({ maxPending: 2 });
    const big = await filed(Array.from({ length: 30 }, (_, n) => ({ provider: 'checkcentral', form: cc(`big${n}@example.com`) })));
    await filed([{ provider: 'checkcentral', form: cc('second@example.com') }]);
    const third = await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'one more', kind: 'csv', accounts: [{ provider: 'checkcentral', form: cc('third@example.com') }] });
    expect(third).toEqual({ ok: false, problems: [{ field: 'provider', message: expect.stringContaining('You already have 2 requests waiting') }] });
    const single = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...cc('single@example.com'), reason: 'one more' }, channel: 'C1' });
    expect(single).toEqual({ ok: false, errors: { provider: expect.stringContaining('You already have 2 requests waiting') } });
    expect(await h.lifecycle.rejectBatch(big.batch.id, FIRST, 'not now')).toMatchObject({ ok: true });
    expect(await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...cc('single@example.com'), reason: 'one more' }, channel: 'C1' })).toMatchObject({ ok: true });
  });

  test('decided batches ahead in the index never hide the ones still waiting', async () => {
    await open({ maxPending: 20 });
    const old: string[] = [];
    for (let n = 0; n < 13; n++) {
      old.push((await filed([{ provider: 'checkcentral', form: cc(`old${n}@example.com`) }])).batch.id);
      h.clock.now += 1_000;
    }
    await filed([{ provider: 'checkcentral', form: cc('w1@example.com') }]);
    await filed([{ provider: 'checkcentral', form: cc('w2@example.com') }]);
    // Decided with nobody submitting in between: thirteen stale entries sit ahead of the two that wait.
    for (const id of old) expect(await h.lifecycle.rejectBatch(id, FIRST, 'no')).toMatchObject({ ok: true });
    h.deps.maxPending = 2;
    const third = await h.lifecycle.submitBatch({ requester: REQUESTER, channel: 'C1', reason: 'one more', kind: 'csv', accounts: [{ provider: 'checkcentral', form: cc('w3@example.com') }] });
    expect(third).toEqual({ ok: false, problems: [{ field: 'provider', message: expect.stringContaining('You already have 2 requests waiting') }] });
  });

  test('a duplicate delivery stores nothing more', async () => {
    await open();
    const once = new Set<string>();
    const admit = async () => (once.has('v') ? false : (once.add('v'), true));
    const args = { requester: REQUESTER, channel: 'C1', reason: 'new hire', kind: 'csv' as const, accounts: [{ provider: 'checkcentral', form: cc('dup@example.com') }], admit };
    expect(await h.lifecycle.submitBatch(args)).toMatchObject({ ok: true, batch: expect.any(Object) });
    expect(await h.lifecycle.submitBatch(args)).toEqual({ ok: true, duplicate: true });
    await h.lifecycle.settled();
    expect((await h.audit.read()).filter((record) => record.action === 'requested')).toHaveLength(1);
  });

  test('a policy rule approves a batch only when it approves every account', async () => {
    const base = defaultPolicy();
    await open({ policy: () => ({ ...base, defaults: { ...base.defaults, autoApprove: [{ name: 'plain users', fields: { accessLevel: ['user'] } }] } }) });
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'cc-1' }), async () => ({ kind: 'created', providerUserId: 'cc-2' }));
    const all = await filed([{ provider: 'checkcentral', form: cc('a@example.com') }, { provider: 'checkcentral', form: cc('b@example.com') }]);
    const mixed = await filed([{ provider: 'checkcentral', form: cc('c@example.com') }, { provider: 'checkcentral', form: { ...cc('d@example.com'), accessLevel: 'manager' } }]);
    const states = async (batch: Batch) => Promise.all(batch.members.map(async (id) => (await h.requests.get(id))!.state));
    expect(await states(all.batch)).toEqual(['succeeded', 'succeeded']);
    expect(await states(mixed.batch)).toEqual(['pending', 'pending']);
    expect(h.calls.map((call) => (call.input as { email: string }).email).sort()).toEqual(['a@example.com', 'b@example.com']);
  });
});

describe('decisions on a batch', () => {
  test('one approval moves the members whose policy it satisfies; another provider’s second approval moves the rest; the same approver twice counts once', async () => {
    await open({ policy: twoForSms });
    const { batch } = await filed([{ provider: 'checkcentral', form: cc('a@example.com') }, { provider: 'smscentral', form: sms }]);
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'cc-1' }), async () => ({ kind: 'created', providerUserId: 'sms-1' }));
    const first = await h.lifecycle.approveBatch(batch.id, FIRST);
    expect(first).toMatchObject({ ok: true, provision: [batch.members[0]], skipped: [] });
    if (!first.ok) return;
    expect(first.moved.map((member) => member.id)).toEqual(batch.members);
    await Promise.all(first.provision.map((id) => h.lifecycle.provision(id, FIRST)));
    expect((await h.requests.get(batch.members[0]!))!.state).toBe('succeeded');
    expect((await h.requests.get(batch.members[1]!))!.state).toBe('pending');
    expect(await h.lifecycle.approveBatch(batch.id, FIRST)).toEqual({ ok: false, why: 'You have already approved this request; it needs 1 more approval from someone else.' });
    const second = await h.lifecycle.approveBatch(batch.id, SECOND);
    expect(second).toMatchObject({ ok: true, provision: [batch.members[1]] });
    expect(await h.lifecycle.approveBatch(batch.id, SECOND)).toEqual({ ok: false, why: 'This request is already decided.' });
  });

  test('the requester cannot approve their own batch; reject and cancel decide every pending member, once', async () => {
    await open();
    const one = await filed([{ provider: 'checkcentral', form: cc('a@example.com') }, { provider: 'checkcentral', form: cc('b@example.com') }]);
    expect(await h.lifecycle.approveBatch(one.batch.id, REQUESTER)).toMatchObject({ ok: false, why: expect.stringContaining('your own request') });
    expect(await h.lifecycle.rejectBatch(one.batch.id, FIRST, 'not this quarter')).toMatchObject({ ok: true, moved: [{ state: 'rejected' }, { state: 'rejected' }] });
    expect(await h.lifecycle.cancelBatch(one.batch.id, REQUESTER)).toEqual({ ok: false, why: 'This request is already decided.' });
    const two = await filed([{ provider: 'checkcentral', form: cc('c@example.com') }]);
    expect(await h.lifecycle.cancelBatch(two.batch.id, FIRST)).toMatchObject({ ok: false });
    expect(await h.lifecycle.cancelBatch(two.batch.id, REQUESTER)).toMatchObject({ ok: true, moved: [{ state: 'cancelled' }] });
    expect(await h.lifecycle.approveBatch('AB-NOPE2345', FIRST)).toEqual({ ok: false, why: 'This request no longer exists.' });
  });

  test('counts and the end of a batch: an unknown outcome still waits for its approver', () => {
    const states = (...list: string[]) => list.map((state) => ({ state })) as { state: 'pending' }[];
    expect(batchCounts(states('pending', 'approved', 'provisioning', 'succeeded', 'failed', 'unknown', 'rejected', 'cancelled', 'expired'))).toEqual({ total: 9, pending: 1, running: 2, created: 1, dryRun: 0, failed: 1, unknown: 1, stopped: 3 });
    expect(batchSettled(batchCounts(states('succeeded', 'failed', 'rejected')))).toBe(true);
    expect(batchSettled(batchCounts(states('succeeded', 'unknown')))).toBe(false);
    expect(batchSettled(batchCounts(states('succeeded', 'provisioning')))).toBe(false);
    expect(batchSettled(batchCounts(states('succeeded', 'pending')))).toBe(false);
  });
});
