import type { types } from '@slack/bolt';
import { describe, expect, test } from 'vitest';
import { providers } from '../../src/adapters/providers/registry.js';
import type { FieldSpec } from '../../src/adapters/providers/types.js';
import type { Batch } from '../../src/domain/batch/batch.js';
import type { AccessRequest } from '../../src/domain/requests/request.js';
import { homeView } from '../../src/slack/blocks/home.js';
import { fieldAction, fieldOfAction } from '../../src/slack/blocks/ids.js';
import { fieldBlock, optionsFrom, rejectModal, requestModal, revealModal } from '../../src/slack/blocks/modal.js';
import { auditResultsText, helpText, statusText, unknownCommandText } from '../../src/slack/blocks/replies.js';
import { formValues, selectedProvider } from '../../src/slack/forms/state.js';
import { blocksProblems, viewProblems } from '../support/block-kit.js';
import { aRequest } from '../support/fixtures.js';

/** The Block Kit builders the e2e suites drive through Slack, pinned here one rule at a time. */
const digicert = providers.find((provider) => provider.id === 'digicert')!;
const smscentral = providers.find((provider) => provider.id === 'smscentral')!;
const field = (changes: Partial<FieldSpec>): FieldSpec => ({ id: 'f', label: 'F', kind: 'text', optional: false, ...changes });
/** A request as a line of its own (not in a batch). */
const single = (request: AccessRequest) => ({ kind: 'request' as const, request });
/** A batch of `members` (their ids are its members). */
const aBatch = (id: string, changes: Partial<Batch> = {}): Batch => ({ id, kind: 'csv', requester: 'UASKER', reason: 'New office <!here>', channel: 'C1', members: [], createdAt: '2026-01-01T00:00:00.000Z', ...changes });
const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `v${i}`, label: `Choice ${i}` }));

describe('the request modal', () => {
  test('without a provider: the selector, a hint, “Next”, and the channel in the metadata', () => {
    const view = requestModal({ providers, dryRun: () => undefined, metadata: { channel: 'C1' } });
    expect(viewProblems(view)).toEqual([]);
    expect(view).toMatchObject({ callback_id: 'adduser_request', submit: { text: 'Next' }, close: { text: 'Cancel' }, title: { text: 'Request an account' } });
    expect(JSON.parse(view.private_metadata!)).toEqual({ channel: 'C1' });
    const [selector, hint] = view.blocks as [types.InputBlock, types.ContextBlock];
    expect(selector).toMatchObject({ block_id: 'provider', dispatch_action: true, element: { type: 'static_select', action_id: 'provider_select' } });
    const groups = (selector.element as types.StaticSelect).option_groups!;
    expect(groups.map((group) => group.label.text)).toEqual(['One account', 'Many accounts (upload a CSV)']);
    expect(groups[0]!.options.map((option) => option.value)).toEqual(providers.map((provider) => provider.id));
    expect(groups[1]!.options.map((option) => option.value)).toEqual(providers.map((provider) => `csv:${provider.id}`));
    expect((selector.element as types.StaticSelect).initial_option).toBeUndefined();
    expect(JSON.stringify(hint)).toContain('Choose a provider to see the fields it needs.');
    expect(view.blocks).toHaveLength(2);
  });

  test('with a provider: it is preselected, its fields then the reason follow, and “Submit request”', () => {
    const view = requestModal({ providers, provider: digicert, dryRun: () => undefined, metadata: { channel: 'C1' } });
    expect(viewProblems(view)).toEqual([]);
    expect(view.submit).toMatchObject({ text: 'Submit request' });
    expect(JSON.parse(view.private_metadata!)).toEqual({ channel: 'C1', provider: 'digicert' });
    const ids = view.blocks.map((block) => block.block_id);
    expect(ids).toEqual(['provider', ...digicert.fields.map((one) => one.id), 'reason']);
    expect((view.blocks[0] as types.InputBlock).element).toMatchObject({ initial_option: { value: 'digicert' } });
    expect(view.blocks.at(-1)).toMatchObject({ element: { type: 'plain_text_input', action_id: 'field:reason', multiline: true, max_length: 2_000 } });
  });

  test('a dry run is said first, as text that cannot ping', () => {
    const view = requestModal({ providers, provider: digicert, dryRun: () => '<!channel> not configured', metadata: { channel: 'C1' } });
    expect(view.blocks[0]).toMatchObject({ type: 'context' });
    const text = JSON.stringify(view.blocks[0]);
    expect(text).toContain(':test_tube: *Dry run:* &lt;!channel&gt; not configured');
    expect(view.blocks[1]!.block_id).toBe('provider');
  });

  test('a provider with more than 99 fields is cut at Slack’s 100 blocks', () => {
    const many = { ...digicert, fields: Array.from({ length: 120 }, (_, i) => field({ id: `f${i}` })) };
    expect(requestModal({ providers, provider: many, dryRun: () => undefined, metadata: { channel: 'C1' } }).blocks).toHaveLength(100);
  });
});

