import { z } from 'zod';
import { id, interactiveEnvelope } from './common.js';

/** Bolt dispatches on the first action only; Slack sends one per click. */
const firstAction = <T extends z.ZodType>(action: T) => z.tuple([action], z.unknown());

const button = z.looseObject({ action_id: z.string(), value: z.string() });

/** Approve, Cancel, Retry, Mark as done on a request message or the App Home. */
export const decisionAction = z.looseObject({
  type: z.literal('block_actions'),
  ...interactiveEnvelope,
  actions: firstAction(button),
  message: z.looseObject({ thread_ts: z.string().optional() }).optional(),
});

/** Reject and Show the password open a dialog, which needs the click's trigger. */
export const dialogAction = decisionAction.extend({ trigger_id: id });

/** The provider select of the request modal: the modal is rebuilt in place. */
export const providerSelectAction = z.looseObject({
  type: z.literal('block_actions'),
  ...interactiveEnvelope,
  actions: firstAction(z.looseObject({ action_id: z.string(), selected_option: z.looseObject({ value: z.string() }) })),
  view: z.looseObject({ id, hash: z.string(), private_metadata: z.string() }),
});

