import type { types } from '@slack/bolt';

/** Block Kit rejects over-long texts outright; cut with an ellipsis instead of failing the call. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const plain = (text: string, max = 2_000): types.PlainTextElement => ({ type: 'plain_text', text: clip(text, max), emoji: true });

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const user = (id: string) => `<@${id}>`;

export function dateText(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${iso}>`;
}