describe('field blocks', () => {
  test('text: max length capped at 3000, initial value, placeholder, hint; multiline only for multiline', () => {
    const block = fieldBlock(field({ maxLength: 5_000, initial: 'hello', placeholder: 'type here', hint: 'a hint', optional: true }));
    expect(block).toEqual({
      type: 'input',
      block_id: 'f',
      label: { type: 'plain_text', emoji: true, text: 'F' },
      optional: true,
      hint: { type: 'plain_text', emoji: true, text: 'a hint' },
      element: { type: 'plain_text_input', action_id: 'field:f', multiline: false, max_length: 3_000, initial_value: 'hello', placeholder: { type: 'plain_text', emoji: true, text: 'type here' } },
    });
    expect(fieldBlock(field({ kind: 'multiline', maxLength: 200 })).element).toEqual({ type: 'plain_text_input', action_id: 'field:f', multiline: true, max_length: 200 });
    expect(fieldBlock(field({})).hint).toBeUndefined();
  });

  test('a password says where it is shown', () => {
    expect(fieldBlock(field({ kind: 'password', hint: 'Leave empty.' })).hint).toEqual({ type: 'plain_text', emoji: true, text: 'Leave empty. Visible while you type; never shown to approvers.' });
    expect(fieldBlock(field({ kind: 'password' })).hint).toEqual({ type: 'plain_text', emoji: true, text: 'Visible while you type; never shown to approvers.' });
  });

  test('selects: static with at most 100 options and the initial one, external for lookups', () => {
    const select = fieldBlock(field({ kind: 'select', options: choices(120), initial: 'v3', placeholder: 'pick' })).element as types.StaticSelect;
    expect(select.type).toBe('static_select');
    expect(select.options).toHaveLength(100);
    expect(select.initial_option).toEqual({ text: { type: 'plain_text', emoji: true, text: 'Choice 3' }, value: 'v3' });
    expect(select.placeholder).toEqual({ type: 'plain_text', emoji: true, text: 'pick' });
    expect((fieldBlock(field({ kind: 'select', options: choices(2) })).element as types.StaticSelect).initial_option).toBeUndefined();
    expect(fieldBlock(field({ kind: 'select', lookup: 'groups', placeholder: 'search' })).element).toEqual({ type: 'external_select', action_id: 'field:f', min_query_length: 0, placeholder: { type: 'plain_text', emoji: true, text: 'search' } });
    expect(fieldBlock(field({ kind: 'multi_select', lookup: 'groups' })).element).toEqual({ type: 'multi_external_select', action_id: 'field:f', min_query_length: 0 });
    const multi = fieldBlock(field({ kind: 'multi_select', options: choices(120), initial: ['v1', 'v2'] })).element as types.MultiStaticSelect;
    expect(multi.options).toHaveLength(100);
    expect(multi.initial_options!.map((option) => option.value)).toEqual(['v1', 'v2']);
    expect((fieldBlock(field({ kind: 'multi_select', options: choices(2) })).element as types.MultiStaticSelect).initial_options).toBeUndefined();
  });

  test('checkboxes keep Slack’s 10 options; numbers take whole numbers only', () => {
    const boxes = fieldBlock(field({ kind: 'checkboxes', options: choices(12), initial: ['v0'] })).element as types.Checkboxes;
    expect(boxes.options).toHaveLength(10);
    expect(boxes.initial_options!.map((option) => option.value)).toEqual(['v0']);
    expect((fieldBlock(field({ kind: 'checkboxes', options: choices(2) })).element as types.Checkboxes).initial_options).toBeUndefined();
    expect(fieldBlock(field({ kind: 'number', initial: '3', placeholder: 'n' })).element).toEqual({ type: 'number_input', action_id: 'field:f', is_decimal_allowed: false, initial_value: '3', placeholder: { type: 'plain_text', emoji: true, text: 'n' } });
    expect(fieldBlock(field({ kind: 'number', initial: ['3'] })).element).toEqual({ type: 'number_input', action_id: 'field:f', is_decimal_allowed: false });
  });

  test('option texts and values are clipped to Slack’s 75 characters', () => {
    const [option] = optionsFrom([{ value: 'v'.repeat(80), label: 'l'.repeat(80) }]);
    expect(option!.value).toHaveLength(75);
    expect((option!.text as types.PlainTextElement).text.length).toBeLessThanOrEqual(75);
    expect(optionsFrom(choices(150))).toHaveLength(100);
  });

  test('every seed provider’s form is valid Block Kit', () => {
    for (const provider of providers) {
      expect(viewProblems(requestModal({ providers, provider, dryRun: () => 'x', metadata: { channel: 'C1' } }))).toEqual([]);
    }
  });
});

