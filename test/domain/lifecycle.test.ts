import { afterEach, describe, expect, test } from 'vitest';
import { CANNOT_DECRYPT } from '../../src/adapters/store/sealed.js';
import { Secret } from '../../src/config/secret.js';
import type { AccessPolicy } from '../../src/domain/policy/model.js';
import type { AccessRequest } from '../../src/domain/requests/request.js';
import { APPROVERS, defaultPolicy, type LifecycleHarness, type LifecycleHarnessOptions, REQUESTER, START, startLifecycle, TTL_MS } from '../support/lifecycle.js';

/**
 * The request lifecycle (SPEC §4) without Slack: every step's result, stored state, audit record
 * and published event, over a real SQLite store. The end-to-end suites prove the same through
 * Slack; these name the exact rule that broke, and run in milliseconds (the mutation run needs both).
 */
const checkcentral = (email = 'new.user@myorg.example') => ({ email, name: 'New User', accessLevel: 'user', userGroups: ['grp-ops'], notify_failures: ['sms'], reason: 'joins the ops team' });
const smscentral = (password = '') => ({ USERNAME: 'jsmith', PASSWORD: password, FIRSTNAME: 'John', LASTNAME: 'Smith', MOBILENUMBER: '+61412345678', ACCOUNTS: ['12345'], USERLEVEL: '3', reason: 'sends the campaigns' });
const KEY = new Secret(Buffer.alloc(32, 7).toString('base64'));
const OTHER_KEY = new Secret(Buffer.alloc(32, 9).toString('base64'));

let h: LifecycleHarness;
const open = async (options: LifecycleHarnessOptions = {}) => (h = await startLifecycle(options));
afterEach(async () => h?.stop());

async function submitted(provider = 'checkcentral', form: Record<string, string | string[]> = checkcentral(), requester = REQUESTER): Promise<AccessRequest> {
  const result = await h.lifecycle.submit({ requester, provider, form, channel: 'CREQUESTS' });
  if (!result.ok || !('request' in result)) throw new Error(`not submitted: ${JSON.stringify(result)}`);
  return result.request;
}

async function approvedAndProvisioned(id: string, approver = APPROVERS[0]!) {
  expect(await h.lifecycle.approve(id, approver)).toMatchObject({ ok: true, remaining: 0 });
  return h.lifecycle.provision(id, approver);
}

