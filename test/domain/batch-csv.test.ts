import { describe, expect, test } from 'vitest';
import { findProvider } from '../../src/adapters/providers/registry.js';
import type { AnyProvider, FormValues } from '../../src/adapters/providers/types.js';
import { CSV_MAX_BYTES, CSV_MAX_ROWS, parseAccountsCsv, type RowCheck } from '../../src/domain/batch/csv.js';

/** What a reader that went on would meet next, so a refusal that names a limit shows the reading stopped before it. */
const NEVER_CLOSED = '\n"never closed\n';

const checkcentral = findProvider('checkcentral')!;
const digicert = findProvider('digicert')!;

/** The form's own validation (what submit does): the provider's schema, issues mapped to fields, first message per field. */
const formCheck =
  (provider: AnyProvider): RowCheck =>
  (form) => {
    const parsed = provider.input.safeParse(provider.fromForm(form));
    if (parsed.success) return { ok: true, target: provider.target(parsed.data) };
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[provider.fieldOf(issue.path)] ??= issue.message;
    return { ok: false, errors };
  };

const cc = (content: Buffer | string) => parseAccountsCsv(content, checkcentral, formCheck(checkcentral));
const dc = (content: Buffer | string) => parseAccountsCsv(content, digicert, formCheck(digicert));
type Parsed = Awaited<ReturnType<typeof cc>>;
const problemsOf = async (parsing: Promise<Parsed>) => {
  const result = await parsing;
  return result.ok ? [] : result.problems;
};
const rowsOf = async (parsing: Promise<Parsed>): Promise<FormValues[]> => {
  const result = await parsing;
  return result.ok ? result.rows.map((row) => row.form) : expect.fail(`refused: ${result.problems.join(' | ')}`);
};
const ccRows = (n: number) => ['email,accessLevel', ...Array.from({ length: n }, (_, i) => `person${i}@example.com,user`)].join('\n');

describe('parseAccountsCsv: a valid file', async () => {
  test('each row becomes form values; an empty cell leaves the field out', async () => {
    expect(await rowsOf(cc('email,name,accessLevel\nann@example.com,Ann Lee,user\nbob@example.com,,editor\n'))).toEqual([
      { email: 'ann@example.com', name: 'Ann Lee', accessLevel: 'user' },
      { email: 'bob@example.com', accessLevel: 'editor' },
    ]);
  });

  test('a UTF-8 BOM is dropped, in a Buffer or a string, so the first column is still known', async () => {
    const text = '\ufeffemail,accessLevel\r\nann@example.com,user\r\n';
    expect(await rowsOf(cc(Buffer.from(text, 'utf8')))).toEqual([{ email: 'ann@example.com', accessLevel: 'user' }]);
    expect(await rowsOf(cc(text))).toEqual([{ email: 'ann@example.com', accessLevel: 'user' }]);
  });

  test('quoted values keep their commas, newlines and doubled quotes; header names are trimmed', async () => {
    const rows = await rowsOf(cc(' email , name ,accessLevel\nann@example.com,"Lee, Ann ""the admin""\nsecond line",user\n'));
    expect(rows).toEqual([{ email: 'ann@example.com', name: 'Lee, Ann "the admin"\nsecond line', accessLevel: 'user' }]);
  });

  test('multi-select and checkbox cells split on ; (trimmed, empties dropped); other cells do not', async () => {
    const [row] = await rowsOf(cc('email,name,accessLevel,userGroups,notify_digest,sendWelcomeEmail\nann@example.com,A;B,user, 12 ;; 34 ;,email;sms,true\n'));
    expect(row).toEqual({ email: 'ann@example.com', name: 'A;B', accessLevel: 'user', userGroups: ['12', '34'], notify_digest: ['email', 'sms'], sendWelcomeEmail: ['true'] });
    const [roles] = await rowsOf(dc('username,first_name,last_name,email,container,access_roles\njill,Jill,V,jill@example.com,93288,5;6\n'));
    expect(roles?.access_roles).toEqual(['5', '6']);
  });

  test('blank lines and a spreadsheet’s empty rows (",,") are skipped', async () => {
    expect(await rowsOf(cc('email,accessLevel\n\nann@example.com,user\n,\n \t, \n\nbob@example.com,user\n\n'))).toHaveLength(2);
  });

  test(`exactly ${CSV_MAX_ROWS} rows pass`, async () => {
    expect(await rowsOf(cc(ccRows(CSV_MAX_ROWS)))).toHaveLength(CSV_MAX_ROWS);
  });

  test('optional columns may be absent', async () => {
    expect(await rowsOf(dc('username,first_name,last_name,email,container,access_roles\njill,Jill,V,jill@example.com,93288,5\n'))).toHaveLength(1);
  });
});

