import type { types } from '@slack/bolt';
import { describe, expect, test } from 'vitest';
import { findProvider } from '../../src/adapters/providers/registry.js';
import { csvColumns, csvModal } from '../../src/slack/blocks/csv-modal.js';

const provider = (id: string) => findProvider(id)!;
const select: types.InputBlock = { type: 'input', block_id: 'provider', label: { type: 'plain_text', text: 'Provider' }, element: { type: 'static_select', action_id: 'provider', options: [] } };
const modal = (id: string, dryRun?: string) => csvModal({ provider: provider(id), dryRun, metadata: { channel: 'C0TYPED', preset: 'stale' }, select });
const sectionText = (view: types.ModalView) => ((view.blocks.find((block) => block.type === 'section') as types.SectionBlock).text as types.MrkdwnElement).text;

describe('the CSV upload form', () => {
  test('columns: required ones first; optional, and a password left blank to be generated, after', () => {
    expect(csvColumns(provider('checkcentral'))).toEqual({
      required: ['email', 'accessLevel'],
      optional: ['name', 'userGroups', 'sendWelcomeEmail', 'notify_digest', 'notify_failures', 'notify_warnings', 'notify_unmatched'],
    });
    expect(csvColumns(provider('smscentral'))).toEqual({ required: ['USERNAME', 'FIRSTNAME', 'ACCOUNTS', 'USERLEVEL'], optional: ['PASSWORD', 'LASTNAME', 'EMAILADDRESS', 'MOBILENUMBER'] });
  });

  test('the select, what the file holds, one .csv file, the reason; submitted as the CSV form of that provider', () => {
    const view = modal('smscentral');
    expect(view).toMatchObject({ type: 'modal', callback_id: 'adduser_csv', title: { text: 'SMS Central CSV' }, submit: { text: 'Submit request' }, close: { text: 'Cancel' } });
    expect(view.blocks.map((block) => block.type)).toEqual(['input', 'section', 'input', 'input']);
    expect(view.blocks[0]).toBe(select);
    expect(sectionText(view)).toBe(
      'One SMS Central account per row, at most 200 rows. The first row names the columns: `USERNAME`, `FIRSTNAME`, `ACCOUNTS`, `USERLEVEL`, and if needed `PASSWORD`, `LASTNAME`, `EMAILADDRESS`, `MOBILENUMBER`. Several values in one cell are separated by `;`.',
    );
    expect(view.blocks[2]).toEqual({ type: 'input', block_id: 'csv_file', label: { type: 'plain_text', text: 'CSV file', emoji: true }, element: { type: 'file_input', action_id: 'csv_file', filetypes: ['csv'], max_files: 1 } });
    expect(view.blocks[3]).toMatchObject({ block_id: 'reason', element: { placeholder: { text: 'Why do these people need accounts?' } } });
    expect(JSON.parse(view.private_metadata!)).toEqual({ channel: 'C0TYPED', preset: 'stale', provider: 'smscentral' });
  });

  test('a dry run says so under the select; a long label is clipped to the title’s 24 characters', () => {
    const view = modal('digicert', 'DIGICERT_API_KEY is not set <!channel>');
    expect(view.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: ':test_tube: *Dry run:* DIGICERT_API_KEY is not set &lt;!channel&gt;' }] });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.title.text.startsWith('DigiCert')).toBe(true);
    expect(modal('checkcentral').blocks.some((block) => block.type === 'context')).toBe(false);
  });

  test('a provider with no optional column says nothing of them', () => {
    const bare = { ...provider('checkcentral'), fields: provider('checkcentral').fields.filter((field) => !field.optional) };
    const view = csvModal({ provider: bare, dryRun: undefined, metadata: { channel: 'C0TYPED' }, select });
    expect(sectionText(view)).toBe('One CheckCentral account per row, at most 200 rows. The first row names the columns: `email`, `accessLevel`. Several values in one cell are separated by `;`.');
  });
});