describe('submit', () => {
  test('a valid form is stored pending, with its target, details, deadline and one `requested` record', async () => {
    await open();
    const request = await submitted();
    expect(request).toMatchObject({
      provider: 'checkcentral',
      state: 'pending',
      requester: REQUESTER,
      reason: 'joins the ops team',
      target: 'new.user@myorg.example',
      channel: 'CREQUESTS',
      dryRun: false,
      attempts: 0,
      generated: [],
      createdAt: new Date(START).toISOString(),
      expiresAt: new Date(START + TTL_MS).toISOString(),
    });
    expect(request.id).toMatch(/^AR-[2-9A-HJKMNP-Z]{8}$/);
    expect(request.details).toContainEqual({ label: 'Email', value: 'new.user@myorg.example' });
    expect(request.escalateAt).toBeUndefined();
    expect(await h.requests.get(request.id)).toEqual(request);
    expect(await h.actions(request.id)).toEqual(['requested']);
    const [record] = await h.audit.forRequest(request.id);
    expect(record).toMatchObject({ actor: REQUESTER, provider: 'checkcentral', target: 'new.user@myorg.example', reason: 'joins the ops team', dryRun: false });
    expect(h.events).toHaveLength(1);
    expect(h.events[0]!.request.form).toEqual({});
    expect(h.events[0]!.audit.action).toBe('requested');
    expect(await h.requests.recentFor(REQUESTER)).toEqual([request]);
  });

  test('an unknown provider, a short or long reason and schema errors come back per field, and nothing is stored', async () => {
    await open();
    expect(await h.lifecycle.submit({ requester: REQUESTER, provider: 'nope', form: checkcentral(), channel: 'C1' })).toEqual({ ok: false, errors: { provider: 'Choose a provider.' } });
    const short = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...checkcentral(), reason: ' ab ' }, channel: 'C1' });
    expect(short).toEqual({ ok: false, errors: { reason: 'Give a reason approvers can judge (at least 3 characters).' } });
    const exact = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...checkcentral(), reason: 'abc' }, channel: 'C1' });
    expect(exact.ok).toBe(true);
    const long = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...checkcentral(), reason: 'x'.repeat(2_001) }, channel: 'C1' });
    expect(long).toEqual({ ok: false, errors: { reason: 'Keep the reason under 2000 characters.' } });
    const atMax = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...checkcentral('max@myorg.example'), reason: 'x'.repeat(2_000) }, channel: 'C1' });
    expect(atMax.ok).toBe(true);
    const noReason = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...checkcentral(), reason: undefined }, channel: 'C1' });
    expect(noReason).toMatchObject({ ok: false, errors: { reason: expect.stringContaining('at least 3') } });
    const bad = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: { ...checkcentral('not-an-email'), accessLevel: 'root', reason: 'x' }, channel: 'C1' });
    expect(bad.ok).toBe(false);
    expect(Object.keys((bad as { errors: object }).errors).sort()).toEqual(['accessLevel', 'email', 'reason']);
    expect(await h.requests.recentFor(REQUESTER)).toHaveLength(2);
    expect(await h.requests.pendingCount()).toBe(2);
  });

  test('a blank password is generated (20 characters, every class), kept sealed in the store and hidden from logs', async () => {
    await open({ secretKey: KEY });
    const request = await submitted('smscentral', smscentral());
    expect(request.generated).toEqual(['PASSWORD']);
    const stored = (await h.requests.get(request.id))!;
    expect(stored.form.PASSWORD).toMatch(/^sealed:v2:/);
    const [password] = h.hidden;
    expect(password).toHaveLength(20);
    for (const set of [/[A-Z]/, /[a-z]/, /[2-9]/, /[!#%+\-=?@_]/]) expect(password).toMatch(set);
    expect(password).not.toMatch(/[01IOl]/);
    expect(JSON.stringify(stored)).not.toContain(password);
    expect(JSON.stringify(h.events)).not.toContain(password);
  });

  test('a typed password is kept as typed (sealed), not generated, and hidden from logs', async () => {
    await open({ secretKey: KEY });
    const request = await submitted('smscentral', smscentral('Typed-Pass-123!'));
    expect(request.generated).toEqual([]);
    expect(h.hidden).toEqual(['Typed-Pass-123!']);
    expect((await h.requests.get(request.id))!.form.PASSWORD).toMatch(/^sealed:v2:/);
    await approvedAndProvisioned(request.id);
    expect((h.calls[0]!.input as { PASSWORD: Secret }).PASSWORD.reveal()).toBe('Typed-Pass-123!');
  });

  test('a provider without credentials, or a bot in dry-run mode, stores a dry run', async () => {
    await open({ configured: ['smscentral'] });
    expect((await submitted()).dryRun).toBe(true);
    expect((await submitted('smscentral', smscentral())).dryRun).toBe(false);
    await h.stop();
    await open({ dryRun: true });
    expect((await submitted()).dryRun).toBe(true);
  });

  test('one person may have maxPending requests waiting, no more; a decided one frees its place', async () => {
    await open({ maxPending: 2 });
    const first = await submitted('checkcentral', checkcentral('a@myorg.example'));
    await submitted('checkcentral', checkcentral('b@myorg.example'));
    const third = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: checkcentral('c@myorg.example'), channel: 'C1' });
    expect(third).toEqual({ ok: false, errors: { provider: expect.stringContaining('You already have 2 requests waiting for approval') } });
    expect((await submitted('checkcentral', checkcentral('d@myorg.example'), 'USOMEONEELSE')).state).toBe('pending');
    expect(await h.lifecycle.cancel(first.id, REQUESTER)).toMatchObject({ ok: true });
    expect((await submitted('checkcentral', checkcentral('c@myorg.example'))).state).toBe('pending');
  });

  test('a delivery `admit` refuses is a duplicate: nothing stored, nothing announced', async () => {
    await open();
    let asked = 0;
    const result = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: checkcentral(), channel: 'C1', admit: async () => (asked += 1) === 0 });
    expect(result).toEqual({ ok: true, duplicate: true });
    expect(asked).toBe(1);
    expect(await h.requests.recentFor(REQUESTER)).toEqual([]);
    expect(h.events).toEqual([]);
  });

  test('a requester outside the policy’s requesters is refused with the reason', async () => {
    const policy: AccessPolicy = { ...defaultPolicy(), defaults: { ...defaultPolicy().defaults, requesters: { users: ['UALLOWED'], groups: [] } } };
    await open({ policy: () => policy });
    const refused = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: checkcentral(), channel: 'C1' });
    expect(refused).toEqual({ ok: false, errors: { provider: expect.stringContaining('not among the people who may ask for CheckCentral accounts') } });
    expect((await submitted('checkcentral', checkcentral(), 'UALLOWED')).state).toBe('pending');
  });

  test('an auto-approval rule approves at once: the bot is the approver, the rule the reason, and the create runs', async () => {
    const base = defaultPolicy();
    const policy: AccessPolicy = { ...base, hash: 'abc123def456', defaults: { ...base.defaults, autoApprove: [{ name: 'plain users', fields: { accessLevel: ['user'] } }] } };
    await open({ policy: () => policy });
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'CC-1' }));
    const request = await submitted();
    expect(request).toMatchObject({ state: 'approved', decision: { by: 'UBOT', reason: 'Approved by the policy rule "plain users"' } });
    await h.lifecycle.settled();
    expect((await h.requests.get(request.id))!.state).toBe('succeeded');
    const approved = (await h.audit.forRequest(request.id)).find((record) => record.action === 'approved');
    expect(approved).toMatchObject({ actor: 'UBOT', reason: 'Approved by the policy rule "plain users"', policy: 'abc123def456' });
    const admin = await submitted('checkcentral', { ...checkcentral('admin@myorg.example'), accessLevel: 'administrator' });
    expect(admin.state).toBe('pending');
  });

  test('an escalating policy fixes the escalation time at submission', async () => {
    const base = defaultPolicy();
    const policy: AccessPolicy = { ...base, defaults: { ...base.defaults, escalate: { afterMs: 600_000, to: { users: ['UBOSS'], groups: [] } } } };
    await open({ policy: () => policy });
    const request = await submitted();
    expect(request.escalateAt).toBe(new Date(START + 600_000).toISOString());
  });
});

