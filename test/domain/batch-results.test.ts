import { describe, expect, test } from 'vitest';
import { type ResultRow, resultsCsv } from '../../src/domain/batch/results.js';

const row = (changes: Partial<ResultRow>): ResultRow => ({ row: 2, target: 'ann@example.com', provider: 'CheckCentral', outcome: 'created', detail: '123', ...changes });

describe('resultsCsv', () => {
  test('a header, one line per account, CRLF line ends', () => {
    expect(resultsCsv([row({}), row({ row: 3, target: 'bob@example.com', outcome: 'failed', detail: 'already exists' })])).toBe(
      'row,target,provider,outcome,provider id or error\r\n2,ann@example.com,CheckCentral,created,123\r\n3,bob@example.com,CheckCentral,failed,already exists\r\n',
    );
    expect(resultsCsv([])).toBe('row,target,provider,outcome,provider id or error\r\n');
  });

  test('commas, quotes and line breaks are quoted, quotes doubled (RFC 4180)', () => {
    const line = (detail: string) => resultsCsv([row({ detail })]).split('\r\n')[1];
    expect(line('Email taken, try another')).toBe('2,ann@example.com,CheckCentral,created,"Email taken, try another"');
    expect(line('the "user" exists')).toBe('2,ann@example.com,CheckCentral,created,"the ""user"" exists"');
    expect(resultsCsv([row({ detail: 'one\ntwo' })])).toContain(',"one\ntwo"\r\n');
    expect(resultsCsv([row({ detail: 'one\r\ntwo' })])).toContain(',"one\r\ntwo"\r\n');
    expect(line('plain text')).toBe('2,ann@example.com,CheckCentral,created,plain text');
  });

  test.each([
    ['=1+1', "'=1+1"],
    ['+61 400 000 000', "'+61 400 000 000"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['\rx', `"'\rx"`],
    ['a=b', 'a=b'],
  ])('a cell starting %j cannot become a formula', (value, written) => {
    expect(resultsCsv([row({ target: value })]).split('\r\n')[1]).toBe(`2,${written},CheckCentral,created,123`);
  });
});
