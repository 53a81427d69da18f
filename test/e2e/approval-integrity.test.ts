import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Batch } from '../../src/domain/batch/batch.js';
import { CHANNEL, type E2E, startE2E } from '../support/e2e.js';
import { functionExecutedPayload } from '../support/slack-requests.js';
import { tempFiles } from '../support/temp-files.js';
import { waitFor } from '../support/wait.js';

/**
 * SPEC §6, approval cannot be walked around: every way in (form, CSV, preset, workflow step)
 * asks the same policy about what the provider will receive, and approvers see every
 * privilege-bearing value before they approve.
 */
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const SECOND = 'UAPPROVER02';
const POLICY = `version: 1
defaults:
  requests_channel: ${CHANNEL}
  approvers: [${APPROVER}, ${SECOND}]
providers:
  okta:
    auto_approve:
      - name: staff in example.com
        fields: { groupIds: [00gstaff] }
        email_domain: [example.com]
  github:
    privileged:
      values: { role: [admin] }
presets:
  okta-staff:
    label: Okta staff account
    accounts:
      okta: { groupIds: [00gstaff] }
`;

const temp = tempFiles('adduser-approval-integrity-');

/** Okta's activation link goes to `email`, whatever the login says. */
const okta = (email: string, login: string) => ({ firstName: 'Alice', lastName: 'New', email, login, groupIds: ['00gstaff'], reason: 'Starts on Monday' });

describe('an email rule judges every address the provider receives, on every way in', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ ADDUSER_POLICY_FILE: temp.write('policy.yml', POLICY), ADDUSER_REQUESTS_CHANNEL: '' });
  });
  afterAll(async () => e2e.close());

  /** Whether the rule approved it: a dry run (Okta is not configured) finishes by itself, a request for people waits. */
  const settledAs = async (id: string) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    return (await e2e.request(id))?.state;
  };

  test('the form: a login at example.com does not carry a mail address elsewhere; both at example.com are approved by the rule', async () => {
    let before = e2e.slack.calls.length;
    await e2e.submit(REQUESTER, await e2e.openModal(REQUESTER, 'okta'), okta('mallory@evil.example', 'alice.new@example.com'));
    expect(await settledAs(await e2e.postedRequestId(before))).toBe('pending');
    before = e2e.slack.calls.length;
    await e2e.submit(REQUESTER, await e2e.openModal(REQUESTER, 'okta'), okta('alice@example.com', 'alice.new@example.com'));
    expect(await settledAs(await e2e.postedRequestId(before))).toBe('succeeded');
    // Never by suffix: evil-example.com is not example.com.
    before = e2e.slack.calls.length;
    await e2e.submit(REQUESTER, await e2e.openModal(REQUESTER, 'okta'), okta('alice@evil-example.com', 'alice.two@example.com'));
    expect(await settledAs(await e2e.postedRequestId(before))).toBe('pending');
  });

  test('a CSV: one row whose email is elsewhere keeps the whole batch for people', async () => {
    const view = await e2e.openModal(REQUESTER, 'csv okta');
    const file = e2e.slack.addFile({
      user: REQUESTER,
      name: 'people.csv',
      content: ['firstName,lastName,email,login,groupIds', 'Ann,One,ann@example.com,ann@example.com,00gstaff', 'Mal,Lory,mallory@evil.example,mal@example.com,00gstaff'].join('\n'),
    });
    expect((await e2e.submitCsv(REQUESTER, view, file, 'two new starters')).body).toBe('');
    const batch = await waitFor(async () => {
      const [last] = await e2e.store.range<string>('requests:all', -1, -1);
      const member = last === undefined ? undefined : await e2e.request(last);
      return member?.batch && (await e2e.store.get<Batch>(`batch:${member.batch.id}`));
    }, { what: 'the batch' });
    for (const id of batch.members) expect(await settledAs(id)).toBe('pending');
  });

  test('a preset: the person’s username is the login, their email the address mail goes to', async () => {
    const before = (await e2e.store.range<string>('requests:all', 0, -1)).length;
    const view = await e2e.openModal(REQUESTER, 'okta-staff');
    expect((await e2e.submit(REQUESTER, view, { 'person:email': 'mallory@evil.example', 'person:first_name': 'Alice', 'person:last_name': 'New', 'person:username': 'alice.preset@example.com', reason: 'Starts on Monday' })).body).toBe('');
    const [id] = await waitFor(async () => {
      const all = await e2e.store.range<string>('requests:all', 0, -1);
      return all.length > before ? all.slice(before) : undefined;
    }, { what: 'the preset’s request' });
    expect(await settledAs(id!)).toBe('pending');
  });

  test('a workflow step: the email input is judged, not the username', async () => {
    const execution = e2e.slack.startExecution();
    e2e.slack.addUser(REQUESTER);
    const before = e2e.slack.calls.length;
    const inputs = { provider: 'okta', user_context: { id: REQUESTER, secret: 'x' }, reason: 'Starts on Monday', email: 'mallory@evil.example', first_name: 'Alice', last_name: 'New', username: 'alice.step@example.com', fields: '{"groupIds":["00gstaff"]}' };
    const res = await e2e.send(JSON.stringify(functionExecutedPayload(execution, inputs)), { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await settledAs(await e2e.postedRequestId(before))).toBe('pending');
  });
});