describe('approve, reject, cancel', () => {
  test('the requester, a non-approver and a second click are refused; an approver’s click approves and provisions once', async () => {
    await open();
    const request = await submitted();
    expect(await h.lifecycle.approve(request.id, REQUESTER)).toEqual({ ok: false, why: 'You cannot approve your own request: another approver has to.' });
    expect(await h.lifecycle.approve(request.id, 'USTRANGER')).toEqual({ ok: false, why: 'Only approvers can approve this request (<@UAPPROVER1>, <@UAPPROVER2>).' });
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'CC-42' }));
    const approved = await h.lifecycle.approve(request.id, APPROVERS[0]!);
    expect(approved).toMatchObject({ ok: true, remaining: 0, request: { state: 'approved', owner: 'this-process', decision: { by: APPROVERS[0] } } });
    expect(await h.lifecycle.approve(request.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'This request is already approved.' });
    expect(await h.lifecycle.approve(request.id, APPROVERS[1]!)).toEqual({ ok: false, why: 'This request is already approved.' });
    const done = await h.lifecycle.provision(request.id, APPROVERS[0]!);
    expect(done).toMatchObject({ state: 'succeeded', attempts: 1, form: {}, outcome: { kind: 'created', providerUserId: 'CC-42' }, wireRequest: 'POST /checkcentral' });
    expect(await h.lifecycle.provision(request.id, APPROVERS[0]!)).toBeUndefined();
    expect(h.calls).toHaveLength(1);
    expect(await h.actions(request.id)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
    const records = await h.audit.forRequest(request.id);
    expect(records.at(-1)).toMatchObject({ action: 'succeeded', actor: APPROVERS[0], providerUserId: 'CC-42' });
    expect(records.at(-1)!.error).toBeUndefined();
    expect(h.events.map((event) => event.request.state)).toEqual(['pending', 'approved', 'provisioning', 'succeeded']);
    expect(await h.requests.pendingCount()).toBe(0);
  });

  test('two approvals required: each approver counts once, the requester never, and the second moves it', async () => {
    await open({ policy: () => ({ ...defaultPolicy({ requiredApprovals: 2 }), hash: 'cafe00000000' }) });
    const request = await submitted();
    const first = await h.lifecycle.approve(request.id, APPROVERS[0]!);
    expect(first).toMatchObject({ ok: true, remaining: 1, request: { state: 'pending' } });
    expect(await h.requests.approvers(request.id)).toEqual([APPROVERS[0]]);
    expect(await h.lifecycle.approve(request.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'You have already approved this request; it needs 1 more approval from someone else.' });
    expect((await h.requests.get(request.id))!.state).toBe('pending');
    const second = await h.lifecycle.approve(request.id, APPROVERS[1]!);
    expect(second).toMatchObject({ ok: true, remaining: 0, request: { state: 'approved', decision: { by: APPROVERS[1] } } });
    await h.lifecycle.settled();
    const approvals = (await h.audit.forRequest(request.id)).filter((record) => record.action === 'approved');
    expect(approvals.map((record) => [record.actor, record.policy])).toEqual([
      [APPROVERS[0], 'cafe00000000'],
      [APPROVERS[1], 'cafe00000000'],
    ]);
  });

  test('every approval so far is listed, in the order given, however many there are', async () => {
    const base = defaultPolicy({ requiredApprovals: 4 });
    const many = ['UAPPROVER1', 'UAPPROVER2', 'UAPPROVER3'];
    await open({ policy: () => ({ ...base, defaults: { ...base.defaults, approvers: { users: many, groups: [] } } }) });
    const request = await submitted();
    for (const approver of many) expect(await h.lifecycle.approve(request.id, approver)).toMatchObject({ ok: true });
    expect(await h.requests.approvers(request.id)).toEqual(many);
  });

  test('three approvals required: the message counts what is left in the plural', async () => {
    await open({ policy: () => defaultPolicy({ requiredApprovals: 3 }) });
    const request = await submitted();
    await h.lifecycle.approve(request.id, APPROVERS[0]!);
    expect(await h.lifecycle.approve(request.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'You have already approved this request; it needs 2 more approvals from someone else.' });
  });

  test('admins and owners approve when no approvers are set; members of an approver group do', async () => {
    const policy: AccessPolicy = { ...defaultPolicy(), defaults: { ...defaultPolicy().defaults, approvers: undefined } };
    await open({ policy: () => policy, directory: { isAdminOrOwner: async (user) => user === 'UADMIN', groupMembers: async () => [] } });
    const request = await submitted();
    expect(await h.lifecycle.approve(request.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'Only approvers can approve this request (workspace admins and owners).' });
    expect(await h.lifecycle.approve(request.id, 'UADMIN')).toMatchObject({ ok: true });
    await h.stop();
    const grouped: AccessPolicy = { ...defaultPolicy(), defaults: { ...defaultPolicy().defaults, approvers: { users: [], groups: ['SOPS'] } } };
    await open({ policy: () => grouped, directory: { isAdminOrOwner: async () => true, groupMembers: async (group) => (group === 'SOPS' ? ['UMEMBER'] : []) } });
    const other = await submitted();
    expect(await h.lifecycle.approve(other.id, 'UADMIN')).toEqual({ ok: false, why: 'Only approvers can approve this request (<!subteam^SOPS>).' });
    expect(await h.lifecycle.approve(other.id, 'UMEMBER')).toMatchObject({ ok: true });
  });

  test('reject: the requester is sent to Cancel, a stranger refused, an approver rejects with the reason once', async () => {
    await open({ policy: () => ({ ...defaultPolicy(), hash: 'beef00000000' }) });
    const request = await submitted();
    expect(await h.lifecycle.reject(request.id, REQUESTER, 'no')).toEqual({ ok: false, why: 'To withdraw your own request, use Cancel.' });
    expect(await h.lifecycle.reject(request.id, 'USTRANGER', 'no')).toEqual({ ok: false, why: 'Only approvers can reject this request (<@UAPPROVER1>, <@UAPPROVER2>).' });
    const rejected = await h.lifecycle.reject(request.id, APPROVERS[1]!, 'not this quarter');
    expect(rejected).toMatchObject({ ok: true, request: { state: 'rejected', form: {}, decision: { by: APPROVERS[1], reason: 'not this quarter' } } });
    expect(await h.lifecycle.reject(request.id, APPROVERS[0]!, 'again')).toEqual({ ok: false, why: 'This request is already rejected.' });
    expect(await h.lifecycle.approve(request.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'This request is already rejected.' });
    expect((await h.audit.forRequest(request.id)).at(-1)).toMatchObject({ action: 'rejected', actor: APPROVERS[1], reason: 'not this quarter', policy: 'beef00000000' });
    expect(h.calls).toEqual([]);
  });

  test('cancel: only the requester, only while pending', async () => {
    await open();
    const request = await submitted();
    expect(await h.lifecycle.cancel(request.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'Only the person who asked can cancel this request.' });
    expect(await h.lifecycle.cancel(request.id, REQUESTER)).toMatchObject({ ok: true, request: { state: 'cancelled', decision: { by: REQUESTER } } });
    expect(await h.lifecycle.cancel(request.id, REQUESTER)).toEqual({ ok: false, why: 'This request is already cancelled.' });
    expect(await h.actions(request.id)).toEqual(['requested', 'cancelled']);
  });

  test('every decision on a request that does not exist says so', async () => {
    await open();
    const gone = { ok: false, why: 'This request no longer exists.' };
    expect(await h.lifecycle.approve('AR-NOPE', APPROVERS[0]!)).toEqual(gone);
    expect(await h.lifecycle.reject('AR-NOPE', APPROVERS[0]!, 'x')).toEqual(gone);
    expect(await h.lifecycle.cancel('AR-NOPE', REQUESTER)).toEqual(gone);
    expect(await h.lifecycle.retry('AR-NOPE', APPROVERS[0]!)).toEqual(gone);
    expect(await h.lifecycle.markDone('AR-NOPE', APPROVERS[0]!)).toEqual(gone);
    expect(await h.lifecycle.expire('AR-NOPE', 'UBOT')).toBeUndefined();
    expect(await h.lifecycle.provision('AR-NOPE', APPROVERS[0]!)).toBeUndefined();
  });
});

