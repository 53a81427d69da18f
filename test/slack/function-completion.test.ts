import { describe, expect, test } from 'vitest';
import { completionOf } from '../../src/slack/delivery/function-completion.js';
import { aRequest } from '../support/fixtures.js';

const request = (changes: Parameters<typeof aRequest>[0]) => completionOf(aRequest({ id: 'AR-STEP1', target: 'jill@example.com', workflow: { functionExecutionId: 'Fx1' }, ...changes }), 'DigiCert');

describe('how a request’s outcome ends its workflow step', () => {
  test.each(['pending', 'approved', 'provisioning', 'unknown'] as const)('%s: the step keeps waiting', (state) => {
    expect(request({ state })).toBeUndefined();
  });

  test('created: the outputs carry the provider’s id', () => {
    expect(request({ state: 'succeeded', outcome: { kind: 'created', providerUserId: '4100' } })).toEqual({
      ok: true,
      outputs: { request_id: 'AR-STEP1', status: 'succeeded', provider_user_id: '4100' },
    });
  });

  test('a dry run says so and names no id; Mark as done after an unknown outcome has no id to give', () => {
    expect(request({ state: 'succeeded', outcome: { kind: 'dry_run', message: 'nothing sent' } })).toEqual({ ok: true, outputs: { request_id: 'AR-STEP1', status: 'dry_run' } });
    expect(request({ state: 'succeeded', outcome: { kind: 'unknown', message: 'timeout' } })).toEqual({ ok: true, outputs: { request_id: 'AR-STEP1', status: 'succeeded' } });
  });

  test.each([
    [{ state: 'rejected', decision: { by: 'UAPPROVER', at: '2026-01-01T00:00:00Z', reason: 'Not this quarter' } }, 'Request AR-STEP1 for a DigiCert account for jill@example.com was rejected: Not this quarter'],
    [{ state: 'cancelled' }, 'Request AR-STEP1 for a DigiCert account for jill@example.com was cancelled by its requester.'],
    [{ state: 'expired' }, 'Request AR-STEP1 for a DigiCert account for jill@example.com expired: nobody approved it in time.'],
    [{ state: 'failed', outcome: { kind: 'already_exists', message: 'Username already in use' } }, 'Request AR-STEP1 for a DigiCert account for jill@example.com failed at DigiCert: Username already in use'],
  ] as const)('%o: the step fails with a readable error', (changes, error) => {
    expect(request(changes as Parameters<typeof aRequest>[0])).toEqual({ ok: false, error });
  });
});
