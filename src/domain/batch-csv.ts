import { CsvError, parse } from 'csv-parse/sync';
import { type AnyProvider, fieldLabel, type FormValues } from '../adapters/providers/types.js';
import { BATCH_MAX_ACCOUNTS } from './batch.js';

/** SPEC §9: one request carries at most this many accounts. */
export const CSV_MAX_ROWS = BATCH_MAX_ACCOUNTS;
/** 200 rows of a provider's widest form stay far below this; more is not an accounts file. */
export const CSV_MAX_BYTES = 1_000_000;
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
 * more). Never throws.
 *
 * The header row names the provider's field ids (`provider.fields[].id`, case-sensitive); every
 * field that is neither optional nor generated when blank must have a column. An empty cell
 * leaves the field out. A cell of a multi-select or checkboxes field holds several values
 * separated by `;` (`email;sms`). Problems name rows as a spreadsheet numbers them: the header
 * is row 1, the first account row 2, and a blank line still takes a row number (it is skipped).
 */
export function parseAccountsCsv(content: Buffer | string, provider: AnyProvider, check: RowCheck): { ok: true; rows: CsvRow[] } | { ok: false; problems: string[] } {
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  if (size > CSV_MAX_BYTES) return refuse([`The file is ${Math.ceil(size / 1000)} KB; the limit is 1 MB (${CSV_MAX_ROWS} rows).`]);
  const text = asText(content);
  if (text === undefined) return refuse(['This is not a CSV file: it holds binary data, not text. Save it from the spreadsheet as "CSV UTF-8".']);

  let records: { record: string[]; info: { records: number; empty_lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: false });
  } catch (error) {
    return refuse([`This is not a CSV file I can read: ${csvErrorInWords(error)}.`]);
  }
  const [header, ...data] = records;
  if (!header) return refuse([`The file is empty: put a header row of ${provider.label}'s field ids first, then one row per account.`]);

  const columns = header.record.map((name) => name.trim());
  const headerProblems = columnProblems(columns, provider);
  if (headerProblems.length > 0) return refuse(headerProblems);

  // A spreadsheet saves its empty rows as ",,,": blank lines in all but name.
  const filled = data.filter(({ record }) => record.some((cell) => cell.trim() !== ''));
  if (filled.length === 0) return refuse(['The file has no rows under its header: add one row per account.']);
  if (filled.length > CSV_MAX_ROWS) return refuse([`The file has ${filled.length} rows; the limit is ${CSV_MAX_ROWS} accounts per request.`]);

  const multi = new Set(provider.fields.filter((field) => MULTI_VALUE_KINDS.has(field.kind)).map((field) => field.id));
  const problems: string[] = [];
  const rows: CsvRow[] = [];
  const rowOfTarget = new Map<string, number>();
  for (const { record, info } of filled) {
    const row = info.records + info.empty_lines;
    const form = formOf(columns, record, multi);
    rows.push({ row, form });
    const verdict = check(form);
    if (!verdict.ok) {
      problems.push(...Object.entries(verdict.errors).map(([field, message]) => `Row ${row}: ${fieldLabel(provider, field)}: ${message}`));
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

/** The content as text, or undefined when it is not UTF-8 text (a spreadsheet's .xlsx renamed, an image). */
function asText(content: Buffer | string): string | undefined {
  let text: string;
  if (typeof content === 'string') text = content;
  else {
    try {
      // ignoreBOM keeps a BOM for csv-parse's `bom` to strip, one place for both input types.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content);
    } catch {
      return undefined;
    }
  }
  return text.includes('\0') ? undefined : text;
}

/** csv-parse's message, in words a person with a spreadsheet can act on. */
function csvErrorInWords(error: unknown): string {
  if (!(error instanceof CsvError)) return String(error);
  const { lines, record } = error as CsvError & { lines?: number; record?: string[] };
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a " is never closed, so the file ends inside a quoted value (line ${lines})`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `line ${lines} has ${record?.length === 1 ? '1 value' : `${record?.length} values`}, not as many as the header has columns`;
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `line ${lines} has a stray " (a value with a " in it must be in quotes, with the " doubled)`;
    default:
      return `line ${lines}: ${error.message}`;
  }
}

function columnProblems(columns: string[], provider: AnyProvider): string[] {
  const known = new Set(provider.fields.map((field) => field.id));
  const problems: string[] = [];
  for (const column of columns.filter((name) => !known.has(name))) {
    const which = column === '' ? 'A column has no name' : `The column "${column}" is not a ${provider.label} field`;
    problems.push(`${which}; the columns can be: ${[...known].join(', ')}.`);
  }
  for (const column of new Set(columns.filter((column, index) => columns.indexOf(column) !== index))) {
    problems.push(`The column "${column}" appears more than once.`);
  }
  for (const field of provider.fields) {
    if (!field.optional && !field.generateIfBlank && !columns.includes(field.id)) {
      problems.push(`The column "${field.id}" (${field.label}) is missing; every ${provider.label} account needs it.`);
    }
  }
  return problems;
}

function formOf(columns: string[], record: string[], multi: ReadonlySet<string>): FormValues {
  const form: FormValues = {};
  columns.forEach((column, index) => {
    const cell = record[index]?.trim() ?? '';
    if (cell === '') return;
    if (!multi.has(column)) form[column] = cell;
    else {
      const values = cell.split(';').map((value) => value.trim()).filter((value) => value !== '');
      if (values.length > 0) form[column] = values;
    }
  });
  return form;
}
