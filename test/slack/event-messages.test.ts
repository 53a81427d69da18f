import { describe, expect, test } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import { auditMessage, filedDm, threadReply } from '../../src/slack/blocks/event-messages.js';
import { md } from '../../src/slack/blocks/text.js';
import { aRequest } from '../support/fixtures.js';

const record = (changes: Partial<AuditRecord> = {}): AuditRecord => ({
  id: 'r1',
  seq: 1,
  requestId: 'AR-ABC123',
  at: '2026-01-01T00:00:00.000Z',
  actor: 'UAPPROVER',
  action: 'succeeded',
  provider: 'checkcentral',
  target: 'jill@example.com',
  dryRun: true,
  prevHash: '0',
  hash: '1',
  ...changes,
});

describe('dry-run reply', () => {
  test('a ``` in the request cannot close the fence, and what follows it stays text', () => {
    const wireRequest = 'POST https://api.example/createUser/\n\n{"name":"Eve```<!channel> & <@U0123ABCD>"}';
    const request = aRequest({ dryRun: true, state: 'succeeded', outcome: { kind: 'dry_run', message: 'Dry run (on): nothing was sent.' }, wireRequest });
    const text = threadReply({ request, audit: record() }, 'CheckCentral')!.text;
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text.endsWith('```')).toBe(true);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U0123ABCD&gt;');
    expect(text).not.toMatch(/<!channel>|<@U0123ABCD>/);
  });

  test('a long request is cut inside the fence, which still closes', () => {
    const request = aRequest({ dryRun: true, state: 'succeeded', outcome: { kind: 'dry_run', message: 'Dry run.' }, wireRequest: `POST x\n\n${'<&>'.repeat(3_000)}` });
    const text = threadReply({ request, audit: record() }, 'CheckCentral')!.text;
    expect(text.length).toBeLessThanOrEqual(3_900);
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text).toMatch(/…```$/);
    expect(text).not.toMatch(/&[a-z]*…/);
  });
});

describe('audit-channel line', () => {
  test('an actor that is not a Slack id is text, not a mention, even when it starts like one', () => {
    const text = auditMessage(record({ actor: 'U1><!here' }), 'CheckCentral', undefined).text;
    expect(text).toContain('by U1&gt;&lt;!here ·');
    expect(text).not.toContain('<!here');
  });
});

describe('thread replies, one per event that says something new', () => {
  const reply = (changes: Partial<AuditRecord>, request: Parameters<typeof aRequest>[0] = {}, remaining?: number) =>
    threadReply({ request: aRequest(request), audit: record({ dryRun: false, ...changes }), remaining }, 'DigiCert')?.text;

  test('requested and provisioning add nothing to what the parent shows', () => {
    expect(reply({ action: 'requested' })).toBeUndefined();
    expect(reply({ action: 'provisioning' })).toBeUndefined();
  });

  test('approved: how many are still needed, then what happens next', () => {
    expect(reply({ action: 'approved' }, {}, 1)).toBe(':ballot_box_with_check: <@UAPPROVER> approved. 1 more approval needed.');
    expect(reply({ action: 'approved' }, {}, 2)).toBe(':ballot_box_with_check: <@UAPPROVER> approved. 2 more approvals needed.');
    expect(reply({ action: 'approved' })).toBe(':white_check_mark: <@UAPPROVER> approved. Creating the account in DigiCert…');
    expect(reply({ action: 'approved' }, { dryRun: true })).toBe(':white_check_mark: <@UAPPROVER> approved. Dry run: preparing the request without sending it.');
    expect(reply({ action: 'approved', reason: 'Approved by the policy rule "<!here>"' })).toBe(':robot_face: Approved by the policy rule "&lt;!here&gt;": nobody had to approve it. Creating the account in DigiCert…');
    expect(reply({ action: 'approved', reason: 'By rule' }, { dryRun: true })).toBe(':robot_face: By rule: nobody had to approve it. Dry run: preparing the request without sending it.');
  });

  test('retried, failed, unknown, rejected, cancelled, expired', () => {
    expect(reply({ action: 'retried' })).toBe(':repeat: <@UAPPROVER> chose *Retry*: sending the create request to DigiCert again.');
    expect(reply({ action: 'failed', error: 'Username <@U1> taken' })).toBe(':x: DigiCert did not create the account: >Username &lt;@U1&gt; taken');
    expect(reply({ action: 'failed' })).toBe(':x: DigiCert did not create the account: >no reason given');
    expect(reply({ action: 'unknown', error: 'timed out' })).toMatch(/^:warning: \*Outcome unknown\.\* timed out\nThe request may have reached DigiCert, so the account may exist\. An approver should check DigiCert, then choose \*Mark as done\*/);
    expect(reply({ action: 'unknown' })).toMatch(/^:warning: \*Outcome unknown\.\* \nThe request/);
    expect(reply({ action: 'rejected', reason: 'not now' })).toBe(':no_entry: <@UAPPROVER> rejected the request.\n>not now');
    expect(reply({ action: 'rejected' })).toBe(':no_entry: <@UAPPROVER> rejected the request.');
    expect(reply({ action: 'cancelled', actor: 'UASKER' })).toBe(':leftwards_arrow_with_hook: <@UASKER> cancelled the request.');
    expect(reply({ action: 'expired', actor: 'adduser-bot' })).toBe(':hourglass: The request expired without enough approvals. Ask again with /adduser if it is still needed.');
  });

  test('succeeded: the account and its id, an invitation as an invitation, a dry run’s request, or who marked it done', () => {
    expect(reply({ action: 'succeeded' }, { state: 'succeeded', outcome: { kind: 'created', providerUserId: 'DC-7' } })).toBe(':tada: Account created in DigiCert: user id `DC-7` for *jill@example.com*.');
    expect(reply({ action: 'succeeded' }, { state: 'succeeded', outcome: { kind: 'created', providerUserId: '42', invited: true } })).toBe(
      ':email: DigiCert sent the invitation: invitation id `42` for *jill@example.com*. The account exists once they accept it.',
    );
    expect(reply({ action: 'succeeded' }, { state: 'succeeded', outcome: { kind: 'dry_run', message: 'Dry run.' }, wireRequest: 'POST /x' })).toBe(
      ':test_tube: Dry run. This is the exact request that would have been sent (secrets masked):\n```POST /x```',
    );
    expect(reply({ action: 'succeeded' }, { state: 'succeeded', outcome: { kind: 'dry_run', message: 'Dry run.' } })).toMatch(/masked\):\n```.*```$/);
    expect(reply({ action: 'succeeded', actor: 'UAPPROVER' }, { state: 'succeeded' })).toBe(':white_check_mark: <@UAPPROVER> marked the request as done after checking DigiCert.');
  });

  test('escalated: to the people named then, or a word that nobody is named', () => {
    expect(reply({ action: 'escalated', actor: 'UBOT' }, { escalatedTo: { users: ['UBOSS'], groups: ['SLEADS'] } })).toBe(
      ':arrow_double_up: Still waiting for approval: escalated to <@UBOSS>, <!subteam^SLEADS>, who may approve or reject it too.',
    );
    const nobody = ':arrow_double_up: Still waiting for approval, and the policy no longer names anyone to escalate to.';
    expect(reply({ action: 'escalated' }, { escalatedTo: { users: [], groups: [] } })).toBe(nobody);
    expect(reply({ action: 'escalated' })).toBe(nobody);
  });

  test('a late answer: the id it created, or the error it gave', () => {
    expect(reply({ action: 'late_answer', providerUserId: 'DC-9' })).toBe(
      ':information_source: A late answer from DigiCert to an earlier create call: it created user id `DC-9` for *jill@example.com*. Check DigiCert before anything else is sent.',
    );
    expect(reply({ action: 'late_answer', error: 'boom' })).toBe(':information_source: A late answer from DigiCert to an earlier create call: >boom');
    expect(reply({ action: 'late_answer' })).toBe(':information_source: A late answer from DigiCert to an earlier create call: >no reason given');
  });
});

describe('audit-channel lines', () => {
  test('every part in order, then the reason and the error on lines of their own', () => {
    const line = auditMessage(record({ action: 'failed', dryRun: false, providerUserId: 'DC-1', reason: 'why <!channel>', error: 'bad & worse' }), 'DigiCert', 'https://x.slack.com/p1');
    expect(line.text).toBe('`AR-ABC123` *failed* · by <@UAPPROVER> · DigiCert · jill@example.com · provider user id `DC-1` · <https://x.slack.com/p1|thread>\n>why &lt;!channel&gt;\nerror: bad &amp; worse');
  });

  test('a dry run says so; without a thread link there is none; long lines are clipped', () => {
    expect(auditMessage(record({ dryRun: true }), 'DigiCert', undefined).text).toBe('`AR-ABC123` *succeeded* · by <@UAPPROVER> · DigiCert · jill@example.com · dry run');
    expect(auditMessage(record({ dryRun: false, reason: 'x'.repeat(4_000) }), 'DigiCert', undefined).text.length).toBeLessThanOrEqual(3_000);
  });
});

describe('the requester\'s DM once a request is filed', () => {
  const subject = md`for a ${'CheckCentral'} account for *${'jill@example.com'}*`;

  test('where it waits: a link to the thread when Slack gave one, else the channel', () => {
    expect(filedDm('AR-ABC123', subject, { channel: 'C0REQ', permalink: 'https://x.slack.com/p1' }).text).toBe(
      'Your request `AR-ABC123` for a CheckCentral account for *jill@example.com* is waiting for approval <https://x.slack.com/p1|in <#C0REQ>>. You will hear here when it is decided.',
    );
    expect(filedDm('AR-ABC123', subject, { channel: 'C0REQ' }).text).toBe(
      'Your request `AR-ABC123` for a CheckCentral account for *jill@example.com* is waiting for approval in <#C0REQ>. You will hear here when it is decided.',
    );
  });

  test('a channel Slack refused: kept, Slack\'s words quoted as text, and how to mend it', () => {
    expect(filedDm('AB-XYZ', md`for ${'3 accounts for <!channel>'}`, { unpostedIn: 'C0REQ', reason: 'not_in_channel <!here>' }).text).toBe(
      'Your request `AB-XYZ` for 3 accounts for &lt;!channel&gt; is saved, but I could not post it in <#C0REQ> for approval (Slack said: not_in_channel &lt;!here&gt;). Ask an admin to invite me there with `/invite @adduser`, then ask again.',
    );
  });
});