describe('the provider’s answer', () => {
  test('a refusal fails the request with the provider’s message; the audit keeps it', async () => {
    await open();
    const request = await submitted();
    h.answers.push(async () => ({ kind: 'rejected', message: 'email already in use' }));
    const done = await approvedAndProvisioned(request.id);
    expect(done).toMatchObject({ state: 'failed', outcome: { kind: 'rejected', message: 'email already in use' } });
    const last = (await h.audit.forRequest(request.id)).at(-1)!;
    expect(last).toMatchObject({ action: 'failed', error: 'email already in use' });
    expect(last.providerUserId).toBeUndefined();
  });

  test('a provider call that throws leaves unknown, never a repeat', async () => {
    await open();
    const request = await submitted();
    h.answers.push(async () => {
      throw new Error('socket hang up');
    });
    const done = await approvedAndProvisioned(request.id);
    expect(done).toMatchObject({ state: 'unknown', outcome: { kind: 'unknown', message: 'CheckCentral: the call failed unexpectedly; the user may or may not exist.' } });
    expect(done!.form).not.toEqual({});
    expect(h.calls).toHaveLength(1);
  });

  test('a dry run succeeds without an error and is audited as a dry run', async () => {
    await open({ configured: [] });
    const request = await submitted();
    const done = await approvedAndProvisioned(request.id);
    expect(done).toMatchObject({ state: 'succeeded', dryRun: true, outcome: { kind: 'dry_run' } });
    expect(h.calls).toEqual([expect.objectContaining({ dryRun: true })]);
    const last = (await h.audit.forRequest(request.id)).at(-1)!;
    expect(last).toMatchObject({ action: 'succeeded', dryRun: true });
    expect(last.error).toBeUndefined();
  });

  test('a stored password sealed under another key is not sent: the request fails saying why', async () => {
    await open({ secretKey: KEY });
    const request = await submitted('smscentral', smscentral('Typed-Pass-123!'));
    await h.lifecycle.approve(request.id, APPROVERS[0]!);
    const stored = (await h.requests.get(request.id))!;
    await h.stop();
    await open({ secretKey: OTHER_KEY });
    await h.real.set(`request:${stored.id}`, stored);
    const done = await h.lifecycle.provision(stored.id, APPROVERS[0]!);
    expect(done).toMatchObject({ state: 'failed', outcome: { kind: 'rejected', message: CANNOT_DECRYPT } });
    expect(h.calls).toEqual([]);
  });

  test('a stored form that no longer passes the provider’s checks fails without a call', async () => {
    await open();
    const request = await submitted();
    await h.lifecycle.approve(request.id, APPROVERS[0]!);
    const stored = (await h.requests.get(request.id))!;
    await h.real.set(`request:${stored.id}`, { ...stored, form: { ...stored.form, email: 'broken' } });
    const done = await h.lifecycle.provision(stored.id, APPROVERS[0]!);
    expect(done).toMatchObject({ state: 'failed', outcome: { kind: 'rejected', message: "The stored request no longer passes CheckCentral's checks." } });
    expect(h.calls).toEqual([]);
  });
});