describe('the reveal and reject modals', () => {
  test('the reveal shows each secret in code, once', () => {
    const view = revealModal('AR-1', { ok: true, secrets: [{ label: 'Password', value: 'a`b<c' }] });
    expect(viewProblems(view)).toEqual([]);
    expect(view).toMatchObject({ callback_id: 'adduser_reveal', title: { text: 'Your new password' }, close: { text: 'Done' } });
    expect(view.submit).toBeUndefined();
    expect(view.blocks).toHaveLength(2);
    expect(JSON.stringify(view.blocks[1])).toContain('*Password:* ');
    expect(JSON.stringify(view.blocks[1])).toContain('&lt;c');
  });

  test('a secret that cannot be shown says why and what to do', () => {
    const view = revealModal('AR-1', { ok: false, why: 'cannot decrypt.' });
    expect(view.blocks).toHaveLength(1);
    expect(JSON.stringify(view.blocks[0])).toContain('cannot be shown: cannot decrypt. Set a new password for the account with the provider.');
  });

  test('reject asks for a reason and carries the request id', () => {
    const view = rejectModal('AR-1', '<!here>');
    expect(viewProblems(view)).toEqual([]);
    expect(view).toMatchObject({ callback_id: 'adduser_reject', private_metadata: 'AR-1', submit: { text: 'Reject' }, close: { text: 'Back' } });
    expect(JSON.stringify(view.blocks[0])).toContain('*&lt;!here&gt;*');
    expect(view.blocks[1]).toMatchObject({ block_id: 'reject_reason', element: { action_id: 'field:reject_reason', multiline: true, max_length: 2_000 } });
  });
});