describe('parseAccountsCsv: a file that is not one', async () => {
  test('over 1 MB: one problem, before anything is parsed', async () => {
    const big = `email,accessLevel\n${'x'.repeat(CSV_MAX_BYTES)}`;
    expect(await problemsOf(cc(big))).toEqual(['The file is 1001 KB; the limit is 1 MB (200 rows).']);
  });

  test('binary content (a NUL byte or bytes that are not UTF-8)', async () => {
    const binary = ['This is not a CSV file: it holds binary data, not text. Save it from the spreadsheet as "CSV UTF-8".'];
    expect(await problemsOf(cc(Buffer.from('PK\u0003\u0004\0\0email,accessLevel\n')))).toEqual(binary);
    expect(await problemsOf(cc(Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xc3, 0x28])))).toEqual(binary);
    expect(await problemsOf(cc('email,accessLevel\nann@example.com\0,user'))).toEqual(binary);
  });

  test.each([
    ['an unclosed quote', 'email,accessLevel\nann@example.com,"user\n', 'a " is never closed, so the file ends inside a quoted value (line 2)'],
    ['a row with too few values', 'email,accessLevel\nann@example.com,user\nbob@example.com\n', 'line 3 has 1 value, not as many as the header has columns'],
    ['a row with too many values', 'email,accessLevel\nann@example.com,user,x\n', 'line 2 has 3 values, not as many as the header has columns'],
    ['a stray quote', 'email,accessLevel\nann@example.com,us"er\n', 'line 2 has a stray " (a value with a " in it must be in quotes, with the " doubled)'],
  ])('csv-parse’s refusal, in words, with its line: %s', async (_what, content, words) => {
    expect(await problemsOf(cc(content))).toEqual([`This is not a CSV file I can read: ${words}.`]);
  });

  test('empty, blank or header only', async () => {
    const empty = ["The file is empty: put a header row of CheckCentral's field ids first, then one row per account."];
    expect(await problemsOf(cc(''))).toEqual(empty);
    expect(await problemsOf(cc(Buffer.from('\ufeff\n\n')))).toEqual(empty);
    const noRows = ['The file has no rows under its header: add one row per account.'];
    expect(await problemsOf(cc('email,accessLevel\n'))).toEqual(noRows);
    expect(await problemsOf(cc('email,accessLevel\n,\n\n'))).toEqual(noRows);
  });

});

describe('parseAccountsCsv: the header', async () => {
  const ids = 'email, name, accessLevel, userGroups, sendWelcomeEmail, notify_digest, notify_failures, notify_warnings, notify_unmatched';

  test('an unknown column is named with the valid ids; ids are case-sensitive', async () => {
    expect(await problemsOf(cc('email,accessLevel,Name\nann@example.com,user,Ann\n'))).toEqual([`The column "Name" is not a CheckCentral field; the columns can be: ${ids}.`]);
    expect(await problemsOf(cc('email,accessLevel,\nann@example.com,user,\n'))).toEqual([`A column has no name; the columns can be: ${ids}.`]);
  });

  test('a required column missing; optional and generated-if-blank ones may be left out', async () => {
    expect(await problemsOf(cc('email\nann@example.com\n'))).toEqual(['The column "accessLevel" (Access level) is missing; every CheckCentral account needs it.']);
    const withPassword: AnyProvider = { ...checkcentral, fields: [...checkcentral.fields, { id: 'password', label: 'Password', kind: 'password', optional: false, generateIfBlank: true }] };
    expect(await parseAccountsCsv('email,accessLevel\nann@example.com,user\n', withPassword, () => ({ ok: true, target: 'ann@example.com' }))).toMatchObject({ ok: true });
  });

  test('a column twice', async () => {
    expect(await problemsOf(cc('email,accessLevel,email\na@example.com,user,b@example.com\n'))).toEqual(['The column "email" appears more than once.']);
  });

  test('every header problem at once', async () => {
    expect(await problemsOf(dc('username,first_name,first_name,nickname,email,container\n'))).toEqual([
      expect.stringMatching(/^The column "nickname" is not a DigiCert CertCentral field; the columns can be: username, first_name, /),
      'The column "first_name" appears more than once.',
      'The column "last_name" (Last name) is missing; every DigiCert CertCentral account needs it.',
      'The column "access_roles" (Access roles) is missing; every DigiCert CertCentral account needs it.',
    ]);
  });
});

