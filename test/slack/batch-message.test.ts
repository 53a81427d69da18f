import { describe, expect, test } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { Batch } from '../../src/domain/batch/batch.js';
import type { AccessRequest } from '../../src/domain/requests/request.js';
import { accountOutcome, batchAuditMessage, batchDecisionReply, batchMessage, batchTitle, type BatchView, progressText } from '../../src/slack/blocks/batch-message.js';
import { md } from '../../src/slack/blocks/text.js';
import { blocksProblems } from '../support/block-kit.js';
import { aRequest } from '../support/fixtures.js';

const LABELS: Record<string, string> = { checkcentral: 'CheckCentral', digicert: 'DigiCert CertCentral', smscentral: 'SMS Central' };
const labelOf = (id: string) => LABELS[id] ?? id;
const batch = (changes: Partial<Batch> = {}): Batch => ({ id: 'AB-BATCH234', kind: 'csv', requester: 'UASKER', reason: 'Branch <!here> opens', channel: 'C1', members: [], createdAt: '2026-01-01T00:00:00.000Z', ...changes });
const member = (n: number, changes: Partial<AccessRequest> = {}) => aRequest({ id: `AR-M${n}`, target: `user${n}@example.com`, batch: { id: 'AB-BATCH234', index: n }, ...changes });
const view = (members: AccessRequest[], changes: Partial<BatchView> = {}): BatchView => ({
  batch: batch({ members: members.map((one) => one.id) }),
  members,
  approvedBy: new Map(),
  labelOf,
  fieldLabel: (_provider, field) => field,
  privileged: () => [],
  requiredApprovals: (one) => (one.provider === 'digicert' ? 2 : 1),
  approversText: () => '<@UAPPROVER>',
  ...changes,
});
const record = (changes: Partial<AuditRecord> = {}): AuditRecord => ({ id: 'r', seq: 9, requestId: 'AR-M0', at: '2026-01-01T00:00:00.000Z', actor: 'UAPPROVER', action: 'approved', provider: 'digicert', target: 'user0@example.com', dryRun: false, prevHash: '0', hash: '1', batchId: 'AB-BATCH234', ...changes });

describe('the batch request message', () => {
  test('a CSV batch: its title, the first 20 accounts, the count of the rest, the escaped reason, per-provider approvals and the batch’s buttons', () => {
    const members = Array.from({ length: 48 }, (_, n) => member(n));
    const message = batchMessage(view(members));
    expect(blocksProblems(message.blocks, 'message')).toEqual([]);
    expect(message.text).toBe('Account request AB-BATCH234: 48 new DigiCert CertCentral accounts: Pending approval');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('user19@example.com');
    expect(text).not.toContain('user20@example.com');
    expect(text).toContain('…and 28 more');
    expect(text).toContain('Branch &lt;!here&gt; opens');
    expect(text).toContain('DigiCert CertCentral needs 2 approvals from <@UAPPROVER>');
    const buttons = message.blocks.find((block) => block.type === 'actions') as { elements: { action_id: string; value: string }[] };
    expect(buttons.elements.map((button) => [button.action_id, button.value])).toEqual([
      ['request_approve', 'AB-BATCH234'],
      ['request_reject', 'AB-BATCH234'],
      ['request_cancel', 'AB-BATCH234'],
    ]);
  });

  test('a preset batch is for a person; after the decision: progress, who decided, no buttons', () => {
    const members = [member(0, { provider: 'checkcentral', state: 'succeeded', outcome: { kind: 'created', providerUserId: '77' }, decision: { by: 'UAPPROVER', at: 'x' } }), member(1, { provider: 'smscentral', state: 'failed', decision: { by: 'UAPPROVER', at: 'x' } }), member(2, { state: 'provisioning', decision: { by: 'UAPPROVER', at: 'x' } })];
    const preset = view(members, { batch: batch({ kind: 'preset', preset: 'engineer', person: 'Jill Valentine', members: members.map((one) => one.id) }) });
    expect(batchTitle(preset.batch, members, labelOf)).toBe('3 accounts for Jill Valentine');
    const message = batchMessage(preset);
    expect(message.text).toBe('Account request AB-BATCH234: 3 accounts for Jill Valentine: 1 created · 1 failed · 1 in progress');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('CheckCentral · *user0@example.com* · :tada: Account created · user id `77`');
    expect(text).toContain('decided by <@UAPPROVER>');
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
  });

  test('the list stays whole within a section’s 3,000 characters, and still says how many are left', () => {
    const members = Array.from({ length: 20 }, (_, n) => member(n, { target: `${'x'.repeat(200)}${n}@example.com` }));
    const message = batchMessage(view(members));
    expect(blocksProblems(message.blocks, 'message')).toEqual([]);
    const list = JSON.stringify(message.blocks[1]);
    expect(list).toMatch(/…and \d+ more/);
    expect(list).not.toContain('…"');
  });

  test('progress names only what is not zero', () => {
    expect(progressText({ total: 5, pending: 1, running: 0, created: 2, dryRun: 0, failed: 0, unknown: 1, stopped: 1 })).toBe('2 created · 1 unknown · 1 waiting for approval · 1 not created');
    expect(progressText({ total: 3, pending: 0, running: 0, created: 0, dryRun: 3, failed: 0, unknown: 0, stopped: 0 })).toBe('3 dry runs (nothing created)');
  });
});

