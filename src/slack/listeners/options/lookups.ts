import type { App, types } from '@slack/bolt';
import { fieldOfAction } from '../../blocks/ids.js';
import type { ModalMetadata } from '../../blocks/modal.js';
import { optionsFrom } from '../../blocks/modal.js';
import { formValues } from '../../forms/state.js';
import type { SlackDeps } from '../deps.js';
import { payloadOf } from '../../inbound/payloads/index.js';

/** A typed value offered as itself, so a person can always enter an id the list does not show. */
function typed(query: string, note: string): types.Option[] {
  const value = query.trim();
  if (!/^[\w.@+-]{1,75}$/.test(value)) return [];
  return [{ text: { type: 'plain_text', text: `${value} (${note})`.slice(0, 75) }, value }];
}

/**
 * Options for provider lookups (groups, accounts, containers, roles), cached by the lookup
 * service. When the provider cannot answer, what the person typed is offered as the id.
 */
export function registerLookups(app: App, deps: SlackDeps): void {
  app.options<'block_suggestion'>({ type: 'block_suggestion' }, async ({ context, ack, logger }) => {
    const suggestion = payloadOf(context, 'lookupSuggestion');
    const fieldId = fieldOfAction(suggestion.action_id);
    const query = suggestion.value;
    let metadata: Partial<ModalMetadata> = {};
    try {
      metadata = JSON.parse(suggestion.view.private_metadata) as Partial<ModalMetadata>;
    } catch {
      metadata = {};
    }
    const provider = deps.providers.find((candidate) => candidate.id === metadata.provider);
    const field = provider?.fields.find((candidate) => candidate.id === fieldId);
    if (!provider || !field?.lookup) {
      await ack({ options: [] });
      return;
    }
    const values = formValues(suggestion.view.state.values);
    const dependsOn = field.dependsOn ? values[field.dependsOn] : undefined;
    // A searching lookup asks the provider for what was typed; the others read the field they depend on.
    const param = field.search ? query.trim() : Array.isArray(dependsOn) ? dependsOn[0] : dependsOn;
    if (field.dependsOn && !param) {
      await ack({ options: typed(query, 'typed id') });
      return;
    }
    try {
      const choices = await deps.lookups.choices(provider, field.lookup, param);
      const wanted = query.trim().toLowerCase();
      const matching = choices.filter(
        (choice) => !wanted || choice.label.toLowerCase().includes(wanted) || choice.value.toLowerCase() === wanted,
      );
      await ack({ options: matching.length > 0 ? optionsFrom(matching) : typed(query, 'typed id') });
    } catch (error) {
      logger.warn(`lookup ${provider.id}/${field.lookup} failed: ${(error as Error).message}`);
      await ack({ options: typed(query, 'list unavailable, typed id') });
    }
  });
}