describe('parseAccountsCsv: the rows', async () => {
  test('each row’s errors as "Row N: label: message", N counted as a spreadsheet does (header row 1, blank lines count)', async () => {
    const content = 'email,accessLevel\nann@example.com,user\nnot-an-email,boss\n\nbob@example.com,user\ncy@example.com,\n';
    expect(await problemsOf(cc(content))).toEqual([
      'Row 3: Email: Email must be a valid email address',
      'Row 3: Access level: Access level must be one of: disabled, custom, readonly, user, editor, manager, administrator',
      'Row 6: Access level: Access level is required',
    ]);
  });

  test('a row spanning lines (a quoted newline) is still one row', async () => {
    expect(await problemsOf(cc('email,name,accessLevel\nann@example.com,"Ann\nLee",user\nbob@example.com,Bob,boss\n'))).toEqual([
      'Row 3: Access level: Access level must be one of: disabled, custom, readonly, user, editor, manager, administrator',
    ]);
  });

  test('a field the check names but the provider has no field for keeps its id', async () => {
    const check: RowCheck = () => ({ ok: false, errors: { reason: 'Give a reason' } });
    expect(await problemsOf(parseAccountsCsv('email,accessLevel\na@example.com,user\n', checkcentral, check))).toEqual(['Row 2: reason: Give a reason']);
  });

  test('the same target twice, whatever its case, names both rows', async () => {
    const content = 'email,accessLevel\nann@example.com,user\nbob@example.com,user\nAnn@Example.com,editor\nbob@example.com,user\n';
    expect(await problemsOf(cc(content))).toEqual(['Row 4: Ann@Example.com is also on row 2', 'Row 5: bob@example.com is also on row 3']);
  });

  test('the first ten problems, then how many more', async () => {
    const content = ['email,accessLevel', ...Array.from({ length: 14 }, (_, i) => `bad${i},user`)].join('\n');
    const problems = await problemsOf(cc(content));
    expect(problems).toHaveLength(11);
    expect(problems.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `Row ${i + 2}: Email: Email must be a valid email address`));
    expect(problems[10]).toBe('…and 4 more problems');
    expect((await problemsOf(cc(['email,accessLevel', ...Array.from({ length: 11 }, (_, i) => `bad${i},user`)].join('\n'))))[10]).toBe('…and 1 more problem');
    expect(await problemsOf(cc(['email,accessLevel', ...Array.from({ length: 10 }, (_, i) => `bad${i},user`)].join('\n')))).toHaveLength(10);
  });

  test('nothing partial: one bad row among good ones refuses the file', async () => {
    const content = ['email,accessLevel', ...Array.from({ length: 50 }, (_, i) => `p${i}@example.com,user`), 'oops,user'].join('\n');
    expect(await cc(content)).toEqual({ ok: false, problems: ['Row 52: Email: Email must be a valid email address'] });
  });

  test('DigiCert rows validate like the form: ids must be numbers, roles are required', async () => {
    const content = 'username,first_name,last_name,email,container,access_roles\njill,Jill,V,jill@example.com,abc,5\nbarry,Barry,B,barry@example.com,93288,\n';
    expect(await problemsOf(dc(content))).toEqual(['Row 2: Container: Container id must be a number', 'Row 3: Access roles: Choose at least one access role']);
  });
});