describe('after unknown: Retry and Mark as done', () => {
  async function unknownRequest(provider = 'checkcentral', form: Record<string, string | string[]> = checkcentral()) {
    const request = await submitted(provider, form);
    const done = await approvedAndProvisioned(request.id);
    expect(done?.state).toBe('unknown');
    return request;
  }

  test('only approvers, only while unknown; Retry sends the create again with its attempt counted', async () => {
    await open();
    const pending = await submitted('checkcentral', checkcentral('p@myorg.example'));
    expect(await h.lifecycle.retry(pending.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'This request is pending, not waiting for a decision.' });
    expect(await h.lifecycle.markDone(pending.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'This request is pending, not waiting for a decision.' });
    const request = await unknownRequest();
    expect(await h.lifecycle.retry(request.id, REQUESTER)).toEqual({ ok: false, why: 'Only approvers can retry or close a request whose outcome is unknown.' });
    expect(await h.lifecycle.markDone(request.id, 'USTRANGER')).toEqual({ ok: false, why: 'Only approvers can retry or close a request whose outcome is unknown.' });
    expect(await h.lifecycle.retry(request.id, APPROVERS[1]!)).toMatchObject({ ok: true, request: { state: 'approved', owner: 'this-process', decision: { by: APPROVERS[1] } } });
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'CC-9' }));
    expect(await h.lifecycle.provision(request.id, APPROVERS[1]!)).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await h.actions(request.id)).toEqual(['requested', 'approved', 'provisioning', 'unknown', 'retried', 'provisioning', 'succeeded']);
  });

  test('Mark as done succeeds without a call and keeps the generated password for the requester', async () => {
    await open({ secretKey: KEY });
    const request = await unknownRequest('smscentral', smscentral());
    const password = h.hidden[0]!;
    expect(await h.requests.hasRevealed(request.id)).toBe(false);
    const done = await h.lifecycle.markDone(request.id, APPROVERS[1]!);
    expect(done).toMatchObject({ ok: true, request: { state: 'succeeded', form: {}, decision: { by: APPROVERS[1], reason: 'marked as done' } } });
    expect(await h.lifecycle.markDone(request.id, APPROVERS[1]!)).toEqual({ ok: false, why: 'This request is succeeded, not waiting for a decision.' });
    expect((await h.audit.forRequest(request.id)).at(-1)).toMatchObject({ action: 'succeeded', actor: APPROVERS[1], reason: 'Marked as done by an approver after an unknown outcome' });
    expect(await h.requests.hasRevealed(request.id)).toBe(true);
    expect(await h.lifecycle.peekRevealed(request.id)).toEqual({ ok: true, secrets: [{ label: 'Password', value: password }] });
    await h.lifecycle.forgetRevealed(request.id);
    expect(await h.lifecycle.peekRevealed(request.id)).toBeUndefined();
    expect(h.calls).toHaveLength(1);
  });
});

describe('revealing generated passwords', () => {
  test('a created account keeps its generated password until shown; one typed is never kept', async () => {
    await open({ secretKey: KEY });
    const generated = await submitted('smscentral', smscentral());
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'SMS-1' }));
    await approvedAndProvisioned(generated.id);
    expect(await h.lifecycle.peekRevealed(generated.id)).toEqual({ ok: true, secrets: [{ label: 'Password', value: h.hidden[0] }] });
    const typed = await submitted('smscentral', { ...smscentral('Typed-Pass-123!'), USERNAME: 'other' });
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'SMS-2' }));
    await approvedAndProvisioned(typed.id);
    expect(await h.requests.hasRevealed(typed.id)).toBe(false);
  });

  test('a failed create keeps nothing to reveal', async () => {
    await open();
    const request = await submitted('smscentral', smscentral());
    h.answers.push(async () => ({ kind: 'rejected', message: 'username taken' }));
    await approvedAndProvisioned(request.id);
    expect(await h.requests.hasRevealed(request.id)).toBe(false);
  });

  test('a kept password this key cannot open says so instead of throwing', async () => {
    await open({ secretKey: KEY });
    const request = await submitted('smscentral', smscentral());
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'SMS-1' }));
    await approvedAndProvisioned(request.id);
    const kept = await h.real.get(`request:${request.id}:reveal`);
    await h.stop();
    await open({ secretKey: OTHER_KEY });
    await h.real.set(`request:${request.id}:reveal`, kept);
    expect(await h.lifecycle.peekRevealed(request.id)).toEqual({ ok: false, why: CANNOT_DECRYPT });
  });
});

