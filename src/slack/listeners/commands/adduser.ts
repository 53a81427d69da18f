import type { App, RespondFn, webApi } from '@slack/bolt';
import { labelIn } from '../../../adapters/providers/types.js';
import { csvValue, presetValue } from '../../blocks/modal.js';
import { helpText, STORE_AWAY_TEXT, statusText, unknownCommandText } from '../../blocks/replies.js';
import { isStoreUnavailable } from '../../../adapters/store/unavailable.js';
import { code, joinMd, md } from '../../blocks/text.js';
import { lineId, linksOf, recentShown } from '../../delivery/recent.js';
import { providersFor } from '../../forms/askable.js';
import { formView } from '../../forms/request-form.js';
import { type Payload, payloadOf } from '../../inbound/payloads/index.js';
import { slackError } from '../../workspace/reachability.js';
import type { SlackDeps } from '../deps.js';
import { adduserIntent, type AdduserIntent } from './adduser-intent.js';
import { auditAnswer } from './audit-answer.js';

/** Lines in the answer to `/adduser status`. */
const STATUS_LINES = 10;

const TRIGGER_ERRORS = new Set(['expired_trigger_id', 'exchanged_trigger_id', 'invalid_trigger_id']);

type Command = Payload<'adduserCommand'>;

/** `/adduser status`: the last ten lines, a batch being one line however many of its accounts are among them. */
async function statusAnswer(deps: SlackDeps, user: string): Promise<string> {
  const lines = await recentShown(deps.requests, user, STATUS_LINES);
  const links = await linksOf(deps.threads, lines.map(lineId));
  return statusText(lines, links, labelIn(deps.providers)).text;
}

/** The request form at what the command named, for a person who may ask for it. */
async function openForm(deps: SlackDeps, command: Command, intent: Extract<AdduserIntent, { kind: 'form' }>, client: webApi.WebClient, respond: RespondFn): Promise<void> {
  const { provider, preset, csv } = intent;
  const offered = await providersFor(deps, command.user_id);
  // Every preset is offered: the submit refuses, naming the provider, what this person may not ask for.
  if (!preset && (offered.length === 0 || (provider && !offered.includes(provider)))) {
    const what = provider ? `${provider.label} accounts` : 'accounts with this bot';
    await respond({ response_type: 'ephemeral', text: md`You are not among the people who may ask for ${what}. Ask your IT team if you need one.`.text });
    return;
  }
  try {
    const choice = csv && provider ? csvValue(provider.id) : preset ? presetValue(preset) : provider?.id;
    await client.views.open({ trigger_id: command.trigger_id, view: formView(deps, { offered, choice, channel: command.channel_id }) });
  } catch (error) {
    // A trigger lives 3 s: under load (or a slow Slack) the form may not open. Say so, where the person typed.
    if (!TRIGGER_ERRORS.has(slackError(error) ?? '')) throw error;
    await respond({ response_type: 'ephemeral', text: md`Slack took too long to open the form. Type ${code(`/adduser ${command.text.trim()}`.trim())} again.`.text });
  }
}

/** An answer read from the store, or, acknowledged already, the reason there is none. */
async function orStoreAway(answer: () => Promise<string>): Promise<string> {
  try {
    return await answer();
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    return STORE_AWAY_TEXT;
  }
}

/**
 * /adduser [provider | preset | csv <provider> | help | status | audit <query>]. What it asks
 * for is read by `adduserIntent`; answers that need no lookup go in the ack, the rest after it.
 * The modal opens first thing after the ack: its trigger_id is only valid for three seconds.
 */
export function registerAdduser(app: App, deps: SlackDeps): void {
  const { providers } = deps;
  app.command('/adduser', async ({ context, ack, client, respond }) => {
    const command = payloadOf(context, 'adduserCommand');
    const presetNames = Object.keys(deps.policy().presets);
    const intent = adduserIntent(command.text, providers, presetNames);
    switch (intent.kind) {
      case 'help':
        return ack({ response_type: 'ephemeral', text: helpText(providers, presetNames).text });
      case 'csv-usage':
        return ack({ response_type: 'ephemeral', text: md`Usage: ${code('/adduser csv <provider>')}, with one of ${joinMd(providers.map((candidate) => code(candidate.id)), ', ')}.`.text });
      case 'unknown':
        return ack({ response_type: 'ephemeral', text: unknownCommandText(intent.word, providers, presetNames).text });
      case 'status': {
        await ack();
        await respond({ response_type: 'ephemeral', text: await orStoreAway(() => statusAnswer(deps, command.user_id)) });
        return;
      }
      case 'audit': {
        await ack();
        await respond({ response_type: 'ephemeral', text: await orStoreAway(async () => (await auditAnswer(deps, command.user_id, intent.query)).text) });
        return;
      }
      case 'form':
        await ack();
        return openForm(deps, command, intent, client, respond);
    }
  });
}