describe('parseAccountsCsv: limits before the work they bound (SPEC §6)', () => {
  const ids = 'email, name, accessLevel, userGroups, sendWelcomeEmail, notify_digest, notify_failures, notify_warnings, notify_unmatched';
  const tooWide = `The header row has more than 9 columns, the limit: CheckCentral has 9 fields (${ids}).`;

  test('a header wider than the provider has fields: that one problem, before any row is read', async () => {
    expect(await problemsOf(cc(`${Array.from({ length: 10 }, (_, n) => `c${n}`).join(',')}\nann@example.com,user${NEVER_CLOSED}`))).toEqual([tooWide]);
    expect(await problemsOf(cc(`email,accessLevel${',email'.repeat(100_000)}${NEVER_CLOSED}`))).toEqual([tooWide]);
    expect(await problemsOf(cc(`${','.repeat(500_000)}${NEVER_CLOSED}`))).toEqual([tooWide]);
  });

  test('the header’s own problems stop the reading before the rows', async () => {
    expect(await problemsOf(cc(`email,accessLevel,colour\nann@example.com,user,red${NEVER_CLOSED}`))).toEqual([`The column "colour" is not a CheckCentral field; the columns can be: ${ids}.`]);
  });

  test(`the rows stop at the first past ${CSV_MAX_ROWS}: what follows is never read`, async () => {
    expect(await problemsOf(cc(`${ccRows(CSV_MAX_ROWS + 1)}${NEVER_CLOSED}`))).toEqual(['The file has more than 200 rows; the limit is 200 accounts per request.']);
  });

  test('blank rows are skipped but counted: 1,000 rows at most, blank ones included', async () => {
    const limit = ['The file has more than 1000 rows, blank ones included; the limit is 200 accounts per request (delete the empty rows under them).'];
    expect(await rowsOf(cc(`email,accessLevel\nann@example.com,user\n${',\n'.repeat(997)}\n`))).toHaveLength(1);
    expect(await problemsOf(cc(`email,accessLevel\nann@example.com,user\n${',\n'.repeat(999)}${NEVER_CLOSED}`))).toEqual(limit);
    expect(await problemsOf(cc(`email,accessLevel\nann@example.com,user\n${'\n'.repeat(500_000)}${NEVER_CLOSED}`))).toEqual(limit);
  });

  test('a value over 1,000 characters: refused with its row and column, while it is read', async () => {
    // Only the reading's limit, not the provider's: any row passes.
    const read = (content: string) => parseAccountsCsv(content, checkcentral, (form) => ({ ok: true, target: String(form.email) }));
    const long = (column: string) => [`Row 3: the value in column "${column}" is longer than 1000 characters, the limit for one value.`];
    expect(await rowsOf(read(`email,name,accessLevel\nann@example.com,Ann,user\nbob@example.com,${'n'.repeat(1_000)},user\n`))).toHaveLength(2);
    expect(await problemsOf(cc(`email,name,accessLevel\nann@example.com,Ann,user\nbob@example.com,${'n'.repeat(1_001)},user\n`))).toEqual(long('name'));
    // Unquoted, quoted and never closed, quotes doubled: the reading stops inside the value.
    expect(await problemsOf(cc(`email,name,accessLevel\nann@example.com,Ann,user\nbob@example.com,${'n'.repeat(900_000)}${NEVER_CLOSED}`))).toEqual(long('name'));
    expect(await problemsOf(cc(`email,name,accessLevel\nann@example.com,Ann,user\nbob@example.com,"${'n'.repeat(900_000)}`))).toEqual(long('name'));
    expect(await problemsOf(cc(`email,name,accessLevel\nann@example.com,Ann,user\nbob@example.com,"${'""'.repeat(450_000)}"`))).toEqual(long('name'));
    // Characters, not bytes: 1,000 of them at three bytes each are within the limit.
    expect(await rowsOf(read(`email,name,accessLevel\nann@example.com,Ann,user\nbob@example.com,${'€'.repeat(1_000)},user\n`))).toHaveLength(2);
    expect(await problemsOf(cc(`${'e'.repeat(1_001)},accessLevel\n`))).toEqual(['Column 1 of the header is longer than 1000 characters, the limit for one value.']);
  });

  test('a row with more values than the provider has fields stops there', async () => {
    expect(await problemsOf(cc(`email,accessLevel\nann@example.com,user${','.repeat(500_000)}\n`))).toEqual(['This is not a CSV file I can read: line 2 has more than 9 values, more than the header has columns.']);
  });

  test('a multi-select cell holds at most 100 values', async () => {
    const [row] = await rowsOf(cc(`email,accessLevel,userGroups\nann@example.com,user,${Array.from({ length: 100 }, (_, n) => n + 1).join(';')}\n`));
    expect(row?.userGroups).toHaveLength(100);
    expect(await problemsOf(cc(`email,accessLevel,userGroups\nann@example.com,user,${Array.from({ length: 101 }, (_, n) => n + 1).join(';')}\n`))).toEqual([
      'Row 2: User groups: at most 100 values separated by ;, not 101',
    ]);
  });

  test('a name quoted in a problem is cut short', async () => {
    expect(await problemsOf(cc(`email,accessLevel,${'x'.repeat(900)}\n`))).toEqual([`The column "${'x'.repeat(40)}…" is not a CheckCentral field; the columns can be: ${ids}.`]);
  });
});
