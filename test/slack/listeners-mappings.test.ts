import { describe, expect, test } from 'vitest';
import { providers } from '../../src/adapters/providers/registry.js';
import type { Payload } from '../../src/slack/inbound/payloads/index.js';
import { clickOf } from '../../src/slack/listeners/actions/click.js';
import { selectionOf } from '../../src/slack/listeners/actions/provider-select.js';
import { homeViewer } from '../../src/slack/listeners/events/index.js';
import { suggestionOf } from '../../src/slack/listeners/options/lookups.js';
import { csvErrors } from '../../src/slack/listeners/views/csv-submit.js';
import { personFrom } from '../../src/slack/listeners/views/preset-submit.js';
import { rejectionOf } from '../../src/slack/listeners/views/reject-submit.js';
import { routeOf } from '../../src/slack/listeners/views/request-submit.js';

/**
 * Each listener's mapping from the payload it is handed (already parsed at the gate) to what it
 * asks the domain, one table per listener, as Bolt's templates test each listener.
 */
const byId = (id: string) => providers.find((provider) => provider.id === id)!;
const envelope = { team: { id: 'TTEAM0001' }, user: { id: 'UCLICKER1' } };

describe('actions: a click on a request, a batch or the App Home', () => {
  test.each([
    ['in a thread', { channel: { id: 'CREQ1' }, message: { thread_ts: '1.2' } }, { channel: 'CREQ1', threadTs: '1.2' }],
    ['on a parent message', { channel: { id: 'CREQ1' }, message: {} }, { channel: 'CREQ1', threadTs: undefined }],
    ['in the App Home: no channel, a DM answers', {}, { channel: undefined, threadTs: undefined }],
  ])('%s', (_name, extra, where) => {
    const click = { type: 'block_actions', ...envelope, actions: [{ action_id: 'request_approve', value: 'AB-2345ABCD' }], ...extra } as unknown as Payload<'decisionAction'>;
    expect(clickOf(click)).toEqual({ id: 'AB-2345ABCD', user: 'UCLICKER1', where: { user: 'UCLICKER1', ...where } });
  });

  test('the form’s first select: rebuild this view at the choice, in the channel the form was opened from', () => {
    const payload = { type: 'block_actions', ...envelope, actions: [{ action_id: 'provider_select', selected_option: { value: 'preset:engineer' } }], view: { id: 'V1', hash: 'h1', private_metadata: '{"channel":"CTYPED1"}' } } as unknown as Payload<'providerSelectAction'>;
    expect(selectionOf(payload)).toEqual({ viewId: 'V1', hash: 'h1', choice: 'preset:engineer', channel: 'CTYPED1', user: 'UCLICKER1' });
    expect(selectionOf({ ...payload, view: { ...payload.view, private_metadata: 'not json' } }).channel).toBe('');
  });
});

