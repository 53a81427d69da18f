import type { Context } from '@slack/bolt';
import type { z } from 'zod';
import { decisionAction, dialogAction, providerSelectAction } from './actions.js';
import { adduserCommand } from './command.js';
import { functionExecutedEvent, homeOpenedEvent } from './events.js';
import { lookupSuggestion } from './options.js';
import { csvSubmission, rejectSubmission, requestSubmission } from './views.js';

/** Every payload the app acts on, by name: the single source of the listeners' types. */
export const payloadSchemas = {
  adduserCommand,
  decisionAction,
  dialogAction,
  providerSelectAction,
  requestSubmission,
  csvSubmission,
  rejectSubmission,
  lookupSuggestion,
  homeOpenedEvent,
  functionExecutedEvent,
} as const;

export type PayloadName = keyof typeof payloadSchemas;
export type Payload<N extends PayloadName> = z.infer<(typeof payloadSchemas)[N]>;

/** A payload that passed its schema, as the gate hands it to Bolt's listeners. */
export interface Admitted {
  name: PayloadName;
  payload: unknown;
}

/** Where the gate puts the parsed payload in Bolt's context (not one of Bolt's own keys). */
export const ADMITTED_KEY = 'admittedPayload';

/**
 * The parsed payload of this listener. Bolt routes by the same fields the gate classified by,
 * so a mismatch is a bug in the gate's routing table, not a bad payload.
 */
export function payloadOf<N extends PayloadName>(context: Context, name: N): Payload<N> {
  const admitted = context[ADMITTED_KEY] as Admitted | undefined;
  if (admitted?.name !== name) {
    throw new Error(`the ${name} listener received ${admitted ? `a ${admitted.name} payload` : 'an unvalidated payload'}`);
  }
  return admitted.payload as Payload<N>;
}