describe('view state', () => {
  test('text, selects and multi-selects become form values by field id; other actions are ignored', () => {
    const values = {
      provider: { provider_select: { selected_option: { value: 'smscentral' } } },
      USERNAME: { 'field:USERNAME': { value: 'jsmith' } },
      ACCOUNTS: { 'field:ACCOUNTS': { selected_options: [{ value: '1' }, { value: '2' }] } },
      USERLEVEL: { 'field:USERLEVEL': { selected_option: { value: '3' } } },
      EMPTY: { 'field:EMPTY': { value: null } },
      NOOPTION: { 'field:NOOPTION': { selected_option: null } },
    };
    expect(formValues(values)).toEqual({ USERNAME: 'jsmith', ACCOUNTS: ['1', '2'], USERLEVEL: '3', EMPTY: undefined, NOOPTION: undefined });
    expect(selectedProvider(values)).toBe('smscentral');
    expect(selectedProvider(undefined)).toBeUndefined();
    expect(selectedProvider({ provider: { provider_select: { selected_option: null } } })).toBeUndefined();
  });

  test('field action ids round-trip; others are not fields', () => {
    expect(fieldOfAction(fieldAction('PASSWORD'))).toBe('PASSWORD');
    expect(fieldOfAction('provider_select')).toBeUndefined();
    expect(fieldOfAction('xfield:a')).toBeUndefined();
  });
});

