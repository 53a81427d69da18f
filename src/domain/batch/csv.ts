import { isUtf8 } from 'node:buffer';
import { type AnyProvider, fieldLabel, type FormValues } from '../../adapters/providers/types.js';
import { BATCH_MAX_ACCOUNTS } from './batch.js';
import { quoted, readCsv } from './csv-reader.js';
import { pacer } from './pace.js';

/** SPEC §9: one request carries at most this many accounts. */
export const CSV_MAX_ROWS = BATCH_MAX_ACCOUNTS;
/** 200 rows of a provider's widest form stay far below this; more is not an accounts file. */
export const CSV_MAX_BYTES = 1_000_000;
/** No provider takes a value over 255 characters; several ids separated by ; fit too. */
export const CSV_MAX_CELL_CHARS = 1_000;
/** Values in one multi-select cell: more groups or roles than anyone is given at once. */
export const CSV_MAX_VALUES = 100;
/** Rows as a spreadsheet numbers them, blank ones included: room for a sheet's empty rows, not for a file of them. */
export const CSV_MAX_SHEET_ROWS = 1_000;
/** A person fixes a file from the first problems; hundreds of lines would bury them. */
const SHOWN_PROBLEMS = 10;

/** The caller's validation of one account, as the form's: the target it would create, or errors by field id. */
export type RowCheck = (form: FormValues) => { ok: true; target: string } | { ok: false; errors: Record<string, string> };

/** One account of the file, with its row as a spreadsheet numbers it (for the results file). */
export interface CsvRow {
  row: number;
  form: FormValues;
}

const MULTI_VALUE_KINDS = new Set(['multi_select', 'checkboxes']);

/**
 * Reads a CSV of accounts for one provider, all or nothing: `rows` only when every row passes
 * `check`, else the problems in sentences a requester can act on (the first ten, then how many
 * more). Never throws. Every limit is checked before the work it bounds (SPEC §6): the size
 * before reading, the header's width and names before any row, each value's length while it is
 * read, the rows at the first one too many; the reading yields the event loop as it goes.
 *
 * The header row names the provider's field ids (`provider.fields[].id`, case-sensitive); every
 * field that is neither optional nor generated when blank must have a column. An empty cell
 * leaves the field out. A cell of a multi-select or checkboxes field holds several values
 * separated by `;` (`email;sms`). Problems name rows as a spreadsheet numbers them: the header
 * is row 1, the first account row 2, and a blank line still takes a row number (it is skipped).
 */
export async function parseAccountsCsv(content: Buffer | string, provider: AnyProvider, check: RowCheck): Promise<{ ok: true; rows: CsvRow[] } | { ok: false; problems: string[] }> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  if (bytes.length > CSV_MAX_BYTES) return refuse([`The file is ${Math.ceil(bytes.length / 1000)} KB; the limit is 1 MB (${CSV_MAX_ROWS} rows).`]);
  if (!isUtf8(bytes) || bytes.includes(0)) return refuse(['This is not a CSV file: it holds binary data, not text. Save it from the spreadsheet as "CSV UTF-8".']);

  const width = provider.fields.length;
  const read = await readCsv(bytes, {
    limits: { columns: width, cellChars: CSV_MAX_CELL_CHARS, rows: CSV_MAX_ROWS, sheetRows: CSV_MAX_SHEET_ROWS },
    header: (columns) => columnProblems(columns, provider),
    tooManyColumns: `The header row has more than ${width} columns, the limit: ${provider.label} has ${width} fields (${provider.fields.map((field) => field.id).join(', ')}).`,
  });
  if (!read.ok) return refuse(read.problems);
  const { columns, records } = read;
  if (columns.length === 0) return refuse([`The file is empty: put a header row of ${provider.label}'s field ids first, then one row per account.`]);
  if (records.length === 0) return refuse(['The file has no rows under its header: add one row per account.']);

  const multi = new Set(provider.fields.filter((field) => MULTI_VALUE_KINDS.has(field.kind)).map((field) => field.id));
  const problems: string[] = [];
  const rows: CsvRow[] = [];
  const rowOfTarget = new Map<string, number>();
  const problemsOf = (row: number, errors: Record<string, string>) => Object.entries(errors).map(([field, message]) => `Row ${row}: ${fieldLabel(provider, field)}: ${message}`);
  // 200 rows of values at their limits take the form's checks long enough to matter.
  const pace = pacer();
  for (const { row, cells } of records) {
    await pace();
    const { form, errors } = formOf(columns, cells, multi);
    rows.push({ row, form });
    const verdict = Object.keys(errors).length > 0 ? { ok: false as const, errors } : check(form);
    if (!verdict.ok) {
      problems.push(...problemsOf(row, verdict.errors));
      continue;
    }
    const key = verdict.target.toLowerCase();
    const earlier = rowOfTarget.get(key);
    if (earlier === undefined) rowOfTarget.set(key, row);
    else problems.push(`Row ${row}: ${verdict.target} is also on row ${earlier}`);
  }
  return problems.length > 0 ? refuse(problems) : { ok: true, rows };
}

function refuse(problems: string[]): { ok: false; problems: string[] } {
  if (problems.length <= SHOWN_PROBLEMS) return { ok: false, problems };
  const more = problems.length - SHOWN_PROBLEMS;
  return { ok: false, problems: [...problems.slice(0, SHOWN_PROBLEMS), `…and ${more} more problem${more === 1 ? '' : 's'}`] };
}

/** The header's problems; each name is looked up in a set, so a wide header costs its width, not its square. */
function columnProblems(columns: string[], provider: AnyProvider): string[] {
  const known = new Set(provider.fields.map((field) => field.id));
  const seen = new Set<string>();
  const repeated = new Set<string>();
  const problems: string[] = [];
  for (const column of columns) {
    if (seen.has(column)) repeated.add(column);
    seen.add(column);
    if (known.has(column)) continue;
    const which = column === '' ? 'A column has no name' : `The column ${quoted(column)} is not a ${provider.label} field`;
    problems.push(`${which}; the columns can be: ${[...known].join(', ')}.`);
  }
  for (const column of repeated) problems.push(`The column ${quoted(column)} appears more than once.`);
  for (const field of provider.fields) {
    if (!field.optional && !field.generateIfBlank && !seen.has(field.id)) {
      problems.push(`The column "${field.id}" (${field.label}) is missing; every ${provider.label} account needs it.`);
    }
  }
  return problems;
}

/** A row's form values, or why not: a multi-select cell splits on `;` into at most `CSV_MAX_VALUES` values. */
function formOf(columns: string[], cells: string[], multi: ReadonlySet<string>): { form: FormValues; errors: Record<string, string> } {
  const form: FormValues = {};
  const errors: Record<string, string> = {};
  columns.forEach((column, index) => {
    const cell = cells[index]?.trim() ?? '';
    if (cell === '') return;
    if (!multi.has(column)) form[column] = cell;
    else {
      const values = cell.split(';').map((value) => value.trim()).filter((value) => value !== '');
      if (values.length > CSV_MAX_VALUES) errors[column] = `at most ${CSV_MAX_VALUES} values separated by ;, not ${values.length}`;
      else if (values.length > 0) form[column] = values;
    }
  });
  return { form, errors };
}
