import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { providers } from '../src/adapters/providers/registry.js';
import { scimInstance } from '../src/adapters/providers/scim/index.js';
import { csvColumns } from '../src/slack/blocks/csv-modal.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const idsIn = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);

describe('the README’s CSV column table', () => {
  test.each(providers.map((provider) => [provider.id, provider] as const))('%s: the columns the CSV upload takes, required ones apart', (id, provider) => {
    const row = readme.split('\n').find((line) => line.trim().startsWith(`| \`${id}\` |`));
    expect(row, `a row for ${id}`).toBeDefined();
    const [, required = '', optional = ''] = row!.trim().slice(1, -1).split('|');
    const columns = csvColumns(provider);
    // A required cell may explain in words what no single column is (GitHub: email or invitee_id).
    expect(idsIn(required).filter((column) => !columns.optional.includes(column))).toEqual(columns.required);
    expect(idsIn(optional)).toEqual(columns.optional);
  });
});

describe('the README’s SCIM field table', () => {
  test('a row per field an instance may ask, in the form’s order: the CSV columns a service can have', () => {
    const section = readme.slice(readme.indexOf('\n## Any SCIM 2.0 service'), readme.indexOf('\n## ', readme.indexOf('\n## Any SCIM 2.0 service') + 1));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    const vocabulary = scimInstance('ANY', { SCIM_ANY_URL: 'https://any.example/scim/v2' }).vocabulary ?? [];
    expect(rows.map((row) => idsIn(row.split('|')[1]!)[0])).toEqual(vocabulary.map((field) => field.id));
  });
});