describe('the App Home', () => {
  const labelOf = (id: string) => (id === 'digicert' ? 'DigiCert' : id);

  test('nothing yet: a header, the heading and how to start', () => {
    const view = homeView({ toDecide: [], own: [], links: new Map(), labelOf });
    expect(blocksProblems(view.blocks, 'home')).toEqual([]);
    expect(view.blocks).toHaveLength(3);
    expect(JSON.stringify(view.blocks)).toContain('None yet.');
    expect(JSON.stringify(view.blocks)).not.toContain('Waiting for your approval');
  });

  test('requests to decide get Approve and Reject; own pending ones Cancel; links where known', () => {
    const toDecide = [aRequest({ id: 'AR-D1', reason: '<!channel> please' })];
    const own = [aRequest({ id: 'AR-O1', requester: 'UME' }), aRequest({ id: 'AR-O2', requester: 'UME', state: 'succeeded' })];
    const view = homeView({ toDecide: toDecide.map(single), own: own.map(single), links: new Map([['AR-D1', 'https://example.slack.com/archives/C1/p1']]), labelOf });
    expect(blocksProblems(view.blocks, 'home')).toEqual([]);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('*Waiting for your approval* (1)');
    expect(text).toContain('<https://example.slack.com/archives/C1/p1|AR-D1> · *DigiCert* for *jill@example.com*');
    expect(text).toContain('&lt;!channel&gt; please');
    expect(text).toContain('`AR-O1`');
    expect(view.blocks.find((block) => block.block_id === 'home:AR-D1')).toMatchObject({ elements: [{ action_id: 'request_approve', value: 'AR-D1', style: 'primary' }, { action_id: 'request_reject', value: 'AR-D1', style: 'danger' }] });
    const accessories = view.blocks.flatMap((block) => { const accessory = (block as types.SectionBlock).accessory; return accessory ? [accessory] : []; });
    expect(accessories).toEqual([expect.objectContaining({ action_id: 'request_cancel', value: 'AR-O1' })]);
    expect(text).not.toContain('None yet.');
  });

  test('at most 20 of each, within 100 blocks', () => {
    const many = Array.from({ length: 30 }, (_, i) => aRequest({ id: `AR-${i}` }));
    const view = homeView({ toDecide: many.map(single), own: many.map(single), links: new Map(), labelOf });
    expect(blocksProblems(view.blocks, 'home')).toEqual([]);
    expect(view.blocks.filter((block) => block.type === 'actions')).toHaveLength(20);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(view.blocks)).toContain('(30)');
  });
  test('a batch waiting for this approver is one entry: title, requester, reason, counts, their providers; buttons carry the batch id', () => {
    const members = [0, 1, 2].map((i) => aRequest({ id: `AR-M${i}`, target: `u${i}@example.com`, batch: { id: 'AB-1', index: i } }));
    const batch = aBatch('AB-1', { members: members.map((one) => one.id) });
    const view = homeView({
      toDecide: [{ kind: 'batch', batch, members, providers: ['digicert'] }, single(aRequest({ id: 'AR-D1' }))],
      own: [],
      links: new Map([['AB-1', 'https://example.slack.com/archives/C1/p9']]),
      labelOf,
    });
    expect(blocksProblems(view.blocks, 'home')).toEqual([]);
    expect(view.blocks.map((block) => block.block_id ?? block.type)).toEqual(['header', 'section', 'section', 'home:AB-1', 'section', 'home:AR-D1', 'divider', 'section', 'context']);
    expect(JSON.stringify(view.blocks[1])).toContain('*Waiting for your approval* (2)');
    expect((view.blocks[2] as types.SectionBlock).text!.text).toBe(
      '<https://example.slack.com/archives/C1/p9|AB-1> · *3 new DigiCert accounts* · 3 waiting for approval\nAsked by <@UASKER>: _New office &lt;!here&gt;_\nYou approve: DigiCert',
    );
    expect(view.blocks[3]).toMatchObject({ elements: [{ action_id: 'request_approve', value: 'AB-1', style: 'primary' }, { action_id: 'request_reject', value: 'AB-1', style: 'danger' }] });
    expect(JSON.stringify(view.blocks)).not.toContain('AR-M');
  });

  test('an own batch is one line with its counts, and Cancel (the batch id) while any member is pending', () => {
    const preset = aBatch('AB-P', { kind: 'preset', preset: 'engineer', person: 'Jill Valentine' });
    const pendingOne = [aRequest({ id: 'AR-1', state: 'succeeded' }), aRequest({ id: 'AR-2', provider: 'checkcentral' })];
    const settled = [aRequest({ id: 'AR-3', state: 'succeeded' }), aRequest({ id: 'AR-4', state: 'failed' })];
    const view = homeView({
      toDecide: [],
      own: [{ kind: 'batch', batch: preset, members: pendingOne }, { kind: 'batch', batch: aBatch('AB-C'), members: settled }],
      links: new Map(),
      labelOf,
    });
    expect(blocksProblems(view.blocks, 'home')).toEqual([]);
    const [, , first, second] = view.blocks as types.SectionBlock[];
    expect(first!.text!.text).toBe('`AB-P` · *2 accounts for Jill Valentine*\n1 created · 1 waiting for approval');
    expect(first!.accessory).toMatchObject({ action_id: 'request_cancel', value: 'AB-P' });
    expect(second!.text!.text).toBe('`AB-C` · *2 new DigiCert accounts*\n1 created · 1 failed');
    expect(second!.accessory).toBeUndefined();
    expect(view.blocks).toHaveLength(4);
  });

  test('20 batches of 200 to decide and 20 own stay within 100 blocks', () => {
    const members = Array.from({ length: 200 }, (_, i) => aRequest({ id: `AR-${i}`, batch: { id: 'AB-1', index: i } }));
    const toDecide = Array.from({ length: 25 }, (_, i) => ({ kind: 'batch' as const, batch: aBatch(`AB-${i}`), members, providers: ['digicert'] }));
    const own = Array.from({ length: 25 }, (_, i) => ({ kind: 'batch' as const, batch: aBatch(`AB-O${i}`), members }));
    const view = homeView({ toDecide, own, links: new Map(), labelOf });
    expect(blocksProblems(view.blocks, 'home')).toEqual([]);
    expect(view.blocks).toHaveLength(1 + 1 + 40 + 1 + 1 + 20);
    expect(JSON.stringify(view.blocks)).toContain('(25)');
  });
});

