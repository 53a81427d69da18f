import type { ViewErrorsResponseAction } from '@slack/bolt';

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