describe('views: submissions', () => {
  const requestView = (metadata: object, selected?: string) =>
    ({ id: 'V1', private_metadata: JSON.stringify(metadata), state: { values: selected === undefined ? {} : { provider: { provider_select: { type: 'static_select', selected_option: { value: selected } } } } } }) as unknown as Payload<'requestSubmission'>['view'];

  test.each([
    ['a provider chosen in the select', {}, 'okta', { kind: 'request', provider: 'okta' }],
    ['a form opened at a provider (no select)', { provider: 'digicert' }, undefined, { kind: 'request', provider: 'digicert' }],
    ['nothing chosen', {}, undefined, { kind: 'request', provider: '' }],
    ['a preset chosen in a provider’s form: its form first', { provider: 'okta' }, 'preset:engineer', { kind: 'next', choice: 'preset:engineer' }],
    ['a preset’s own form', { preset: 'engineer' }, 'preset:engineer', { kind: 'preset', name: 'engineer' }],
    ['a preset form opened by /adduser <preset>', { preset: 'engineer' }, undefined, { kind: 'preset', name: 'engineer' }],
    ['a CSV chosen in the form: the CSV form first', {}, 'csv:github', { kind: 'next', choice: 'csv:github' }],
  ])('request form: %s', (_name, metadata, selected, route) => {
    expect(routeOf(requestView(metadata, selected))).toEqual(route);
  });

  test.each([
    ['a reason', '  Support is fully staffed ', { id: 'AR-2345ABCD', user: 'UCLICKER1', reason: 'Support is fully staffed' }],
    ['a reason too short to act on', ' no ', { error: 'Say why, so the requester knows what to change.' }],
    ['no reason', undefined, { error: 'Say why, so the requester knows what to change.' }],
  ])('reject dialog: %s', (_name, typed, rejection) => {
    const values = typed === undefined ? {} : { reject_reason: { 'field:reject_reason': { type: 'plain_text_input', value: typed } } };
    const body = { ...envelope, view: { private_metadata: 'AR-2345ABCD', state: { values } } } as unknown as Payload<'rejectSubmission'>;
    expect(rejectionOf(body)).toEqual(rejection);
  });

  test('preset form: the person’s details as typed, blanks left out', () => {
    const values = { 'person:email': { 'person:email': { value: ' jill@example.com ' } }, 'person:first_name': { 'person:first_name': { value: '  ' } }, 'person:username': { 'person:username': { value: 'jill' } } };
    expect(personFrom(values as never)).toEqual({ email: 'jill@example.com', username: 'jill' });
  });

  test('CSV form: each account’s problem on its spreadsheet row, the policy’s once, the reason’s on the reason, ten at most', () => {
    const rows = (account: number) => account + 2;
    const github = byId('github');
    const problems = [
      { field: 'reason', message: 'Give a reason approvers can judge (at least 3 characters).' },
      { account: 0, field: 'email', message: 'Email must be a valid email address' },
      { account: 3, field: 'provider', message: 'You are not among the people who may ask.' },
      { account: 4, field: 'provider', message: 'You are not among the people who may ask.' },
      ...Array.from({ length: 12 }, (_, n) => ({ account: n + 10, field: 'role', message: 'Role must be one of: …' })),
    ];
    const errors = csvErrors(problems, rows, github);
    expect(errors.reason).toBe('Give a reason approvers can judge (at least 3 characters).');
    const lines = errors.csv_file!.split('\n');
    expect(lines.slice(0, 3)).toEqual(['Row 2: Email: Email must be a valid email address', 'You are not among the people who may ask.', 'Row 12: Role: Role must be one of: …']);
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('…and 4 more problems');
  });
});

describe('options: a lookup select asking for choices', () => {
  const suggestion = (metadata: object, actionId: string, value: string, values: object = {}) =>
    ({ type: 'block_suggestion', ...envelope, action_id: actionId, value, view: { private_metadata: JSON.stringify(metadata), state: { values } } }) as unknown as Payload<'lookupSuggestion'>;

  test.each([
    ['a field with a lookup', { provider: 'okta' }, 'field:groupIds', 'eng', {}, { kind: 'lookup', provider: byId('okta'), lookup: 'groups', param: undefined, query: 'eng' }],
    ['a lookup that depends on another field', { provider: 'digicert' }, 'field:access_roles', 'adm', { container: { 'field:container': { selected_option: { value: '93288' } } } }, { kind: 'lookup', provider: byId('digicert'), lookup: 'roles', param: '93288', query: 'adm' }],
    ['that field not chosen yet: only what was typed', { provider: 'digicert' }, 'field:access_roles', '5', {}, { kind: 'typed', query: '5' }],
    ['a field without a lookup', { provider: 'okta' }, 'field:email', 'x', {}, { kind: 'none' }],
    ['a provider the bot does not have', { provider: 'nope' }, 'field:groupIds', 'x', {}, { kind: 'none' }],
    ['metadata that is not JSON', 'garbage', 'field:groupIds', 'x', {}, { kind: 'none' }],
  ])('%s', (_name, metadata, actionId, value, values, asked) => {
    const payload = suggestion(typeof metadata === 'string' ? {} : metadata, actionId, value, values);
    if (typeof metadata === 'string') (payload.view as { private_metadata: string }).private_metadata = metadata;
    expect(suggestionOf(payload, providers)).toEqual(asked);
  });
});

describe('events: the App Home opened', () => {
  test.each([
    ['the Home tab', 'home', 'UVIEWER1'],
    ['the Messages tab: nothing to publish', 'messages', undefined],
  ])('%s', (_name, tab, viewer) => {
    expect(homeViewer({ type: 'app_home_opened', user: 'UVIEWER1', tab } as Payload<'homeOpenedEvent'>['event'])).toBe(viewer);
  });
});
