/** One account of a CSV request, as the results file reports it. */
export interface ResultRow {
  /** The account's row in the uploaded file (header = row 1), so the two files line up. */
  row: number;
  target: string;
  provider: string;
  outcome: string;
  /** The provider's id for the new user, or why there is none. */
  detail: string;
}

const HEADER = ['row', 'target', 'provider', 'outcome', 'provider id or error'];

/**
 * The results CSV posted in the request's thread: RFC 4180 (CRLF line ends, a field with a
 * comma, quote or line break quoted, its quotes doubled). Targets and provider errors come
 * from people and providers, and the file is opened in spreadsheets: a cell that would start
 * a formula (= + - @, tab, CR) gets a leading ' so it stays text.
 */
export function resultsCsv(rows: readonly ResultRow[]): string {
  return csv([HEADER, ...rows.map((result) => [String(result.row), result.target, result.provider, result.outcome, result.detail])]);
}

/** One account of a CSV request as approvers are shown it before they decide: what approvers see of a single request. */
export interface AccountRow {
  row: number;
  provider: string;
  target: string;
  /** The request's details (secrets already masked), by label. */
  details: readonly { label: string; value: string }[];
}

/**
 * Every account of a CSV request as it will be sent, one column per detail any account has
 * (roles, access levels, groups included), posted before anyone can approve: the normalised
 * rows, not the file as uploaded.
 */
export function accountsCsv(rows: readonly AccountRow[]): string {
  const labels = [...new Set(rows.flatMap((row) => row.details.map((detail) => detail.label)))];
  const body = rows.map((account) => {
    const byLabel = new Map(account.details.map((detail) => [detail.label, detail.value]));
    return [String(account.row), account.provider, account.target, ...labels.map((label) => byLabel.get(label) ?? '')];
  });
  return csv([['row', 'provider', 'target', ...labels], ...body]);
}

const csv = (lines: readonly (readonly string[])[]) => lines.map((cells) => `${cells.map(cell).join(',')}\r\n`).join('');

function cell(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}
