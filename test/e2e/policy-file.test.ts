import { describe, expect, test } from 'vitest';
import { CHANNEL, startE2E } from '../support/e2e.js';
import { tempFiles } from '../support/temp-files.js';
import { waitFor } from '../support/wait.js';

const REQUESTER = 'UREQUESTER1';
const POLICY = `version: 1
defaults:
  requests_channel: ${CHANNEL}
  approvers: [UAPPROVER01]
providers:
  checkcentral:
    auto_approve:
      - name: read-only for staff
        requester_in: [S0STAFF]
        fields:
          accessLevel: [readonly]
        email_domain: [example.com]
  smscentral:
    requesters: [U0SMSONLY]
  digicert:
    approvers: [UAPPROVER01, UAPPROVER02]
    required_approvals: 2
`;

const temp = tempFiles('adduser-policy-file-');
const policyFile = (text: string) => temp.write('policy.yml', text);

/** The policy file replaces the policy variables, so the e2e default requests channel moves into the file. */
const withPolicy = (path: string) => ({ ADDUSER_POLICY_FILE: path, ADDUSER_REQUESTS_CHANNEL: '' });

const checkcentral = (accessLevel: string, email: string) => ({ email, name: 'Rea Donly', accessLevel, userGroups: ['grp-ops'], notify_failures: ['sms'], reason: 'Needs to look at checks' });

describe('a policy file in force', () => {
  test('an auto-approval rule approves at submission as the bot, names the rule in the thread and the audit; a request outside it waits for people', async () => {
    const e2e = await startE2E(withPolicy(policyFile(POLICY)), {
      beforeStart: (slack) => slack.on('usergroups.users.list', (args) => ({ ok: true, users: args.usergroup === 'S0STAFF' ? [REQUESTER] : [] })),
    });
    try {
      const view = await e2e.openModal(REQUESTER, 'checkcentral');
      let before = e2e.slack.calls.length;
      expect((await e2e.submit(REQUESTER, view, checkcentral('readonly', 'rea.donly@example.com'))).body).toBe('');
      const auto = await e2e.postedRequestId(before);
      const done = await e2e.waitForState(auto, 'succeeded');
      expect(done.decision).toMatchObject({ by: 'UBOTUSER1', reason: 'Approved by the policy rule "read-only for staff"' });
      const approved = (await e2e.auditFor(auto)).find((record) => record.action === 'approved');
      expect(approved).toMatchObject({ actor: 'UBOTUSER1', reason: 'Approved by the policy rule "read-only for staff"', policy: expect.stringMatching(/^[0-9a-f]{12}$/) });
      await waitFor(() => e2e.slack.callsTo('chat.postMessage').some((call) => String(call.args.text).includes('Approved by the policy rule "read-only for staff": nobody had to approve it')), { what: 'the thread naming the rule' });

      before = e2e.slack.calls.length;
      await e2e.submit(REQUESTER, await e2e.openModal(REQUESTER, 'checkcentral'), checkcentral('user', 'rea.user@example.com'));
      const waiting = await e2e.postedRequestId(before);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await e2e.request(waiting))?.state).toBe('pending');
      before = e2e.slack.calls.length;
      await e2e.submit(REQUESTER, await e2e.openModal(REQUESTER, 'checkcentral'), checkcentral('readonly', 'rea.donly@elsewhere.org'));
      const otherDomain = await e2e.postedRequestId(before);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await e2e.request(otherDomain))?.state).toBe('pending');
    } finally {
      await e2e.close();
    }
  });

  test('who may ask: the provider is not offered, /adduser <provider> says why, and a forged submission is refused inline', async () => {
    const e2e = await startE2E(withPolicy(policyFile(POLICY)));
    try {
      const view = await e2e.openModal(REQUESTER);
      const offered = JSON.stringify(view.blocks);
      expect(offered).toContain('"value":"checkcentral"');
      expect(offered).not.toContain('"value":"smscentral"');

      const opened = e2e.slack.callsTo('views.open').length;
      await e2e.command(REQUESTER, 'smscentral');
      await waitFor(() => e2e.slack.calls.some((call) => call.method.startsWith('/respond/') && String(call.args.text).includes('not among the people who may ask for SMS Central accounts')), { what: 'the refusal' });
      expect(e2e.slack.callsTo('views.open')).toHaveLength(opened);

      const stored = await e2e.store.length('requests:all');
      const forged = await e2e.submit(REQUESTER, await e2e.chooseProvider('U0SMSONLY', await e2e.openModal('U0SMSONLY'), 'smscentral'), {
        USERNAME: 'forged1', PASSWORD: 'Str0ng!Passw0rd', FIRSTNAME: 'For', LASTNAME: 'Ged', MOBILENUMBER: '+61412345678', ACCOUNTS: ['12345'], USERLEVEL: '3', reason: 'forged submission',
      });
      expect(JSON.parse(forged.body)).toMatchObject({ response_action: 'errors', errors: { provider: expect.stringContaining('not among the people who may ask') } });
      expect(await e2e.store.length('requests:all')).toBe(stored);
    } finally {
      await e2e.close();
    }
  });

  test("a provider's own approvers and approval count: two of its approvers, the default approver cannot", async () => {
    const e2e = await startE2E({ ...withPolicy(policyFile(POLICY.replace('approvers: [UAPPROVER01, UAPPROVER02]', 'approvers: [UAPPROVER02, UAPPROVER03]'))), DIGICERT_API_KEY: '', DIGICERT_BASE_URL: '' });
    try {
      const view = await e2e.openModal(REQUESTER, 'digicert');
      const before = e2e.slack.calls.length;
      await e2e.submit(REQUESTER, view, { username: 'two.approvals', first_name: 'Two', last_name: 'Approvals', email: 'two@example.com', container: '93288', access_roles: ['5'], reason: 'Needs two approvals' });
      const id = await e2e.postedRequestId(before);
      // The click comes from the request message, so it needs the message's thread to be known.
      await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request message' });
      await e2e.click('UAPPROVER01', 'request_approve', id);
      await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => String(call.args.text).includes('Only approvers can approve')), { what: 'the refusal of the default approver' });
      await e2e.click('UAPPROVER02', 'request_approve', id);
      await waitFor(async () => (await e2e.store.length(`request:${id}:approvals`)) === 1, { what: 'the first approval' });
      expect((await e2e.request(id))?.state).toBe('pending');
      await e2e.click('UAPPROVER03', 'request_approve', id);
      await e2e.waitForState(id, 'succeeded');
      const records = await e2e.auditFor(id);
      expect(records.filter((record) => record.action === 'approved').map((record) => record.actor)).toEqual(['UAPPROVER02', 'UAPPROVER03']);
    } finally {
      await e2e.close();
    }
  });
});