describe('approvers see what they grant', () => {
  const rows = (admin: string) => ['email,role', ...Array.from({ length: 47 }, (_, n) => `member${n + 1}@example.com,direct_member`), `${admin},admin`].join('\n');

  test('a GitHub CSV of 47 members and one admin on row 49: the message counts each role and names the admin; every account is in the thread before Approve; the admin needs the privileged approvals', async () => {
    const e2e = await startE2E({ ADDUSER_POLICY_FILE: temp.write('policy.yml', POLICY), ADDUSER_REQUESTS_CHANNEL: '' });
    try {
      const view = await e2e.openModal(REQUESTER, 'csv github');
      const before = e2e.slack.calls.length;
      expect((await e2e.submitCsv(REQUESTER, view, e2e.slack.addFile({ user: REQUESTER, name: 'org.csv', content: rows('sneaky@example.com') }), 'Engineering onboarding')).body).toBe('');
      const posted = await waitFor(() => e2e.slack.calls.slice(before).find((call) => call.method === 'chat.postMessage' && call.args.channel === CHANNEL && String(call.args.text).includes('AB-')), { what: 'the batch message' });
      const batchId = /AB-[0-9A-Z]+/.exec(String(posted.args.text))![0];
      const message = JSON.stringify(posted.args.blocks);
      expect(message).toContain('*Role*: :warning: *admin* ×1, direct_member ×47');
      expect(message).toContain(':warning: row 49 · *sneaky@example.com* · Role *admin*');
      expect(message).not.toContain('request_approve');
      // Approve before the file is in the thread is refused: nobody has seen the 48 accounts yet.
      await e2e.waitForAccountsListed(batchId);
      const file = e2e.slack.uploads.find((upload) => upload.filename === `${batchId}-accounts.csv`)!;
      expect(file.content.split('\r\n')).toContain('49,GitHub,sneaky@example.com,sneaky@example.com,Owner (admin)');
      const thread = (await e2e.store.get<{ ts: string }>(`slack:thread:${batchId}`))!;
      expect(file.threadTs).toBe(thread.ts);
      const withButtons = await waitFor(() => e2e.slack.callsTo('chat.update').find((call) => call.args.ts === thread.ts && JSON.stringify(call.args.blocks).includes('request_approve')), { what: 'the buttons' });
      expect(withButtons.at).toBeGreaterThanOrEqual(e2e.slack.calls.find((call) => call.method.startsWith('files.') && JSON.stringify(call.args).includes(`${batchId}-accounts.csv`))!.at);

      const batch = (await e2e.store.get<Batch>(`batch:${batchId}`))!;
      await e2e.click(APPROVER, 'request_approve', batchId);
      for (const id of batch.members.slice(0, 47)) await e2e.waitForState(id, 'succeeded');
      const admin = batch.members[47]!;
      expect((await e2e.request(admin))?.state).toBe('pending');
      await e2e.click(SECOND, 'request_approve', batchId);
      await e2e.waitForState(admin, 'succeeded');
    } finally {
      await e2e.close();
    }
  });

  test('an Approve clicked before the accounts file is in the thread is refused privately, and nothing moves', async () => {
    const e2e = await startE2E({ ADDUSER_POLICY_FILE: temp.write('policy.yml', POLICY), ADDUSER_REQUESTS_CHANNEL: '' }, {
      // Slack is slow to take the file: the click lands first.
      beforeStart: (slack) => slack.fail('files.getUploadURLExternal', { kind: 'error', status: 503 }, 2),
    });
    try {
      const view = await e2e.openModal(REQUESTER, 'csv github');
      expect((await e2e.submitCsv(REQUESTER, view, e2e.slack.addFile({ user: REQUESTER, name: 'org.csv', content: rows('boss@example.com') }), 'Engineering onboarding')).body).toBe('');
      const posted = await waitFor(() => e2e.slack.calls.find((call) => call.method === 'chat.postMessage' && call.args.channel === CHANNEL && String(call.args.text).includes('AB-')), { what: 'the batch message' });
      const batchId = /AB-[0-9A-Z]+/.exec(String(posted.args.text))![0];
      await waitFor(async () => e2e.store.get(`slack:thread:${batchId}`), { what: 'the thread' });
      await e2e.click(APPROVER, 'request_approve', batchId);
      await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === APPROVER && String(call.args.text).includes('approve once you have read it')), { what: 'the refusal' });
      const batch = (await e2e.store.get<Batch>(`batch:${batchId}`))!;
      for (const id of batch.members) expect((await e2e.request(id))?.state).toBe('pending');
      await e2e.waitForAccountsListed(batchId, 20_000);
    } finally {
      await e2e.close();
    }
  });

  test('in_bulk: refuse — the CSV is refused at the admin’s row, nothing stored', async () => {
    const e2e = await startE2E({ ADDUSER_POLICY_FILE: temp.write('policy.yml', POLICY.replace('      values: { role: [admin] }', '      values: { role: [admin] }\n      in_bulk: refuse')), ADDUSER_REQUESTS_CHANNEL: '' });
    try {
      const stored = await e2e.store.length('requests:all');
      const res = await e2e.submitCsv(REQUESTER, await e2e.openModal(REQUESTER, 'csv github'), e2e.slack.addFile({ user: REQUESTER, name: 'org.csv', content: rows('sneaky@example.com') }), 'Engineering onboarding');
      expect(JSON.parse(res.body)).toMatchObject({ response_action: 'errors', errors: { csv_file: expect.stringContaining('Row 49: Role: admin is privileged for GitHub: ask for this account on its own with /adduser github') } });
      expect(await e2e.store.length('requests:all')).toBe(stored);
    } finally {
      await e2e.close();
    }
  });
});

test('accounts waiting per person: batches add up to ADDUSER_MAX_PENDING_ACCOUNTS, then the form says so', async () => {
  const e2e = await startE2E({ ADDUSER_MAX_PENDING_ACCOUNTS: '5', ADDUSER_APPROVERS: APPROVER });
  try {
    const csv = (first: number, count: number) => ['email,role', ...Array.from({ length: count }, (_, n) => `person${first + n}@example.com,direct_member`)].join('\n');
    const submit = async (first: number, count: number) => e2e.submitCsv(REQUESTER, await e2e.openModal(REQUESTER, 'csv github'), e2e.slack.addFile({ user: REQUESTER, name: 'people.csv', content: csv(first, count) }), 'new starters');
    expect((await submit(1, 4)).body).toBe('');
    const stored = await e2e.store.length('requests:all');
    const refused = await submit(10, 2);
    expect(JSON.parse(refused.body)).toMatchObject({ response_action: 'errors', errors: { csv_file: expect.stringContaining('You already have 4 accounts waiting for approval; 2 more would pass 5') } });
    expect(await e2e.store.length('requests:all')).toBe(stored);
    expect((await submit(20, 1)).body).toBe('');
  } finally {
    await e2e.close();
  }
});