describe('replies', () => {
  test('help names every provider and the audit usage', () => {
    const help = helpText(providers).text;
    for (const provider of providers) expect(help).toContain(`\`${provider.id}\``);
    expect(help).toContain('`/adduser audit &lt;email | @user | request or batch id&gt;`');
    expect(unknownCommandText(`<!here>${'x'.repeat(60)}`, providers).text).toMatch(/^I don't know `&lt;!here&gt;x{33}`\.\n\*\/adduser\*/);
  });

  test('status: none yet, or a line per request with its link or id and state', () => {
    expect(statusText([], new Map(), String).text).toBe('You have no requests yet. Type `/adduser` to make one.');
    const text = statusText([aRequest({ id: 'AR-1' }), aRequest({ id: 'AR-2', state: 'failed' })].map(single), new Map([['AR-2', 'https://x.slack.com/p2']]), () => 'DigiCert').text;
    expect(text.split('\n')).toEqual([
      '*Your recent requests*',
      '• `AR-1` DigiCert for *jill@example.com*: :hourglass_flowing_sand: Pending approval',
      '• <https://x.slack.com/p2|AR-2> DigiCert for *jill@example.com*: :x: Failed',
    ]);
  });

  test('status: a batch is one line with its title and “Pending approval” or its counts, linked to its thread', () => {
    const pending = [0, 1, 2].map((i) => aRequest({ id: `AR-M${i}`, batch: { id: 'AB-1', index: i } }));
    const mixed = [aRequest({ id: 'AR-P1', state: 'succeeded' }), aRequest({ id: 'AR-P2', state: 'unknown' }), aRequest({ id: 'AR-P3', state: 'provisioning' })];
    const text = statusText(
      [
        { kind: 'batch', batch: aBatch('AB-1'), members: pending },
        single(aRequest({ id: 'AR-9', state: 'succeeded' })),
        { kind: 'batch', batch: aBatch('AB-2', { kind: 'preset', preset: 'engineer', person: 'Jill <Valentine>' }), members: mixed },
      ],
      new Map([['AB-1', 'https://x.slack.com/p1']]),
      (id) => (id === 'digicert' ? 'DigiCert' : id),
    ).text;
    expect(text.split('\n')).toEqual([
      '*Your recent requests*',
      '• <https://x.slack.com/p1|AB-1> *3 new DigiCert accounts*: Pending approval',
      '• `AR-9` DigiCert for *jill@example.com*: :tada: Account created',
      '• `AB-2` *3 accounts for Jill &lt;Valentine&gt;*: 1 created · 1 unknown · 1 in progress',
    ]);
  });

  test('audit results: count, the last 30, extras only where present, escaped', () => {
    const record = (seq: number, extra: object = {}) => ({ id: `id${seq}`, seq, at: `2026-01-01T00:00:0${seq % 10}Z`, prevHash: 'p', hash: 'h', requestId: 'AR-1', actor: 'UAPPROVER', action: 'approved' as const, provider: 'digicert', target: 'jill@example.com', dryRun: false, ...extra });
    expect(auditResultsText('<@U1>', []).text).toBe('No audit records match `&lt;@U1&gt;`.');
    const one = auditResultsText('AR-1', [record(1, { providerUserId: 'DC-1', error: 'e<', reason: 'r', dryRun: true })]).text;
    expect(one.split('\n')).toEqual(['*1 record for `AR-1`*', '• 2026-01-01T00:00:01Z `AR-1` *approved* by <@UAPPROVER> · digicert · jill@example.com · dry run · id DC-1 · error: e&lt; · reason: r']);
    const plain = auditResultsText('AR-1', [record(1), record(2)]).text;
    expect(plain.split('\n')[0]).toBe('*2 records for `AR-1`*');
    expect(plain.split('\n')[1]).toBe('• 2026-01-01T00:00:01Z `AR-1` *approved* by <@UAPPROVER> · digicert · jill@example.com');
    const many = auditResultsText('AR-1', Array.from({ length: 35 }, (_, i) => record(i + 1))).text;
    expect(many.split('\n')[0]).toBe('*Last 30 of 35 records for `AR-1`*');
    expect(many.split('\n')).toHaveLength(31);
    expect(many).toContain('`AR-1` *approved*');
  });

  test('SMS Central’s form is valid Block Kit too (a password field and a lookup)', () => {
    expect(viewProblems(requestModal({ providers, provider: smscentral, dryRun: () => undefined, metadata: { channel: 'C1' } }))).toEqual([]);
  });
});
