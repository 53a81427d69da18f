import type { SlackViewMiddlewareArgs, ViewErrorsResponseAction } from '@slack/bolt';
import { isStoreUnavailable } from '../../../adapters/store/unavailable.js';

/**
 * `response_action: errors` for the blocks of this view. Slack refuses the whole answer if
 * one key is not an input block of the view, so an error for anything else is shown on the
 * first input block instead of being lost.
 */
export function inlineErrors(view: { blocks: readonly { type: string; block_id?: string }[] }, errors: Record<string, string>): ViewErrorsResponseAction {
  const inputs = view.blocks.flatMap((block) => (block.type === 'input' && block.block_id ? [block.block_id] : []));
  const shown: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors)) {
    const target = inputs.includes(field) ? field : inputs[0];
    if (!target) continue;
    const text = target === field ? message : `${field}: ${message}`;
    shown[target] = shown[target] ? `${shown[target]} ${text}` : text;
  }
  return { response_action: 'errors', errors: shown };
}

/** What a form says when its request could not be stored: the truth, and what to do. */
export const FORM_NOT_SAVED = 'Nothing was saved: the bot cannot reach its store right now. Please submit again in a minute.';

type Ack = SlackViewMiddlewareArgs['ack'];

/**
 * Runs a form's submit so that a store that does not answer is said in the form, in time: every
 * store call has a deadline, and a request the store did not take is never filed later (its own
 * record is written last), so the person is told to submit again and nothing else.
 */
export async function savedOrSaidSo(
  view: { blocks: readonly { type: string; block_id?: string }[] },
  ack: Ack,
  submit: (ack: Ack) => Promise<unknown>,
  /** Gives back what the attempt claimed, so submitting the form again is not taken for a duplicate. */
  unsaved: () => void,
): Promise<void> {
  let acked = false;
  const once = ((response?: Parameters<Ack>[0]) => {
    acked = true;
    return ack(response as never);
  }) as Ack;
  try {
    await submit(once);
  } catch (error) {
    if (!isStoreUnavailable(error) || acked) throw error;
    unsaved();
    await ack(inlineErrors(view, { provider: FORM_NOT_SAVED }));
  }
}
