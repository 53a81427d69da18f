import type { App } from '@slack/bolt';
import { isApprover } from '../../../domain/policy/decisions.js';
import { csvValue, presetValue } from '../../blocks/modal.js';
import { AUDIT_USAGE, auditResultsText, helpText, statusText, unknownCommandText } from '../../blocks/replies.js';
import { code, joinMd, md } from '../../blocks/text.js';
import type { SlackDeps } from '../deps.js';
import { payloadOf } from '../../inbound/payloads/index.js';
import { providersFor } from '../../forms/askable.js';
import { formView } from '../../forms/request-form.js';
import { slackError } from '../../workspace/reachability.js';
import { lineId, linksOf, recentShown } from '../../delivery/recent.js';
import { type AuditQuery, parseAuditQuery } from './audit-query.js';
import { labelIn } from '../../../adapters/providers/types.js';

/** Lines in the answer to `/adduser status`. */
const STATUS_LINES = 10;

const TRIGGER_ERRORS = new Set(['expired_trigger_id', 'exchanged_trigger_id', 'invalid_trigger_id']);

/**
 * /adduser [provider | preset | help | status | audit <query>]. The modal opens first thing after the
 * ack: its trigger_id is only valid for three seconds.
 */
export function registerAdduser(app: App, deps: SlackDeps): void {
  const { providers, requests, audit } = deps;
  const labelOf = labelIn(providers);

  /** A batch's records are its members' (each account's own records carry the batch id). */
  async function auditRecords(asked: AuditQuery) {
    switch (asked.kind) {
      case 'actor':
        return audit.forActor(asked.user);
      case 'request':
        return audit.forRequest(asked.id);
      case 'batch': {
        const members = (await requests.getBatch(asked.id))?.members ?? [];
        return (await Promise.all(members.map((id) => audit.forRequest(id)))).flat().sort((a, b) => a.seq - b.seq);
      }
      case 'target':
        return audit.forTarget(asked.target);
    }
  }

  app.command('/adduser', async ({ context, ack, client, respond }) => {
    const command = payloadOf(context, 'adduserCommand');
    const [word = '', ...rest] = command.text.trim().split(/\s+/);
    const sub = word.toLowerCase();

    const presets = deps.policy().presets;
    const presetNames = Object.keys(presets);

    if (sub === 'help') {
      await ack({ response_type: 'ephemeral', text: helpText(providers, presetNames).text });
      return;
    }

    if (sub === 'status') {
      await ack();
      // The last ten lines, a batch being one line however many of its accounts are among them.
      const lines = await recentShown(requests, command.user_id, STATUS_LINES);
      const links = await linksOf(deps.threads, lines.map(lineId));
      await respond({ response_type: 'ephemeral', text: statusText(lines, links, labelOf).text });
      return;
    }

    if (sub === 'audit') {
      await ack();
      const query = rest.join(' ').trim();
      const allowed = await Promise.all(
        providers.map((provider) => isApprover(deps.policy(), deps.directory, provider.id, command.user_id)),
      );
      // An approver reads the history of what they may approve, not of every provider.
      const readable = new Set(providers.filter((_, index) => allowed[index]).map((provider) => provider.id));
      if (readable.size === 0) {
        await respond({ response_type: 'ephemeral', text: md`Only approvers can read the audit log.`.text });
        return;
      }
      if (!query) {
        await respond({ response_type: 'ephemeral', text: md`Usage: ${code(AUDIT_USAGE)}`.text });
        return;
      }
      const asked = parseAuditQuery(query);
      const found = await auditRecords(asked);
      const records = found.filter((record) => readable.has(record.provider));
      await respond({ response_type: 'ephemeral', text: auditResultsText(asked.shown, records).text });
      return;
    }

    // `/adduser csv <provider>`: many accounts of one provider from a file.
    const csv = sub === 'csv';
    const named = csv ? (rest[0] ?? '').toLowerCase() : sub;
    const provider = named ? providers.find((candidate) => candidate.id === named) : undefined;
    if (csv && !provider) {
      await ack({ response_type: 'ephemeral', text: md`Usage: ${code('/adduser csv <provider>')}, with one of ${joinMd(providers.map((candidate) => code(candidate.id)), ', ')}.`.text });
      return;
    }
    // A preset named like a provider is never reached this way: the provider wins (it was there first,
    // and `/adduser <provider>` must keep meaning one account); the preset stays in the form's select.
    const presetName = sub && !provider && Object.hasOwn(presets, sub) ? sub : undefined;
    if (sub && !provider && !presetName) {
      await ack({ response_type: 'ephemeral', text: unknownCommandText(word, providers, presetNames).text });
      return;
    }

    await ack();
    const offered = await providersFor(deps, command.user_id);
    // Every preset is offered: the submit refuses, naming the provider, what this person may not ask for.
    if (!presetName && (offered.length === 0 || (provider && !offered.includes(provider)))) {
      const what = provider ? `${provider.label} accounts` : 'accounts with this bot';
      await respond({ response_type: 'ephemeral', text: md`You are not among the people who may ask for ${what}. Ask your IT team if you need one.`.text });
      return;
    }
    try {
      const choice = csv && provider ? csvValue(provider.id) : presetName ? presetValue(presetName) : provider?.id;
      await client.views.open({ trigger_id: command.trigger_id, view: formView(deps, { offered, choice, channel: command.channel_id }) });
    } catch (error) {
      // A trigger lives 3 s: under load (or a slow Slack) the form may not open. Say so, where the person typed.
      if (!TRIGGER_ERRORS.has(slackError(error) ?? '')) throw error;
      await respond({ response_type: 'ephemeral', text: md`Slack took too long to open the form. Type ${code(`/adduser ${command.text.trim()}`.trim())} again.`.text });
    }
  });
}
