import type { types } from '@slack/bolt';
import { describe, expect, test } from 'vitest';
import { providers } from '../../src/adapters/providers/registry.js';
import type { Preset } from '../../src/domain/policy/model.js';
import { presetOfValue, presetValue, requestModal } from '../../src/slack/blocks/modal.js';
import { presetModal } from '../../src/slack/blocks/preset-modal.js';
import { helpText, unknownCommandText } from '../../src/slack/blocks/replies.js';
import { stepRequest } from '../../src/slack/listeners/functions/inputs.js';
import { fieldsOfDetail, personForm, personName, personQuestions, presetAccounts, presetErrors, presetForms } from '../../src/slack/forms/preset-form.js';
import { viewProblems } from '../support/block-kit.js';

const byId = (id: string) => providers.find((provider) => provider.id === id)!;
const ENGINEER: Preset = {
  label: 'New engineer',
  accounts: {
    checkcentral: { accessLevel: 'user' },
    digicert: { container: '93288', access_roles: ['5'] },
    smscentral: { ACCOUNTS: ['12345'], USERLEVEL: '3' },
  },
};
const DESK: Preset = { label: 'Shared desk', accounts: { checkcentral: { accessLevel: 'readonly', name: 'Front Desk' }, github: { role: 'direct_member' } } };
const PRESETS = { engineer: ENGINEER, desk: DESK };
const JILL = { email: 'jill@example.com', first_name: 'Jill', last_name: 'Valentine', username: 'jill.v' };

const modal = (name: keyof typeof PRESETS, dryRun: (id: string) => string | undefined = () => undefined) =>
  presetModal({
    name,
    preset: PRESETS[name],
    allProviders: providers,
    providers,
    presets: PRESETS,
    dryRun: (provider) => dryRun(provider.id),
    metadata: { channel: 'CTYPED' },
  });

describe('person details → each provider’s fields', () => {
  test('fromPerson, asked one detail at a time, says where each detail goes', () => {
    expect(fieldsOfDetail(byId('checkcentral'), 'first_name')).toEqual(['name']);
    expect(fieldsOfDetail(byId('checkcentral'), 'username')).toEqual([]);
    expect(fieldsOfDetail(byId('smscentral'), 'email')).toEqual(['EMAILADDRESS']);
    expect(fieldsOfDetail(byId('okta'), 'username')).toEqual(['login']);
    expect(fieldsOfDetail(byId('github'), 'last_name')).toEqual([]);
  });

  test('a preset asks only the details its providers put in fields it does not fix; optional when every such field is', () => {
    expect(personQuestions(presetAccounts(ENGINEER, providers)).map(({ key, optional, providers: used }) => [key, optional, used.map((one) => one.id)])).toEqual([
      ['email', false, ['checkcentral', 'digicert', 'smscentral']],
      ['first_name', false, ['checkcentral', 'digicert', 'smscentral']],
      ['last_name', false, ['checkcentral', 'digicert', 'smscentral']],
      ['username', false, ['digicert', 'smscentral']],
    ]);
    // The desk preset fixes CheckCentral's name, and GitHub takes only an email.
    expect(personQuestions(presetAccounts(DESK, providers)).map(({ key, optional }) => [key, optional])).toEqual([['email', false]]);
  });

  test('each account: the preset’s values, then the person’s details (blank ones left out), in the preset’s order', () => {
    expect(presetForms(presetAccounts(ENGINEER, providers), { ...JILL, username: '  ' })).toEqual([
      { provider: 'checkcentral', form: { accessLevel: 'user', email: 'jill@example.com', name: 'Jill Valentine' } },
      { provider: 'digicert', form: { container: '93288', access_roles: ['5'], first_name: 'Jill', last_name: 'Valentine', email: 'jill@example.com' } },
      { provider: 'smscentral', form: { ACCOUNTS: ['12345'], USERLEVEL: '3', FIRSTNAME: 'Jill', LASTNAME: 'Valentine', EMAILADDRESS: 'jill@example.com' } },
    ]);
    // A detail given wins over the preset's value, as in the workflow step.
    expect(personForm(byId('checkcentral'), { name: 'Front Desk' }, { first_name: 'Jill' })).toEqual({ name: 'Jill' });
  });

  test('the workflow step builds its form with the same mapping: preset, then person, then fields', () => {
    const step = stepRequest({ user_context: { id: 'U0123ABCD', secret: 'x' }, reason: 'day one', preset: 'desk', provider: 'checkcentral', email: 'desk@example.com', fields: { accessLevel: 'user' } }, providers, PRESETS);
    expect(step).toEqual({ ok: true, requester: 'U0123ABCD', provider: byId('checkcentral'), form: { accessLevel: 'user', name: 'Front Desk', email: 'desk@example.com', reason: 'day one' } });
  });

  test('who the accounts are for: first and last name, else the email', () => {
    expect(personName(JILL)).toBe('Jill Valentine');
    expect(personName({ email: 'jill@example.com', last_name: ' ' })).toBe('jill@example.com');
    expect(personName({})).toBeUndefined();
  });
});

