import type { App, types } from '@slack/bolt';
import { fieldOfAction } from '../../blocks/ids.js';
import type { ModalMetadata } from '../../blocks/modal.js';
import { optionsFrom } from '../../blocks/modal.js';
import { formValues } from '../../forms/state.js';
import type { SlackDeps } from '../deps.js';
import { type Payload, payloadOf } from '../../inbound/payloads/index.js';
import type { AnyProvider } from '../../../adapters/providers/types.js';

/** A typed value offered as itself, so a person can always enter an id the list does not show. */
function typed(query: string, note: string): types.Option[] {
  const value = query.trim();
  if (!/^[\w.@+-]{1,75}$/.test(value)) return [];
  return [{ text: { type: 'plain_text', text: `${value} (${note})`.slice(0, 75) }, value }];
}

/** What a lookup select asks for: which provider's lookup, with what parameter; or only what was typed back (nothing to look up yet). */
export type SuggestionOf =
  | { kind: 'none' }
  | { kind: 'typed'; query: string }
  | { kind: 'lookup'; provider: AnyProvider; lookup: string; param: string | undefined; query: string };

export function suggestionOf(suggestion: Payload<'lookupSuggestion'>, providers: readonly AnyProvider[]): SuggestionOf {
  const fieldId = fieldOfAction(suggestion.action_id);
  const query = suggestion.value;
  let metadata: Partial<ModalMetadata> = {};
  try {
    metadata = JSON.parse(suggestion.view.private_metadata) as Partial<ModalMetadata>;
  } catch {
    metadata = {};
  }
  const provider = providers.find((candidate) => candidate.id === metadata.provider);
  const field = provider?.fields.find((candidate) => candidate.id === fieldId);
  if (!provider || !field?.lookup) return { kind: 'none' };
  const values = formValues(suggestion.view.state.values);
  const dependsOn = field.dependsOn ? values[field.dependsOn] : undefined;
  // A searching lookup asks the provider for what was typed; the others read the field they depend on.
  const param = field.search ? query.trim() : Array.isArray(dependsOn) ? dependsOn[0] : dependsOn;
  if (field.dependsOn && !param) return { kind: 'typed', query };
  return { kind: 'lookup', provider, lookup: field.lookup, param, query };
}

/**
 * Options for provider lookups (groups, accounts, containers, roles), cached by the lookup
 * service. When the provider cannot answer, what the person typed is offered as the id.
 */
export function registerLookups(app: App, deps: SlackDeps): void {
  app.options<'block_suggestion'>({ type: 'block_suggestion' }, async ({ context, ack, logger }) => {
    const asked = suggestionOf(payloadOf(context, 'lookupSuggestion'), deps.providers);
    if (asked.kind === 'none') {
      await ack({ options: [] });
      return;
    }
    const { query } = asked;
    if (asked.kind === 'typed') {
      await ack({ options: typed(query, 'typed id') });
      return;
    }
    const { provider, lookup } = asked;
    try {
      const choices = await deps.lookups.choices(provider, lookup, asked.param);
      const wanted = query.trim().toLowerCase();
      const matching = choices.filter(
        (choice) => !wanted || choice.label.toLowerCase().includes(wanted) || choice.value.toLowerCase() === wanted,
      );
      await ack({ options: matching.length > 0 ? optionsFrom(matching) : typed(query, 'typed id') });
    } catch (error) {
      logger.warn(`lookup ${provider.id}/${lookup} failed: ${(error as Error).message}`);
      await ack({ options: typed(query, 'list unavailable, typed id') });
    }
  });
}

