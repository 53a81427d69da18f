import type { AuditLog } from '../../../domain/audit.js';
import { isApprover } from '../../../domain/policy/decisions.js';
import { AUDIT_USAGE, auditResultsText } from '../../blocks/replies.js';
import { code, md, type Mrkdwn } from '../../blocks/text.js';
import type { SlackDeps } from '../deps.js';
import { type AuditQuery, parseAuditQuery } from './audit-query.js';

/** A batch's records are its members' (each account's own records carry the batch id). */
async function auditRecords(deps: Pick<SlackDeps, 'audit' | 'requests'>, asked: AuditQuery): Promise<Awaited<ReturnType<AuditLog['forRequest']>>> {
  const { audit } = deps;
  switch (asked.kind) {
    case 'actor':
      return audit.forActor(asked.user);
    case 'request':
      return audit.forRequest(asked.id);
    case 'batch': {
      const members = (await deps.requests.getBatch(asked.id))?.members ?? [];
      return (await Promise.all(members.map((id) => audit.forRequest(id)))).flat().sort((a, b) => a.seq - b.seq);
    }
    case 'target':
      return audit.forTarget(asked.target);
  }
}

/** `/adduser audit <query>`: for approvers, the records of the providers they may approve. */
export async function auditAnswer(deps: Pick<SlackDeps, 'audit' | 'requests' | 'providers' | 'policy' | 'directory'>, user: string, query: string): Promise<Mrkdwn> {
  const allowed = await Promise.all(deps.providers.map((provider) => isApprover(deps.policy(), deps.directory, provider.id, user)));
  // An approver reads the history of what they may approve, not of every provider.
  const readable = new Set(deps.providers.filter((_, index) => allowed[index]).map((provider) => provider.id));
  if (readable.size === 0) return md`Only approvers can read the audit log.`;
  if (!query) return md`Usage: ${code(AUDIT_USAGE)}`;
  const asked = parseAuditQuery(query);
  const records = (await auditRecords(deps, asked)).filter((record) => readable.has(record.provider));
  return auditResultsText(asked.shown, records);
}
