import type { App } from '@slack/bolt';
import { isApprover } from '../../../domain/policy.js';
import { requestModal } from '../../blocks/modal.js';
import { auditResultsText, helpText, statusText } from '../../blocks/replies.js';
import type { SlackDeps } from '../../deps.js';
import { dryRunNotice } from '../../dry-run.js';
import { payloadOf } from '../../payloads/index.js';

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/**
 * /adduser [provider | help | status | audit <query>]. The modal opens first thing after the
 * ack: its trigger_id is only valid for three seconds.
 */
export function registerAdduser(app: App, deps: SlackDeps): void {
  const { providers, lifecycle, audit, config } = deps;
  const labelOf = (id: string) => providers.find((provider) => provider.id === id)?.label ?? id;

  app.command('/adduser', async ({ context, ack, client, respond }) => {
    const command = payloadOf(context, 'adduserCommand');
    const [word = '', ...rest] = command.text.trim().split(/\s+/);
    const sub = word.toLowerCase();

    if (sub === 'help') {
      await ack({ response_type: 'ephemeral', text: helpText(providers) });
      return;
    }

    if (sub === 'status') {
      await ack();
      const requests = await lifecycle.recentFor(command.user_id);
      const links = new Map<string, string>();
      for (const request of requests) {
        const link = (await deps.threads.get(request.id))?.permalink;
        if (link) links.set(request.id, link);
      }
      await respond({ response_type: 'ephemeral', text: statusText(requests, links, labelOf) });
      return;
    }

    if (sub === 'audit') {
      await ack();
      const query = rest.join(' ').trim();
      const allowed = await Promise.all(
        providers.map((provider) => isApprover(config, deps.directory, provider.id, command.user_id)),
      );
      if (!allowed.some(Boolean)) {
        await respond({ response_type: 'ephemeral', text: 'Only approvers can read the audit log.' });
        return;
      }
      if (!query) {
        await respond({ response_type: 'ephemeral', text: 'Usage: `/adduser audit <email | @user | request id>`' });
        return;
      }
      const mention = MENTION.exec(query);
      const records = mention
        ? await audit.forActor(mention[1]!)
        : /^AR-/i.test(query)
          ? await audit.forRequest(query.toUpperCase())
          : await audit.forTarget(query);
      await respond({ response_type: 'ephemeral', text: auditResultsText(query, records) });
      return;
    }

    const provider = sub ? providers.find((candidate) => candidate.id === sub) : undefined;
    if (sub && !provider) {
      await ack({
        response_type: 'ephemeral',
        text: `I don't know \`${word.slice(0, 40)}\`.\n${helpText(providers)}`,
      });
      return;
    }

    await ack();
    await client.views.open({
      trigger_id: command.trigger_id,
      view: requestModal({
        providers,
        provider,
        dryRun: (chosen) => dryRunNotice(config, chosen),
        metadata: { channel: command.channel_id },
      }),
    });
  });
}
