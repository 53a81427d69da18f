import type { z } from 'zod';
import type { FormValues } from '../../adapters/providers/types.js';
import type { viewState } from '../inbound/payloads/common.js';
import { fieldOfAction, IDS } from '../blocks/ids.js';

type StateValues = z.infer<typeof viewState>['values'];
type ViewStateValue = StateValues[string][string];

function valueOf(state: ViewStateValue): string | string[] | undefined {
  if (state.selected_options) return state.selected_options.map((choice) => choice.value ?? '');
  if (state.selected_option) return state.selected_option.value ?? undefined;
  if (typeof state.value === 'string') return state.value;
  return undefined;
}

/** What the person entered, keyed by field id, whatever element collected it. */
export function formValues(values: StateValues): FormValues {
  const form: Record<string, string | string[] | undefined> = {};
  for (const block of Object.values(values)) {
    for (const [actionId, state] of Object.entries(block)) {
      const field = fieldOfAction(actionId);
      if (field) form[field] = valueOf(state);
    }
  }
  return form;
}

export function selectedProvider(values: StateValues | undefined): string | undefined {
  return values?.[IDS.providerBlock]?.[IDS.providerSelect]?.selected_option?.value ?? undefined;
}