describe('the batch’s thread', () => {
  test('an approval counts the accounts it sent on and what still waits for whom', () => {
    const members = [member(0, { provider: 'checkcentral', state: 'provisioning', decision: { by: 'UAPPROVER', at: 'x' } }), member(1, { state: 'pending' })];
    expect(batchDecisionReply(record(), view(members, { approvedBy: new Map([['AR-M1', ['UAPPROVER']]]) }))!.text).toBe(
      ':white_check_mark: <@UAPPROVER> approved. Creating 1 account… DigiCert CertCentral needs 1 approval from <@UAPPROVER>.',
    );
    expect(batchDecisionReply(record({ actor: 'UOTHER' }), view(members))!.text).toBe(':ballot_box_with_check: <@UOTHER> approved. DigiCert CertCentral needs 2 approvals from <@UAPPROVER>.');
  });

  test('a rejection of some accounts only says how many, and what still waits', () => {
    const members = [member(0, { provider: 'checkcentral', state: 'rejected', decision: { by: 'UAPPROVER', at: 'x' } }), member(1, { state: 'pending' })];
    expect(batchDecisionReply(record({ action: 'rejected', reason: 'not <@U123ABC>' }), view(members))!.text).toBe(
      ':no_entry: <@UAPPROVER> rejected 1 account. DigiCert CertCentral needs 2 approvals from <@UAPPROVER>.\n>not &lt;@U123ABC&gt;',
    );
  });

  test('each account’s outcome is its own line; the provider’s words are quoted and escaped; an unknown one has its own buttons', () => {
    const failed = accountOutcome(record({ action: 'failed', error: 'exists <!channel>' }), member(3, { state: 'failed' }), 'DigiCert CertCentral')!;
    expect(failed.text).toBe(':x: DigiCert CertCentral · *user3@example.com*: not created.\n>exists &lt;!channel&gt;');
    const unknown = accountOutcome(record({ action: 'unknown', error: 'timed out' }), member(4, { state: 'unknown' }), 'DigiCert CertCentral')!;
    expect(blocksProblems(unknown.blocks, 'message')).toEqual([]);
    const buttons = unknown.blocks!.find((block) => block.type === 'actions') as { elements: { action_id: string; value: string }[] };
    expect(buttons.elements.map((button) => [button.action_id, button.value])).toEqual([
      ['request_retry', 'AR-M4'],
      ['request_mark_done', 'AR-M4'],
    ]);
    // Read after an approver settled it: the line stays, the buttons do not.
    expect(accountOutcome(record({ action: 'unknown' }), member(4, { state: 'succeeded' }), 'DigiCert CertCentral')!.blocks!.some((block) => block.type === 'actions')).toBe(false);
    const created = accountOutcome(record({ action: 'succeeded' }), member(5, { state: 'succeeded', outcome: { kind: 'created', providerUserId: '99', invited: true } }), 'GitHub')!;
    expect(created.text).toBe(':tada: GitHub · *user5@example.com*: invitation sent, invitation id `99`');
    expect(accountOutcome(record({ action: 'provisioning' }), member(6), 'DigiCert CertCentral')).toBeUndefined();
  });
});

