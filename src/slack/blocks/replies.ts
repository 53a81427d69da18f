import type { AnyProvider } from '../../adapters/providers/types.js';
import type { AuditRecord } from '../../domain/audit.js';
import { batchStateText, batchTitle } from './batch-message.js';
import type { ShownLine } from './recent.js';
import { stateLabel } from './request-message.js';
import { clipMd, code, joinMd, link, md, type Mrkdwn, user } from './text.js';

export const AUDIT_USAGE = '/adduser audit <email | @user | request or batch id>';

/** What a person is told when their request needed the store and it did not answer. */
export const STORE_AWAY_TEXT = 'The bot cannot reach its store right now, so nothing was done or saved. Please try again in a minute.';

export function helpText(providers: readonly AnyProvider[], presets: readonly string[] = []): Mrkdwn {
  const ids = joinMd(providers.map((provider) => code(provider.id)), ', ');
  const names = joinMd(presets.map((name) => code(name)), ', ');
  return joinMd(
    [
      md`*/adduser* asks for a new account in a SaaS tool. An approver approves it in the request thread, then the bot creates it.`,
      md`• ${code('/adduser')}: open the request form and choose the provider`,
      md`• ${code('/adduser <provider>')}: open the form straight at one provider (${ids})`,
      ...(presets.length > 0 ? [md`• ${code('/adduser <preset>')}: several accounts for one person at once (${names})`] : []),
      md`• ${code('/adduser csv <provider>')}: many accounts of one provider at once, from a CSV file`,
      md`• ${code('/adduser status')}: your recent requests and where they stand`,
      md`• ${code(AUDIT_USAGE)}: audit records (approvers only)`,
      md`• ${code('/adduser help')}: this message`,
    ],
    '\n',
  );
}

/** The answer to a word /adduser does not know: what was typed, shown as text, then the help. */
export function unknownCommandText(word: string, providers: readonly AnyProvider[], presets: readonly string[] = []): Mrkdwn {
  return md`I don't know ${code(word.slice(0, 40))}.\n${helpText(providers, presets)}`;
}

/** `/adduser status`: a line per request, and one per batch with its title and counts; ids link to their threads where known. */
export function statusText(lines: readonly ShownLine[], links: ReadonlyMap<string, string>, labelOf: (id: string) => string): Mrkdwn {
  if (lines.length === 0) return md`You have no requests yet. Type ${code('/adduser')} to make one.`;
  const idOf = (id: string) => {
    const permalink = links.get(id);
    return permalink ? link(permalink, id) : code(id);
  };
  const shown = lines.map((line) => {
    if (line.kind === 'batch') {
      return md`• ${idOf(line.batch.id)} *${batchTitle(line.batch, line.members, labelOf)}*: ${batchStateText(line.members)}`;
    }
    const { request } = line;
    return md`• ${idOf(request.id)} ${labelOf(request.provider)} for *${request.target}*: ${stateLabel(request)}`;
  });
  return clipMd(joinMd([md`*Your recent requests*`, ...shown], '\n'), 3_000);
}

export function auditResultsText(query: string, records: readonly AuditRecord[]): Mrkdwn {
  if (records.length === 0) return md`No audit records match ${code(query)}.`;
  const shown = records.slice(-30);
  const lines = shown.map((record) => {
    const extra = [
      record.providerUserId && md`id ${record.providerUserId}`,
      record.error && md`error: ${record.error}`,
      record.reason && md`reason: ${record.reason}`,
    ].filter((part): part is Mrkdwn => Boolean(part));
    const dryRun = record.dryRun ? ' · dry run' : '';
    const more = extra.length > 0 ? md` · ${joinMd(extra, ' · ')}` : md``;
    return md`• ${record.at} ${code(record.requestId)} *${record.action}* by ${user(record.actor)} · ${record.provider} · ${record.target}${dryRun}${more}`;
  });
  const header =
    records.length > shown.length
      ? md`Last ${shown.length} of ${records.length} records for ${code(query)}`
      : md`${records.length} record${records.length === 1 ? '' : 's'} for ${code(query)}`;
  return clipMd(joinMd([md`*${header}*`, ...lines], '\n'), 3_900);
}