describe('the preset form', () => {
  test('the select at the preset, what it creates, exactly the details needed, the reason; the preset in the metadata', () => {
    const view = modal('engineer');
    expect(viewProblems(view)).toEqual([]);
    expect(view).toMatchObject({ callback_id: 'adduser_request', title: { text: 'Request accounts' }, submit: { text: 'Submit request' } });
    expect(JSON.parse(view.private_metadata!)).toEqual({ channel: 'CTYPED', preset: 'engineer' });
    expect(view.blocks.map((block) => block.block_id ?? block.type)).toEqual(['provider', 'context', 'person:email', 'person:first_name', 'person:last_name', 'person:username', 'reason']);
    expect((view.blocks[0] as types.InputBlock).element).toMatchObject({ initial_option: { value: 'preset:engineer', text: { text: 'New engineer: CheckCentral, DigiCert CertCentral, SMS Central' } } });
    expect(view.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '*Creates:* CheckCentral, DigiCert CertCentral, SMS Central' }] });
    expect(view.blocks[5]).toEqual({
      type: 'input',
      block_id: 'person:username',
      label: { type: 'plain_text', emoji: true, text: 'Username' },
      optional: false,
      hint: { type: 'plain_text', emoji: true, text: 'For DigiCert CertCentral, SMS Central.' },
      element: { type: 'plain_text_input', action_id: 'person:username', max_length: 100 },
    });
    expect(modal('desk').blocks.map((block) => block.block_id ?? block.type)).toEqual(['provider', 'context', 'person:email', 'reason']);
  });

  test('a dry-run note per provider that will not really be called, each once', () => {
    const notes = (id: string) => (id === 'checkcentral' ? undefined : `${id} is not configured`);
    expect(modal('engineer', notes).blocks[1]).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: '*Creates:* CheckCentral, DigiCert CertCentral, SMS Central' },
        { type: 'mrkdwn', text: ':test_tube: *Dry run:* digicert is not configured' },
        { type: 'mrkdwn', text: ':test_tube: *Dry run:* smscentral is not configured' },
      ],
    });
    expect((modal('engineer', () => 'ADDUSER_DRY_RUN is on.').blocks[1] as types.ContextBlock).elements).toHaveLength(2);
  });

  test('the request form’s select: a group of providers, one of presets, one of CSV uploads; no preset group without presets', () => {
    const view = requestModal({ providers: providers.slice(0, 2), dryRun: () => undefined, metadata: { channel: 'C1' }, presets: PRESETS, allProviders: providers });
    expect(viewProblems(view)).toEqual([]);
    const select = (view.blocks[0] as types.InputBlock).element as types.StaticSelect;
    expect(select.options).toBeUndefined();
    expect(select.option_groups!.map((group) => [group.label.text, group.options.map((option) => option.value)])).toEqual([
      ['One account', ['checkcentral', 'smscentral']],
      ['Several accounts (preset)', ['preset:engineer', 'preset:desk']],
      ['Many accounts (upload a CSV)', ['csv:checkcentral', 'csv:smscentral']],
    ]);
    expect(select.option_groups![1]!.options[1]!.text.text).toBe('Shared desk: CheckCentral, GitHub');
    expect(JSON.stringify(view.blocks[1])).toContain('or a preset for several accounts at once');
    const plain = requestModal({ providers, dryRun: () => undefined, metadata: { channel: 'C1' }, presets: {} });
    expect(((plain.blocks[0] as types.InputBlock).element as types.StaticSelect).option_groups!.map((group) => group.label.text)).toEqual(['One account', 'Many accounts (upload a CSV)']);
    expect((plain.blocks[0] as types.InputBlock).label.text).toBe('Provider');
  });

  test('Slack’s limits: at most 100 presets, option texts of 75 characters', () => {
    const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`p${i}`, { label: `Preset ${i} ${'x'.repeat(80)}`, accounts: ENGINEER.accounts }]));
    const view = requestModal({ providers, dryRun: () => undefined, metadata: { channel: 'C1' }, presets: many });
    expect(viewProblems(view)).toEqual([]);
    const groups = ((view.blocks[0] as types.InputBlock).element as types.StaticSelect).option_groups!;
    expect(groups[1]!.options).toHaveLength(100);
  });

  test('select values: a preset’s never looks like a provider id', () => {
    expect(presetValue('engineer')).toBe('preset:engineer');
    expect(presetOfValue('preset:engineer')).toBe('engineer');
    expect(presetOfValue('checkcentral')).toBeUndefined();
    expect(presetOfValue(undefined)).toBeUndefined();
  });

  test('help and the unknown-word answer list the presets', () => {
    expect(helpText(providers, ['engineer', 'desk']).text).toContain('• `/adduser &lt;preset&gt;`: several accounts for one person at once (`engineer`, `desk`)');
    expect(helpText(providers).text).not.toContain('preset');
    expect(unknownCommandText('nope', providers, ['engineer']).text).toContain('(`engineer`)');
  });
});