describe('sweeps and reads', () => {
  test('expiry: due requests are listed oldest first and expire once; others stay', async () => {
    await open();
    const first = await submitted('checkcentral', checkcentral('a@myorg.example'));
    h.clock.now += 1_000;
    const second = await submitted('checkcentral', checkcentral('b@myorg.example'));
    expect(await h.requests.expiring()).toEqual([]);
    h.clock.now = START + TTL_MS;
    expect((await h.requests.expiring()).map((request) => request.id)).toEqual([first.id]);
    h.clock.now = START + TTL_MS + 1_000;
    expect((await h.requests.expiring()).map((request) => request.id)).toEqual([first.id, second.id]);
    expect(await h.lifecycle.expire(first.id, 'UBOT')).toMatchObject({ state: 'expired', form: {} });
    expect(await h.lifecycle.expire(first.id, 'UBOT')).toBeUndefined();
    expect((await h.requests.expiring()).map((request) => request.id)).toEqual([second.id]);
    expect(await h.actions(first.id)).toEqual(['requested', 'expired']);
    expect((await h.audit.forRequest(first.id)).at(-1)!.actor).toBe('UBOT');
    expect(await h.requests.pendingCount()).toBe(1);
  });

  test('reminders: due at half the time to live, once', async () => {
    await open();
    const request = await submitted();
    h.clock.now = START + TTL_MS / 2 - 1;
    expect(await h.requests.remindable()).toEqual([]);
    h.clock.now = START + TTL_MS / 2;
    expect((await h.requests.remindable()).map((one) => one.id)).toEqual([request.id]);
    await h.lifecycle.reminded(request.id);
    expect(await h.requests.remindable()).toEqual([]);
  });

  test('pending lists soonest to expire first and drops what was decided', async () => {
    await open();
    const a = await submitted('checkcentral', checkcentral('a@myorg.example'));
    h.clock.now += 1_000;
    const b = await submitted('checkcentral', checkcentral('b@myorg.example'));
    expect((await h.requests.pending()).map((one) => one.id)).toEqual([a.id, b.id]);
    expect((await h.requests.pending(1)).map((one) => one.id)).toEqual([a.id]);
    await h.lifecycle.reject(a.id, APPROVERS[0]!, 'no');
    await h.lifecycle.settled();
    expect((await h.requests.pending()).map((one) => one.id)).toEqual([b.id]);
    expect(await h.requests.pendingCount()).toBe(1);
  });

  test('recentFor: newest first, at most the limit, only the person’s own', async () => {
    await open();
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await submitted('checkcentral', checkcentral(`${name}@myorg.example`))).id);
    await submitted('checkcentral', checkcentral('z@myorg.example'), 'USOMEONEELSE');
    expect((await h.requests.recentFor(REQUESTER)).map((one) => one.id)).toEqual([...ids].reverse());
    expect((await h.requests.recentFor(REQUESTER, 2)).map((one) => one.id)).toEqual([ids[2], ids[1]]);
  });

  test('escalation: once, at its time, to the people the policy names then, who may then decide', async () => {
    const base = defaultPolicy();
    const policy: AccessPolicy = { ...base, hash: 'e5ca1a7e0000', defaults: { ...base.defaults, escalate: { afterMs: 600_000, to: { users: ['UBOSS'], groups: ['SLEADS'] } } } };
    await open({ policy: () => policy });
    const request = await submitted();
    expect(await h.lifecycle.approve(request.id, 'UBOSS')).toMatchObject({ ok: false });
    h.clock.now = START + 600_000 - 1;
    expect(await h.lifecycle.escalateDue()).toBe(0);
    h.clock.now = START + 600_000;
    expect(await h.lifecycle.escalateDue()).toBe(1);
    expect(await h.lifecycle.escalateDue()).toBe(0);
    expect((await h.requests.get(request.id))!.escalatedTo).toEqual({ users: ['UBOSS'], groups: ['SLEADS'] });
    expect((await h.audit.forRequest(request.id)).at(-1)).toMatchObject({ action: 'escalated', actor: 'UBOT', policy: 'e5ca1a7e0000' });
    expect(await h.lifecycle.approve(request.id, 'UBOSS')).toMatchObject({ ok: true, remaining: 0 });
  });

  test('backfill indexes pending and in-flight requests stored without indexes, once per store', async () => {
    await open();
    const pending = await submitted('checkcentral', checkcentral('a@myorg.example'));
    const approved = await submitted('checkcentral', checkcentral('b@myorg.example'));
    await h.lifecycle.approve(approved.id, APPROVERS[0]!);
    const rejected = await submitted('checkcentral', checkcentral('c@myorg.example'));
    await h.lifecycle.reject(rejected.id, APPROVERS[0]!, 'no');
    await h.lifecycle.settled();
    for (const index of ['requests:pending', 'requests:remind', 'requests:in-flight', `requests:pending:by-user:${REQUESTER}`]) {
      for (const id of [pending.id, approved.id, rejected.id]) await h.real.indexRemove(index, id);
    }
    expect(await h.requests.pendingCount()).toBe(0);
    expect(await h.lifecycle.backfillIndexes()).toBe(2);
    expect(await h.lifecycle.backfillIndexes()).toBe(0);
    expect((await h.requests.pending()).map((one) => one.id)).toEqual([pending.id]);
    expect(await h.real.indexRange('requests:in-flight', { limit: 10 })).toEqual([expect.objectContaining({ member: approved.id })]);
  });
});

