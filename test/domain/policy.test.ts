import { describe, expect, test } from 'vitest';
import { policyFromVariables } from '../../src/config/policy-variables.js';
import type { AccessPolicy } from '../../src/domain/policy/model.js';
import { type ApproverSet, type Directory } from '../../src/domain/policy/model.js';
import { isApprover, mayApprove, mayCancel, mayReject, mayResolveUnknown } from '../../src/domain/policy/decisions.js';
import { aRequest } from '../support/fixtures.js';

const directory: Directory = {
  isAdminOrOwner: async (user) => user === 'UADMIN',
  groupMembers: async (group) => (group === 'SGROUP1' ? ['UINGROUP'] : []),
};

const request = aRequest;

interface Variables {
  approvers: { all: ApproverSet | undefined; byProvider: Record<string, ApproverSet | undefined> };
  requiredApprovals: number;
}

const config = (changes: Partial<Variables> = {}): AccessPolicy => {
  const variables: Variables = { approvers: { all: { users: ['UAPPROVER', 'UASKER'], groups: ['SGROUP1'] }, byProvider: {} }, requiredApprovals: 1, ...changes };
  return policyFromVariables({
    requestsChannel: undefined,
    approvers: variables.approvers.all,
    approversByProvider: variables.approvers.byProvider,
    requiredApprovals: variables.requiredApprovals,
    ttlMs: 3_600_000,
  });
};

describe('approval policy', () => {
  test('listed users and members of listed user groups approve; others do not', async () => {
    expect(await isApprover(config(), directory, 'digicert', 'UAPPROVER')).toBe(true);
    expect(await isApprover(config(), directory, 'digicert', 'UINGROUP')).toBe(true);
    expect(await isApprover(config(), directory, 'digicert', 'USTRANGER')).toBe(false);
  });

  test('a provider list replaces the general one; no list at all means admins and owners', async () => {
    const perProvider = config({
      approvers: { all: { users: ['UAPPROVER'], groups: [] }, byProvider: { digicert: { users: ['UDIGI'], groups: [] } } },
    });
    expect(await isApprover(perProvider, directory, 'digicert', 'UAPPROVER')).toBe(false);
    expect(await isApprover(perProvider, directory, 'digicert', 'UDIGI')).toBe(true);
    expect(await isApprover(perProvider, directory, 'checkcentral', 'UAPPROVER')).toBe(true);
    const none = config({ approvers: { all: undefined, byProvider: {} } });
    expect(await isApprover(none, directory, 'digicert', 'UADMIN')).toBe(true);
    expect(await isApprover(none, directory, 'digicert', 'UAPPROVER')).toBe(false);
  });

  test('people a request escalated to may decide it as well as its approvers, and only that request', async () => {
    const escalated = request({ escalatedTo: { users: ['UCISO'], groups: [] } });
    expect((await mayApprove(config(), directory, escalated, 'UCISO', [])).ok).toBe(true);
    expect((await mayReject(config(), directory, escalated, 'UCISO')).ok).toBe(true);
    expect((await mayApprove(config(), directory, request(), 'UCISO', [])).ok).toBe(false);
  });

  test("the requester's own approval never counts, even for an approver", async () => {
    const verdict = await mayApprove(config(), directory, request(), 'UASKER', []);
    expect(verdict).toEqual({ ok: false, why: expect.stringContaining('your own request') });
  });

  test('each approver counts once, and only while pending', async () => {
    expect((await mayApprove(config({ requiredApprovals: 2 }), directory, request(), 'UAPPROVER', ['UAPPROVER'])).ok).toBe(false);
    expect((await mayApprove(config(), directory, request({ state: 'rejected' }), 'UAPPROVER', [])).ok).toBe(false);
    expect((await mayApprove(config(), directory, request(), 'UAPPROVER', [])).ok).toBe(true);
    expect((await mayApprove(config(), directory, request(), 'USTRANGER', [])).ok).toBe(false);
  });

  test('reject is for approvers, cancel for the requester, retry for approvers after unknown', async () => {
    expect((await mayReject(config(), directory, request(), 'UAPPROVER')).ok).toBe(true);
    expect((await mayReject(config(), directory, request(), 'USTRANGER')).ok).toBe(false);
    // A decided request is refused by its state, before anyone's role is asked.
    expect(await mayReject(config(), directory, request({ state: 'succeeded' }), 'UAPPROVER')).toEqual({ ok: false, why: 'This request is already succeeded.' });
    expect(mayCancel(request(), 'UASKER').ok).toBe(true);
    expect(mayCancel(request(), 'UAPPROVER').ok).toBe(false);
    expect(mayCancel(request({ state: 'succeeded' }), 'UASKER').ok).toBe(false);
    expect((await mayResolveUnknown(config(), directory, request({ state: 'unknown' }), 'UAPPROVER')).ok).toBe(true);
    expect((await mayResolveUnknown(config(), directory, request({ state: 'failed' }), 'UAPPROVER')).ok).toBe(false);
    expect((await mayResolveUnknown(config(), directory, request({ state: 'unknown' }), 'USTRANGER')).ok).toBe(false);
  });
});
