import { describe, expect, test } from 'vitest';
import type { types } from '@slack/bolt';
import type { AccessRequest } from '../../src/domain/requests/request.js';
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

describe('request message, block by block', () => {
  test('pending: header, requester and details in fields, reason, status with approvals so far and expiry, the three buttons', () => {
    const message = render({ details: [{ label: 'Email', value: 'jill@example.com' }, { label: 'Role', value: '' }] }, ['UAPPROVER']);
    const [header, details, reason, status, buttons] = message.blocks as [types.SectionBlock, types.SectionBlock, types.SectionBlock, types.ContextBlock, types.ActionsBlock];
    expect(header).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*New DigiCert CertCentral account* for *jill@example.com* · `AR-ABC123`' } });
    expect(details.fields!.map((field) => field.text)).toEqual(['*Requested by*\n<@UASKER>', '*Email*\njill@example.com', '*Role*\n—']);
    expect(reason).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Reason*\n>New hire &lt;script&gt; &amp; co' } });
    expect((status.elements[0] as types.MrkdwnElement).text).toBe(
      '*:hourglass_flowing_sand: Pending approval* · needs 1 approval from <@UAPPROVER> · approved so far by <@UAPPROVER> · expires <!date^1767484800^{date_short_pretty} {time}|2026-01-04T00:00:00.000Z>',
    );
    expect(buttons).toMatchObject({ type: 'actions', block_id: 'decide:AR-ABC123' });
    expect(buttons.elements.map((button) => [(button as types.Button).text.text, (button as types.Button).value, (button as types.Button).style])).toEqual([
      ['Approve', 'AR-ABC123', 'primary'],
      ['Reject', 'AR-ABC123', 'danger'],
      ['Cancel request', 'AR-ABC123', undefined],
    ]);
    expect(message.blocks).toHaveLength(5);
    expect(message.text).toBe('DigiCert CertCentral account request AR-ABC123 for jill@example.com: Pending approval');
  });

  test('no approvals yet: two needed, nobody named as approved so far', () => {
    const status = (render({}, []).blocks[3] as types.ContextBlock).elements[0] as types.MrkdwnElement;
    expect(status.text).toMatch(/^\*:hourglass_flowing_sand: Pending approval\* · needs 2 approvals from <@UAPPROVER> · expires /);
    expect(status.text).not.toContain('approved so far');
  });

  test('decided: who decided, in the words of the decision; no buttons', () => {
    const statusOf = (changes: Partial<AccessRequest>) => ((render(changes).blocks[3] as types.ContextBlock).elements[0] as types.MrkdwnElement).text;
    const decision = { by: 'UBOSS', at: '2026-01-02T00:00:00.000Z' };
    expect(statusOf({ state: 'rejected', decision })).toBe('*:no_entry: Rejected* · rejected by <@UBOSS>');
    expect(statusOf({ state: 'cancelled', decision })).toBe('*:leftwards_arrow_with_hook: Cancelled* · cancelled by <@UBOSS>');
    expect(statusOf({ state: 'failed', decision })).toBe('*:x: Failed* · decided by <@UBOSS>');
    expect(statusOf({ state: 'expired' })).toBe('*:hourglass: Expired*');
    expect(render({ state: 'failed', decision }).blocks).toHaveLength(4);
  });

  test('unknown: Retry the create and Mark as done, in their own block', () => {
    const buttons = render({ state: 'unknown' }).blocks.at(-1) as types.ActionsBlock;
    expect(buttons.block_id).toBe('resolve:AR-ABC123');
    expect(buttons.elements.map((button) => [(button as types.Button).text.text, (button as types.Button).style])).toEqual([
      ['Retry the create', 'danger'],
      ['Mark as done', 'primary'],
    ]);
  });

  test('a dry run says so in the header; more than nine details take more than one section', () => {
    const details = Array.from({ length: 12 }, (_, i) => ({ label: `L${i}`, value: `v${i}` }));
    const message = render({ dryRun: true, details });
    expect((message.blocks[0] as types.SectionBlock).text!.text).toBe('*New DigiCert CertCentral account* for *jill@example.com* · `AR-ABC123` · :test_tube: dry run');
    const sections = message.blocks.filter((block) => block.type === 'section' && (block as types.SectionBlock).fields) as types.SectionBlock[];
    expect(sections.map((section) => section.fields!.length)).toEqual([10, 3]);
  });

  test('the notification text drops only the leading emoji of the state', () => {
    expect(render({ state: 'succeeded', outcome: { kind: 'created', providerUserId: '1' } }).text).toBe('DigiCert CertCentral account request AR-ABC123 for jill@example.com: Account created');
  });
});
