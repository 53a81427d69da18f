import { describe, expect, test } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { Batch } from '../../src/domain/batch.js';
import type { AccessRequest } from '../../src/domain/request.js';
import { accountOutcome, batchDecisionReply, batchMessage, batchTitle, type BatchView, progressText } from '../../src/slack/blocks/batch-message.js';
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
  requiredApprovals: (provider) => (provider === 'digicert' ? 2 : 1),
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
    expect(progressText({ total: 5, pending: 1, running: 0, created: 2, failed: 0, unknown: 1, stopped: 1 })).toBe('2 created · 1 unknown · 1 waiting for approval · 1 not created');
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