describe('batch problems → inline errors', () => {
  const accounts = presetAccounts(ENGINEER, providers);
  const asked = ['email', 'first_name', 'last_name', 'username'] as const;

  test('a person detail’s problem on its input, the providers that refused it named; identical messages once', () => {
    const errors = presetErrors(
      [
        { account: 0, field: 'email', message: 'Enter an email address.' },
        { account: 1, field: 'email', message: 'Enter an email address.' },
        { account: 2, field: 'EMAILADDRESS', message: 'Not an email.' },
        { account: 2, field: 'USERNAME', message: 'Too short.' },
        { field: 'reason', message: 'Say why.' },
      ],
      accounts,
      asked,
      { ...JILL, email: 'nope' },
    );
    expect(errors).toEqual({
      'person:email': 'CheckCentral, DigiCert CertCentral: Enter an email address. SMS Central: Not an email.',
      'person:username': 'SMS Central: Too short.',
      reason: 'Say why.',
    });
  });

  test('the policy, a preset value and the batch itself on the top select, naming provider and field', () => {
    const errors = presetErrors(
      [
        { account: 2, field: 'provider', message: 'You are not among the people who may ask for SMS Central accounts.' },
        { account: 1, field: 'container', message: 'Unknown container.' },
        { field: 'provider', message: 'You have 10 requests waiting.' },
      ],
      accounts,
      asked,
      JILL,
    );
    expect(errors).toEqual({
      provider:
        'SMS Central: You are not among the people who may ask for SMS Central accounts. DigiCert CertCentral: Container (container): Unknown container. You have 10 requests waiting.',
    });
  });

  test('a field the preset fixes and the person left blank is the preset’s: on the top select', () => {
    const desk = presetAccounts(DESK, providers);
    expect(presetErrors([{ account: 0, field: 'name', message: 'Too long.' }], desk, ['email'], { email: 'a@example.com' })).toEqual({ provider: 'CheckCentral: Name (name): Too long.' });
  });
});