describe('recovery', () => {
  test('an unannounced request is announced after the grace period, once', async () => {
    await open();
    const request = await submitted();
    await h.real.delete(`request:${request.id}:announced`);
    await h.real.indexAdd('requests:unannounced', request.id, h.clock.now);
    h.clock.now += 4_999;
    expect(await h.lifecycle.recover('UBOT')).toBe(0);
    h.clock.now += 1;
    expect(await h.lifecycle.recover('UBOT')).toBe(1);
    expect(await h.lifecycle.recover('UBOT')).toBe(0);
    expect(await h.actions(request.id)).toEqual(['requested', 'requested']);
  });

  test('an unannounced entry whose request was never stored is dropped', async () => {
    await open();
    await h.real.indexAdd('requests:unannounced', 'AR-NEVERSTORED', h.clock.now);
    h.clock.now += 5_000;
    expect(await h.lifecycle.recover('UBOT')).toBe(0);
    expect(await h.real.indexRange('requests:unannounced', { limit: 10 })).toEqual([]);
  });

  test('a dead owner’s approved request is provisioned; its provisioning one becomes unknown; a live owner’s is left alone', async () => {
    await open({ instanceId: 'dead-process' });
    const approved = await submitted('checkcentral', checkcentral('a@myorg.example'));
    await h.lifecycle.approve(approved.id, APPROVERS[0]!);
    const cutOff = await submitted('checkcentral', checkcentral('b@myorg.example'));
    await h.lifecycle.approve(cutOff.id, APPROVERS[1]!);
    const stored = (await h.requests.get(cutOff.id))!;
    await h.real.set(`request:${cutOff.id}`, { ...stored, state: 'provisioning', version: (stored.version ?? 0) + 1 });
    await h.lifecycle.settled();
    const store = h.real;
    // The same store, seen from another process: the first one's liveness key never existed.
    const other = await startLifecycle({ wrapStore: () => store, instanceId: 'other-process' });
    try {
      other.answers.push(async () => ({ kind: 'created', providerUserId: 'CC-5' }));
      expect(await other.lifecycle.recover('UBOT')).toBe(2);
      expect((await other.requests.get(approved.id))!).toMatchObject({ state: 'succeeded', owner: 'other-process' });
      expect((await other.requests.get(cutOff.id))!).toMatchObject({ state: 'unknown', outcome: { kind: 'unknown', message: expect.stringContaining('may or may not exist') } });
      expect(other.calls).toHaveLength(1);
      expect((await other.audit.forRequest(approved.id)).filter((record) => record.action === 'succeeded')[0]!.actor).toBe(APPROVERS[0]);
      expect((await other.audit.forRequest(cutOff.id)).at(-1)).toMatchObject({ action: 'unknown', actor: 'UBOT' });
      expect(await other.lifecycle.recover('UBOT')).toBe(0);
    } finally {
      await other.stop();
    }
  });

  test('a live owner’s in-flight request is not touched', async () => {
    await open();
    const request = await submitted();
    await h.lifecycle.approve(request.id, APPROVERS[0]!);
    expect(await h.lifecycle.recover('UBOT')).toBe(0);
    expect((await h.requests.get(request.id))!.state).toBe('approved');
    expect(h.calls).toEqual([]);
  });
});

