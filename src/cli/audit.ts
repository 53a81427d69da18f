import { pino } from 'pino';
import { providers } from '../adapters/providers/registry.js';
import { openStore } from '../adapters/store/open.js';
import { createSecretBox } from '../adapters/store/sealed.js';
import { parseStoreUrl } from '../adapters/store/url.js';
import { optionalKey, type Secret } from '../config/secret.js';
import { type AuditRecord, createAuditLog } from '../domain/audit.js';
import { undeliverable } from '../slack/delivery/outbox.js';
import { fail, out, readArgs } from './args.js';
import { sealStored } from './seal-stored.js';
import { intactLines, parseAnchor } from './verify-words.js';

const USAGE = `Usage: npm run audit -- <command>
  export [--since ISO-DATE] [--provider ID]   every record as JSON Lines on stdout
  verify [--anchor SEQ:HASH …]                exit 0 when the chain is intact (and holds each anchor the audit
                                              channel showed), 1 naming the first bad record, 2 when keyed
                                              records cannot be checked without ADDUSER_AUDIT_KEY
  tail [--lines N]                            the last N records (default 10), then new ones as they come
  undelivered                                 the Slack messages Slack refused for good (one line each), oldest first
  seal                                        encrypts under ADDUSER_SECRET_KEY the secrets an older version kept in
                                              clear, and binds those it sealed to their place; safe to run again
Reads STORE_URL, ADDUSER_AUDIT_KEY and ADDUSER_SECRET_KEY (environment or .env) like the bot;
default store sqlite://data/adduser.sqlite.`;

const { positionals, values } = readArgs(
  { since: { type: 'string' }, provider: { type: 'string' }, lines: { type: 'string' }, anchor: { type: 'string', multiple: true } },
  USAGE,
);
const command = positionals[0];

/** A key the bot reads too, checked as the bot checks it. */
function readKey(name: 'ADDUSER_SECRET_KEY' | 'ADDUSER_AUDIT_KEY'): Secret | undefined {
  const parsed = optionalKey(name).safeParse(process.env[name]);
  if (!parsed.success) fail(parsed.error.issues.map((issue) => issue.message).join('\n'));
  return parsed.data;
}

const storeUrl = process.env.STORE_URL?.trim() || 'sqlite://data/adduser.sqlite';
const location = parseStoreUrl(storeUrl);
if ('error' in location) fail(location.error);
const since = values.since === undefined ? undefined : Date.parse(values.since);
if (since !== undefined && Number.isNaN(since)) fail(`--since must be an ISO date such as 2026-11-01 or 2026-11-01T09:00:00Z`);
const anchors = (values.anchor ?? []).map((text) => parseAnchor(text) ?? fail(`--anchor takes SEQ:HASH as the audit channel's anchor line shows it (record number, colon, 64 hex digits), not ${text}`));
const auditKey = readKey('ADDUSER_AUDIT_KEY');

const store = await openStore(storeUrl, { log: pino({ level: 'warn' }, pino.destination(2)) });
const audit = createAuditLog(store, { key: auditKey });
const json = (record: AuditRecord) => JSON.stringify(record);

switch (command) {
  case 'export': {
    const wanted = (record: AuditRecord) =>
      (since === undefined || Date.parse(record.at) >= since) && (!values.provider || record.provider === values.provider);
    for (let from = 1; ; ) {
      const page = await audit.read(from, 500);
      for (const record of page) if (wanted(record)) out(json(record));
      if (page.length < 500) break;
      from += page.length;
    }
    break;
  }
  case 'verify': {
    const verdict = await audit.verify(anchors);
    await store.close();
    if (verdict.ok) {
      for (const line of intactLines(verdict, anchors)) out(line);
      process.exit(0);
    }
    if (verdict.problem === 'unverifiable') fail(`audit log not checked: ${verdict.detail}`);
    process.stderr.write(`audit log NOT intact: ${verdict.problem} at record ${verdict.seq}: ${verdict.detail}\n`);
    process.exit(1);
  }
  case 'tail': {
    const lines = Number(values.lines ?? 10);
    if (!Number.isInteger(lines) || lines < 0) fail('--lines must be a whole number');
    let next = Math.max(1, (await audit.head()) - lines + 1);
    let stopped = false;
    process.once('SIGINT', () => (stopped = true));
    process.once('SIGTERM', () => (stopped = true));
    while (!stopped) {
      const page = await audit.read(next, 500);
      for (const record of page) out(json(record));
      next += page.length;
      if (page.length === 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    break;
  }
  case 'undelivered': {
    const entries = await undeliverable(store, Number.MAX_SAFE_INTEGER);
    for (const entry of entries) out(`${entry.at} ${entry.requestId} record ${entry.seq} ${entry.kind} to ${entry.where}: ${entry.error}`);
    process.stderr.write(`${entries.length} undelivered message${entries.length === 1 ? '' : 's'}\n`);
    break;
  }
  case 'seal': {
    const secrets = createSecretBox(readKey('ADDUSER_SECRET_KEY'));
    if (!secrets.encrypts) fail('ADDUSER_SECRET_KEY is not set: there is no key to seal with. Set the one the bot uses.');
    const report = await sealStored(store, secrets, providers);
    out(`secrets kept in the store: ${report.sealed} sealed (were in clear), ${report.bound} bound to their place (were sealed without it), ${report.current} already sealed and bound`);
    for (const place of report.unreadable) process.stderr.write(`cannot be opened with this ADDUSER_SECRET_KEY, left as it is: ${place}\n`);
    await store.close();
    process.exit(report.unreadable.length > 0 ? 1 : 0);
  }
  default:
    fail(`Unknown command: ${command}\n${USAGE}`);
}
await store.close();
