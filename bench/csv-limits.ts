// SPEC §6 "Bounded work per request", for the CSV upload: the worst files of about 1 MB that
// can be built, each submitted through the bot's door, with what it answered, how long that
// took, and the longest the bot's own event loop was held meanwhile.
import type { FakeSlack } from '../test/support/fake-slack.js';
import { postToSlackEvents } from '../test/support/slack-requests.js';
import { csvSubmission } from './payloads.js';

/** Under the 1 MB limit, so every file is read, not refused by its size. */
const SIZE = 999_000;

/** `unit(i)` after `head`, for i = 0, 1, 2…, until the file is `SIZE` bytes. */
function fill(head: string, unit: (i: number) => string): string {
  const parts = [head];
  let size = Buffer.byteLength(head);
  for (let i = 0; size < SIZE; i++) {
    const part = unit(i);
    parts.push(part);
    size += Buffer.byteLength(part);
  }
  return parts.join('').slice(0, SIZE);
}

const repeatTo = (head: string, unit: string) => `${head}${unit.repeat(Math.ceil((SIZE - head.length) / unit.length))}`.slice(0, SIZE);

const CC_HEADER = 'email,name,accessLevel,userGroups,sendWelcomeEmail,notify_digest,notify_failures,notify_warnings,notify_unmatched';
const SERVICES = 'email;sms;push;pushbullet;pushover';
/** Whole rows under the header, as many as fit in `SIZE`: a row cut short would end the reading with a syntax error before any row is checked. */
const rowsUpTo = (row: (n: number) => string, most: number) => {
  const lines = [CC_HEADER];
  let size = CC_HEADER.length;
  for (let n = 0; n < most; n++) {
    const line = row(n);
    if (size + 1 + line.length > SIZE) break;
    lines.push(line);
    size += 1 + line.length;
  }
  return lines.join('\n');
};
/** Every value as long as the limits let it be read: 1,000 characters, 100 values in a multi-select cell. */
const atTheLimits = (n: number) =>
  [`${String(n).padStart(994, 'e')}@x.io`, 'n'.repeat(1_000), 'a'.repeat(1_000), '1;'.repeat(100).slice(0, 199), 't'.repeat(1_000), ...Array.from({ length: 4 }, () => 'email;'.repeat(100).slice(0, 599))].join(',');
/** A valid CheckCentral row, its values as long as valid ones get. */
const widest = (n: number) => `bench.widest${n}@example.com,${'n'.repeat(200)},user,${Array.from({ length: 100 }, (_, g) => String(10_000_000 + g)).join(';')},true,${SERVICES},${SERVICES},${SERVICES},${SERVICES}`;

/** Adversarial CheckCentral CSVs by shape: each aims at one step that could grow faster than the file. */
export const CSV_SHAPES: Record<string, () => string> = {
  'header of 190,000 distinct names (issue 22)': () => `${Array.from({ length: 190_000 }, (_, n) => n.toString(36)).join(',')}\n`,
  'header of one name again and again': () => repeatTo('', 'email,'),
  'header of empty names (commas)': () => repeatTo('', ','),
  'many tiny rows': () => fill('email,accessLevel\n', (i) => `b${i}@x.io,user\n`),
  'blank rows (",")': () => repeatTo('email,accessLevel\n', ',\n'),
  'empty lines': () => repeatTo('email,accessLevel\nann@example.com,user\n', '\n'),
  'one huge cell': () => repeatTo('email,accessLevel\n', 'a'),
  'one quoted cell of doubled quotes': () => repeatTo('email,name,accessLevel\nann@example.com,"', '""'),
  "many ';' values in one cell": () => fill('email,accessLevel,userGroups\nann@example.com,user,', (i) => `${i};`),
  'a row of 1,000,000 values': () => repeatTo('email,accessLevel\nann@example.com,user', ','),
  'every value at its limit, 1 MB of rows (all read, all checked)': () => rowsUpTo(atTheLimits, 200),
  '200 rows, one target (duplicates)': () => rowsUpTo(() => widest(0), 200),
  'BOM, CRLF, LF and CR mixed': () => fill('\ufeffemail,accessLevel\r\n', (i) => `m${i}@x.io,user${['\r\n', '\n', '\r'][i % 3]}`),
  '200 valid rows at their longest (stored)': () => rowsUpTo(widest, 200),
};

/** The bot's longest event-loop delay since the last scrape (prom-client's monitorEventLoopDelay, reset by each scrape). */
export async function loopMaxMs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text)?.[1] ?? Number.NaN) * 1000;
}

export interface CsvLimitResult {
  shape: string;
  bytes: number;
  /** Submission → the bot's answer, the worst of the rounds. */
  answerMs: number;
  /** The bot's longest event-loop delay over the submission, the worst of the rounds. */
  loopMaxMs: number;
  answer: string;
}

/**
 * Each shape `rounds` times: a scrape resets the bot's delay histogram, the file is submitted,
 * and a scrape once the bot answered reads the longest delay in between.
 */
export async function measureCsvLimits(args: { url: string; slack: FakeSlack; secret: string; user: string; rounds: number }): Promise<CsvLimitResult[]> {
  const results: CsvLimitResult[] = [];
  for (const [shape, build] of Object.entries(CSV_SHAPES)) {
    const content = build();
    let answerMs = 0;
    let loopMax = 0;
    let answer = '';
    for (let round = 0; round < args.rounds; round++) {
      const file = args.slack.addFile({ user: args.user, name: 'bench-limits.csv', content });
      await loopMaxMs(args.url);
      const submitted = await postToSlackEvents(args.url, csvSubmission(`VLIMITS${results.length}R${round}`, file, 'benchmark: limits before work'), { secret: args.secret });
      loopMax = Math.max(loopMax, await loopMaxMs(args.url));
      answerMs = Math.max(answerMs, submitted.ms);
      answer = submitted.body === '' ? 'accepted' : String((submitted.json() as { errors?: Record<string, string> }).errors?.csv_file ?? submitted.body);
    }
    results.push({ shape, bytes: Buffer.byteLength(content), answerMs, loopMaxMs: loopMax, answer });
  }
  return results;
}