describe('transitions: each moves one version, and of two at once exactly one wins', () => {
  test('every move adds one to the version it read', async () => {
    await open();
    const request = await submitted();
    expect(request.version).toBeUndefined();
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'CC-1' }));
    const approved = await h.lifecycle.approve(request.id, APPROVERS[0]!);
    expect(approved).toMatchObject({ ok: true, request: { version: 1 } });
    const done = await h.lifecycle.provision(request.id, APPROVERS[0]!);
    expect(done?.version).toBe(3);
  });

  test('the same approver clicking twice at once counts once', async () => {
    await open({ policy: () => defaultPolicy({ requiredApprovals: 2 }) });
    const request = await submitted();
    const results = await Promise.all([h.lifecycle.approve(request.id, APPROVERS[0]!), h.lifecycle.approve(request.id, APPROVERS[0]!)]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toMatchObject({ ok: false, why: expect.stringMatching(/^You have already approved this request/) });
    expect(await h.requests.approvers(request.id)).toEqual([APPROVERS[0]]);
    expect((await h.requests.get(request.id))!.state).toBe('pending');
  });

  test('a reject and a cancel at once: one decides, the other is told what happened', async () => {
    await open();
    const request = await submitted();
    const [rejected, cancelled] = await Promise.all([h.lifecycle.reject(request.id, APPROVERS[0]!, 'no'), h.lifecycle.cancel(request.id, REQUESTER)]);
    expect([rejected.ok, cancelled.ok].filter(Boolean)).toHaveLength(1);
    const final = (await h.requests.get(request.id))!.state;
    expect(final === 'rejected' || final === 'cancelled').toBe(true);
    expect([rejected, cancelled].find((result) => !result.ok)).toEqual({ ok: false, why: `This request is already ${final}.` });
    expect(await h.actions(request.id)).toEqual(['requested', final]);
  });

  test('two approvers’ last approvals at once: one approves, nothing is provisioned twice', async () => {
    await open();
    const request = await submitted();
    const results = await Promise.all([h.lifecycle.approve(request.id, APPROVERS[0]!), h.lifecycle.approve(request.id, APPROVERS[1]!)]);
    const winners = results.filter((result) => result.ok && result.request.state === 'approved');
    expect(winners).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toEqual({ ok: false, why: 'This request is already approved.' });
    await Promise.all([h.lifecycle.provision(request.id, APPROVERS[0]!), h.lifecycle.provision(request.id, APPROVERS[1]!)]);
    expect(h.calls).toHaveLength(1);
  });

  test('two sweeps expiring one request at once: one expires it, one record', async () => {
    await open();
    const request = await submitted();
    h.clock.now = START + TTL_MS;
    const results = await Promise.all([h.lifecycle.expire(request.id, 'UBOT'), h.lifecycle.expire(request.id, 'UBOT')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await h.actions(request.id)).toEqual(['requested', 'expired']);
  });

  test('a click on a decided request past its expiry says what it is, and the bot expires a pending one as itself', async () => {
    await open();
    const rejected = await submitted('checkcentral', checkcentral('r@myorg.example'));
    await h.lifecycle.reject(rejected.id, APPROVERS[0]!, 'no');
    const pending = await submitted('checkcentral', checkcentral('p@myorg.example'));
    h.clock.now = START + TTL_MS;
    expect(await h.lifecycle.approve(rejected.id, APPROVERS[1]!)).toEqual({ ok: false, why: 'This request is already rejected.' });
    expect(await h.lifecycle.approve(pending.id, APPROVERS[1]!)).toMatchObject({ ok: false, why: expect.stringContaining('expired') });
    expect((await h.audit.forRequest(pending.id)).at(-1)).toMatchObject({ action: 'expired', actor: 'adduser-bot' });
  });
});

describe('a decision that loses its transition to another is told what won, and records nothing', () => {
  /** Runs just before the next transition reaches the store: the decision then moves a request it read before it changed. */
  let competitor: (() => Promise<unknown>) | undefined;
  const racing = (options: LifecycleHarnessOptions = {}) =>
    open({
      ...options,
      wrapStore: (real) => ({
        ...real,
        async transition(key, from, next, version) {
          const run = competitor;
          competitor = undefined;
          await run?.();
          return real.transition(key, from, next, version);
        },
      }),
    });

  test('a reject overtaken by the requester’s cancel', async () => {
    await racing();
    const request = await submitted();
    competitor = () => h.lifecycle.cancel(request.id, REQUESTER);
    expect(await h.lifecycle.reject(request.id, APPROVERS[0]!, 'no')).toEqual({ ok: false, why: 'This request is already cancelled.' });
    expect(await h.actions(request.id)).toEqual(['requested', 'cancelled']);
  });

  test('a Mark as done overtaken by another approver’s Retry', async () => {
    await racing();
    const request = await submitted();
    expect(await approvedAndProvisioned(request.id)).toMatchObject({ state: 'unknown' });
    competitor = () => h.lifecycle.retry(request.id, APPROVERS[1]!);
    expect(await h.lifecycle.markDone(request.id, APPROVERS[0]!)).toEqual({ ok: false, why: 'This request is already approved.' });
    expect((await h.actions(request.id)).slice(-2)).toEqual(['unknown', 'retried']);
  });

  test('an escalation overtaken by a rejection', async () => {
    const base = defaultPolicy();
    await racing({ policy: () => ({ ...base, defaults: { ...base.defaults, escalate: { afterMs: 600_000, to: { users: ['UBOSS'], groups: [] } } } }) });
    const request = await submitted();
    h.clock.now = START + 600_000;
    competitor = () => h.lifecycle.reject(request.id, APPROVERS[0]!, 'no');
    expect(await h.lifecycle.escalateDue()).toBe(0);
    expect(await h.actions(request.id)).toEqual(['requested', 'rejected']);
    expect((await h.requests.get(request.id))!.escalatedTo).toBeUndefined();
  });
});

describe('a request a workflow step filed', () => {
  test('every audit record names the step’s execution; a request from the form names none', async () => {
    await open();
    const filed = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: checkcentral(), channel: 'CREQUESTS', workflow: { functionExecutionId: 'Fx0STEP1' } });
    if (!filed.ok || !('request' in filed)) throw new Error('not submitted');
    h.answers.push(async () => ({ kind: 'created', providerUserId: 'CC-7' }));
    await approvedAndProvisioned(filed.request.id);
    await h.lifecycle.settled();
    const records = await h.audit.forRequest(filed.request.id);
    expect(records.map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
    for (const record of records) expect(record).toMatchObject({ via: 'workflow', functionExecutionId: 'Fx0STEP1' });
    const plain = await submitted('checkcentral', checkcentral('other@myorg.example'));
    const [requested] = await h.audit.forRequest(plain.id);
    expect(requested).not.toHaveProperty('via');
    expect(requested).not.toHaveProperty('functionExecutionId');
  });
});
