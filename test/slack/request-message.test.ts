import { describe, expect, test } from 'vitest';
import type { AccessRequest } from '../../src/domain/request.js';
import { aRequest } from '../support/fixtures.js';
import { requestMessage } from '../../src/slack/blocks/request-message.js';

const base = aRequest({ reason: 'New hire <script> & co' });

const render = (changes: Partial<AccessRequest>, approvedBy: string[] = []) =>
  requestMessage({ request: { ...base, ...changes }, providerLabel: 'DigiCert CertCentral', approvedBy, requiredApprovals: 2, approversText: '<@UAPPROVER>' });

const actionIds = (message: ReturnType<typeof requestMessage>) =>
  message.blocks.flatMap((block) => (block.type === 'actions' ? block.elements.map((e) => (e as { action_id: string }).action_id) : []));

describe('request message', () => {
  test('pending shows who asked, the details, the escaped reason, progress and the three buttons', () => {
    const message = render({}, ['UAPPROVER']);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('<@UASKER>');
    expect(text).toContain('jill@example.com');
    expect(text).toContain('&lt;script&gt; &amp; co');
    expect(text).toContain('needs 1 approval');
    expect(actionIds(message)).toEqual(['request_approve', 'request_reject', 'request_cancel']);
    expect(message.text).toContain('AR-ABC123');
  });

  test('decided states drop the buttons; unknown offers Retry and Mark as done', () => {
    for (const state of ['succeeded', 'failed', 'rejected', 'cancelled', 'expired', 'provisioning'] as const) {
      expect(actionIds(render({ state }))).toEqual([]);
    }
    expect(actionIds(render({ state: 'unknown' }))).toEqual(['request_retry', 'request_mark_done']);
  });

  test('a created account shows the provider user id', () => {
    const text = JSON.stringify(render({ state: 'succeeded', outcome: { kind: 'created', providerUserId: '1538858' } }).blocks);
    expect(text).toContain('Account created');
    expect(text).toContain('DigiCert CertCentral user id `1538858`');
  });

  test('an invitation is not called an account: it says the invitation was sent, with the invitation id', () => {
    const message = render({ state: 'succeeded', outcome: { kind: 'created', providerUserId: '42', invited: true } });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(':email: Invitation sent');
    expect(text).toContain('DigiCert CertCentral invitation id `42`');
    expect(text).not.toContain('Account created');
    expect(message.text).toContain(': Invitation sent');
  });

  test('the notification text is mrkdwn too: the target in it cannot ping', () => {
    const message = render({ target: '<!here>&co' });
    expect(message.text).toContain('for &lt;!here&gt;&amp;co:');
    expect(message.text).not.toContain('<!here>');
  });
});