describe('every line the batch’s message and thread can say', () => {
  const status = (message: { blocks: unknown[] }) => ((message.blocks[3] as { elements: { text: string }[] }).elements[0]!.text);
  const expires = '2026-01-04T00:00:00.000Z';

  test('waiting: what each provider still needs (its members’ fewest approvals), who approved so far, and when it expires', () => {
    const members = [member(0, { state: 'pending', expiresAt: expires }), member(1, { state: 'pending', expiresAt: expires }), member(2, { provider: 'checkcentral', state: 'pending', expiresAt: expires })];
    const message = batchMessage(view(members, { approvedBy: new Map([['AR-M0', ['UFIRST', 'USECOND']], ['AR-M1', ['UFIRST']]]) }));
    expect(status(message)).toBe(
      `*:hourglass_flowing_sand: Pending approval* · DigiCert CertCentral needs 1 approval from <@UAPPROVER> · CheckCentral needs 1 approval from <@UAPPROVER> · approved so far by <@UFIRST>, <@USECOND> · expires <!date^${Date.parse(expires) / 1000}^{date_short_pretty} {time}|${expires}>`,
    );
    expect(status(batchMessage(view(members)))).not.toContain('approved so far');
  });

  test('under way: the counts, what still waits for whom, who decided; the title names a preset', () => {
    const members = [member(0, { provider: 'checkcentral', state: 'succeeded', dryRun: true, outcome: { kind: 'dry_run', message: 'x' }, decision: { by: 'UFIRST', at: 'x' } }), member(1, { state: 'pending' }), member(2, { provider: 'checkcentral', state: 'cancelled', decision: { by: 'UASKER', at: 'x' } })];
    const message = batchMessage(view(members, { batch: batch({ kind: 'preset', preset: 'desk', members: members.map((one) => one.id) }) }));
    expect(status(message)).toBe('*1 dry run (nothing created) · 1 waiting for approval · 1 not created* · DigiCert CertCentral needs 2 approvals from <@UAPPROVER> · decided by <@UFIRST>, <@UASKER>');
    expect((message.blocks[0] as { text: { text: string } }).text.text).toBe('*3 accounts* (preset `desk`) · `AB-BATCH234`');
    expect(JSON.stringify(message.blocks[1])).toContain(' · dry run');
    expect(message.blocks.at(-1)).toMatchObject({ type: 'actions', block_id: 'decide:AB-BATCH234' });
  });

  test('titles: a CSV of one provider counts its new accounts; of several, or a preset without a person, only accounts', () => {
    expect(batchTitle(batch(), [member(0)], labelOf)).toBe('1 new DigiCert CertCentral account');
    expect(batchTitle(batch(), [member(0), member(1, { provider: 'checkcentral' })], labelOf)).toBe('2 accounts');
    expect(batchTitle(batch({ kind: 'preset' }), [member(0)], labelOf)).toBe('1 account');
  });

  test('decisions: an auto-approval, a whole rejection with and without a reason, a cancel, an expiry; other records say nothing', () => {
    const decided = (state: AccessRequest['state']) => [member(0, { state, decision: { by: 'UAPPROVER', at: 'x' } }), member(1, { state, decision: { by: 'UAPPROVER', at: 'x' } })];
    expect(batchDecisionReply(record({ actor: 'UBOT', reason: 'Rule "staff"' }), view(decided('provisioning')))!.text).toBe(':robot_face: Rule "staff": nobody had to approve it. Creating 2 accounts…');
    expect(batchDecisionReply(record({ action: 'rejected' }), view(decided('rejected')))!.text).toBe(':no_entry: <@UAPPROVER> rejected the request.');
    expect(batchDecisionReply(record({ action: 'rejected', reason: 'no' }), view(decided('rejected')))!.text).toBe(':no_entry: <@UAPPROVER> rejected the request.\n>no');
    expect(batchDecisionReply(record({ action: 'cancelled', actor: 'UASKER' }), view(decided('cancelled')))!.text).toBe(':leftwards_arrow_with_hook: <@UASKER> cancelled the request.');
    expect(batchDecisionReply(record({ action: 'expired', actor: 'UBOT' }), view(decided('expired')))!.text).toBe(
      ':hourglass: The DigiCert CertCentral accounts expired without enough approvals. Ask again with /adduser if they are still needed.',
    );
    // Rejected or cancelled members are not "sent on" by an approval read later.
    expect(batchDecisionReply(record(), view(decided('rejected')))!.text).toBe(':ballot_box_with_check: <@UAPPROVER> approved.');
    expect(batchDecisionReply(record({ action: 'provisioning' }), view(decided('provisioning')))).toBeUndefined();
  });

  test('an account’s outcome in every case', () => {
    const line = (changes: Partial<AuditRecord>, state: Partial<AccessRequest> = {}) => accountOutcome(record(changes), member(7, state), 'DigiCert CertCentral')?.text;
    expect(line({ action: 'succeeded' }, { state: 'succeeded', outcome: { kind: 'created', providerUserId: '42' } })).toBe(':tada: DigiCert CertCentral · *user7@example.com*: created, user id `42`');
    expect(line({ action: 'succeeded' }, { state: 'succeeded', dryRun: true, outcome: { kind: 'dry_run', message: 'x' } })).toBe(':test_tube: DigiCert CertCentral · *user7@example.com*: dry run, nothing was sent.');
    expect(line({ action: 'succeeded' }, { state: 'succeeded' })).toBe(':white_check_mark: DigiCert CertCentral · *user7@example.com*: <@UAPPROVER> marked it as done after checking DigiCert CertCentral.');
    expect(line({ action: 'failed' }, { state: 'failed' })).toBe(':x: DigiCert CertCentral · *user7@example.com*: not created.\n>no reason given');
    expect(line({ action: 'unknown', error: 'timed out <!here>' }, { state: 'unknown' })).toBe(
      ':warning: DigiCert CertCentral · *user7@example.com*: *outcome unknown.* timed out &lt;!here&gt; Check DigiCert CertCentral, then choose *Mark as done* if the user is there or *Retry the create* if not.',
    );
    expect(line({ action: 'unknown' }, { state: 'unknown' })).toBe(
      ':warning: DigiCert CertCentral · *user7@example.com*: *outcome unknown.*  Check DigiCert CertCentral, then choose *Mark as done* if the user is there or *Retry the create* if not.',
    );
    expect(line({ action: 'retried' })).toBe(':repeat: DigiCert CertCentral · *user7@example.com*: <@UAPPROVER> chose *Retry*: sending the create to DigiCert CertCentral again.');
    expect(line({ action: 'late_answer', providerUserId: 'DC-3' })).toBe(
      ':information_source: DigiCert CertCentral · *user7@example.com*: a late answer to an earlier create: it created user id `DC-3`. Check DigiCert CertCentral before anything else is sent.',
    );
    expect(line({ action: 'late_answer', error: 'gone' })).toBe(':information_source: DigiCert CertCentral · *user7@example.com*: a late answer to an earlier create: >gone');
    expect(line({ action: 'late_answer' })).toBe(':information_source: DigiCert CertCentral · *user7@example.com*: a late answer to an earlier create: >no reason given');
    expect(line({ action: 'approved' })).toBeUndefined();
  });

  test('the audit-channel line of a batch decision: id, action, actor, title, thread link, then the escaped reason', () => {
    const members = [member(0), member(1)];
    expect(batchAuditMessage(record({ action: 'rejected', reason: 'no <!channel>' }), view(members), md`<https://x.slack.com/p1|thread>`).text).toBe(
      '`AB-BATCH234` *rejected* · by <@UAPPROVER> · 2 new DigiCert CertCentral accounts · <https://x.slack.com/p1|thread>\n>no &lt;!channel&gt;',
    );
    expect(batchAuditMessage(record(), view(members), undefined).text).toBe('`AB-BATCH234` *approved* · by <@UAPPROVER> · 2 new DigiCert CertCentral accounts');
  });
});
