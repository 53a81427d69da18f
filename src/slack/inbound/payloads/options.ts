import { z } from 'zod';
import { interactiveEnvelope, viewState } from './common.js';

/** A lookup select of the request modal asking for options; the modal says which provider. */
export const lookupSuggestion = z.looseObject({
  type: z.literal('block_suggestion'),
  ...interactiveEnvelope,
  action_id: z.string(),
  value: z.string(),
  view: z.looseObject({ private_metadata: z.string(), state: viewState }),
});
