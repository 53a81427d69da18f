import type { AnyProvider } from '../../adapters/providers/types.js';
import type { AuditRecord } from '../../domain/audit.js';
import type { AccessRequest } from '../../domain/request.js';
import { STATE_LABEL } from './request-message.js';
import { clip, escape, user } from './text.js';

export function helpText(providers: readonly AnyProvider[]): string {
  const ids = providers.map((provider) => `\`${provider.id}\``).join(', ');
  return [
    '*/adduser* asks for a new account in a SaaS tool. An approver approves it in the request thread, then the bot creates it.',
    '• `/adduser`: open the request form and choose the provider',
    `• \`/adduser <provider>\`: open the form straight at one provider (${ids})`,
    '• `/adduser status`: your recent requests and where they stand',
    '• `/adduser audit <email | @user | request id>`: audit records (approvers only)',
    '• `/adduser help`: this message',
  ].join('\n');
}

export function statusText(requests: readonly AccessRequest[], links: ReadonlyMap<string, string>, labelOf: (id: string) => string): string {
  if (requests.length === 0) return 'You have no requests yet. Type `/adduser` to make one.';
  const lines = requests.map((request) => {
    const link = links.get(request.id);
    const id = link ? `<${link}|${request.id}>` : `\`${request.id}\``;
    return `• ${id} ${escape(labelOf(request.provider))} for *${escape(request.target)}*: ${STATE_LABEL[request.state]}`;
  });
  return clip(['*Your recent requests*', ...lines].join('\n'), 3_000);
}

export function auditResultsText(query: string, records: readonly AuditRecord[]): string {
  if (records.length === 0) return `No audit records match \`${escape(query)}\`.`;
  const shown = records.slice(-30);
  const lines = shown.map((record) => {
    const extra = [record.providerUserId && `id ${escape(record.providerUserId)}`, record.error && `error: ${escape(record.error)}`, record.reason && `reason: ${escape(record.reason)}`]
      .filter(Boolean)
      .join(' · ');
    return `• ${record.at} \`${record.requestId}\` *${record.action}* by ${user(record.actor)} · ${escape(record.provider)} · ${escape(record.target)}${record.dryRun ? ' · dry run' : ''}${extra ? ` · ${extra}` : ''}`;
  });
  const header = records.length > shown.length ? `Last ${shown.length} of ${records.length} records for \`${escape(query)}\`` : `${records.length} record${records.length === 1 ? '' : 's'} for \`${escape(query)}\``;
  return clip([`*${header}*`, ...lines].join('\n'), 3_900);
}
