import { describe, expect, test } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import { stepsOf } from '../../src/slack/delivery/plan.js';

/** What Slack is owed for each audit record (SPEC §3, §9, §10), read as one table. */
const record = (action: AuditRecord['action'], extra: Partial<AuditRecord> = {}): AuditRecord => ({
  id: 'r',
  seq: 1,
  requestId: 'AR-1',
  at: '2026-12-01T00:00:00.000Z',
  actor: 'U1',
  action,
  provider: 'checkcentral',
  target: 'a@example.com',
  dryRun: false,
  prevHash: '0',
  hash: '1',
  ...extra,
});

describe('a request filed on its own', () => {
  test.each([
    ['requested', {}, ['request_message', 'requester_dm', 'audit_line', 'home']],
    ['approved', {}, ['thread_reply', 'parent_update', 'audit_line', 'home']],
    ['provisioning', {}, ['thread_reply', 'parent_update', 'audit_line', 'home']],
    ['succeeded', {}, ['thread_reply', 'parent_update', 'reveal', 'requester_dm', 'audit_line', 'home']],
    ['failed', {}, ['thread_reply', 'parent_update', 'requester_dm', 'audit_line', 'home']],
    ['unknown', {}, ['thread_reply', 'parent_update', 'requester_dm', 'audit_line', 'home']],
    ['escalated', {}, ['thread_reply', 'parent_update', 'escalation_dm', 'audit_line', 'home']],
    ['rejected', {}, ['thread_reply', 'parent_update', 'requester_dm', 'audit_line', 'home']],
    ['cancelled', {}, ['thread_reply', 'parent_update', 'audit_line', 'home']],
    ['expired', {}, ['thread_reply', 'parent_update', 'requester_dm', 'audit_line', 'home']],
    ['retried', {}, ['thread_reply', 'parent_update', 'audit_line', 'home']],
    ['late_answer', {}, ['thread_reply', 'parent_update', 'audit_line', 'home']],
    // A workflow's step waits for the outcome: every final record completes it; unknown waits for an approver.
    ['succeeded', { via: 'workflow' }, ['thread_reply', 'parent_update', 'reveal', 'requester_dm', 'workflow_completion', 'audit_line', 'home']],
    ['rejected', { via: 'workflow' }, ['thread_reply', 'parent_update', 'requester_dm', 'workflow_completion', 'audit_line', 'home']],
    ['cancelled', { via: 'workflow' }, ['thread_reply', 'parent_update', 'workflow_completion', 'audit_line', 'home']],
    ['unknown', { via: 'workflow' }, ['thread_reply', 'parent_update', 'requester_dm', 'audit_line', 'home']],
    ['approved', { via: 'workflow' }, ['thread_reply', 'parent_update', 'audit_line', 'home']],
  ] as const)('%s %j', (action, extra, steps) => {
    expect(stepsOf(record(action, extra as Partial<AuditRecord>))).toEqual(steps);
  });
});

describe('one account of a batch', () => {
  test.each([
    ['requested', ['request_message', 'requester_dm', 'audit_line', 'home']],
    ['approved', ['thread_reply', 'parent_update', 'audit_line', 'home']],
    ['provisioning', ['parent_update', 'home']],
    ['succeeded', ['thread_reply', 'parent_update', 'reveal', 'audit_line', 'batch_results', 'requester_dm', 'home']],
    ['failed', ['thread_reply', 'parent_update', 'audit_line', 'batch_results', 'requester_dm', 'home']],
    ['unknown', ['thread_reply', 'parent_update', 'audit_line', 'home']],
    ['retried', ['thread_reply', 'parent_update', 'audit_line', 'home']],
    ['escalated', ['thread_reply', 'parent_update', 'escalation_dm', 'audit_line', 'home']],
    ['rejected', ['thread_reply', 'parent_update', 'audit_line', 'batch_results', 'requester_dm', 'home']],
    ['expired', ['thread_reply', 'parent_update', 'audit_line', 'batch_results', 'requester_dm', 'home']],
  ] as const)('%s', (action, steps) => {
    expect(stepsOf(record(action, { batchId: 'AB-1' }))).toEqual(steps);
  });
});
