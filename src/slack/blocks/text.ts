import type { types } from '@slack/bolt';

/** Block Kit rejects over-long texts outright; cut with an ellipsis instead of failing the call. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** plain_text is shown as typed (Slack parses nothing in it), so it needs no escaping. */
export const plain = (text: string, max = 2_000): types.PlainTextElement => ({ type: 'plain_text', text: clip(text, max), emoji: true });

/**
 * Text Slack may read as mrkdwn: block texts of type mrkdwn and the `text` of every message.
 * Only the functions here make one, and each escapes whatever came from outside (what people
 * typed, what a provider answered), so no such value can ping (`<!channel>`, `<@U…>`), link
 * (`<https://x|y>`) or leave a code span. `*`, `_` and `~` are left alone: they can only
 * change how a value looks, never who is notified or where a click goes.
 */
class MrkdwnText {
  constructor(readonly text: string) {}
}
export type Mrkdwn = MrkdwnText;

/** What may be put into `md`: outside text (escaped) or mrkdwn already made here (kept). */
type Interpolated = string | number | Mrkdwn;

const ZERO_WIDTH_SPACE = '\u200B';

/**
 * Outside text made inert: Slack's three control characters escaped as its formatting
 * reference says (that alone stops mentions and links), and no two backticks left adjacent
 * (a zero-width space between them), so a value cannot open or close a code block.
 */
export const escapeText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`(?=`)/g, `\`${ZERO_WIDTH_SPACE}`);

const piece = (value: Interpolated) => (value instanceof MrkdwnText ? value.text : escapeText(String(value)));

/**
 * mrkdwn from a template: the literal parts are the bot's own formatting, every interpolated
 * string is escaped, and only `Mrkdwn` (mentions, links, code made by the helpers below) is
 * kept as it is. `md\`for *${target}*\`` cannot carry a raw `<!here>`, whatever target holds.
 */
export function md(literals: TemplateStringsArray, ...values: readonly Interpolated[]): Mrkdwn {
  let text = literals[0] ?? '';
  values.forEach((value, i) => {
    text += piece(value) + (literals[i + 1] ?? '');
  });
  return new MrkdwnText(text);
}

/**
 * mrkdwn written by the bot itself or checked where it was made (the approver mentions built
 * from configuration, the domain's refusal sentences): the one way to skip escaping, so a
 * reader can find every such place.
 */
export const trusted = (text: string): Mrkdwn => new MrkdwnText(text);

export function joinMd(parts: readonly Interpolated[], separator: string): Mrkdwn {
  return new MrkdwnText(parts.map(piece).join(escapeText(separator)));
}

/**
 * Cuts mrkdwn to `max` characters without leaving half an entity (`&am`) or half a mention or
 * link (`<https://exa`), and closes a code block the cut left open.
 */
export function clipMd(value: Mrkdwn, max: number): Mrkdwn {
  if (value.text.length <= max) return value;
  let cut = value.text.slice(0, max - 4).replace(/&[a-z]*$/, '');
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  const fences = cut.split('```').length - 1;
  return new MrkdwnText(`${cut}…${fences % 2 === 1 ? '```' : ''}`);
}

/** A mrkdwn text object for blocks; its text is clipped to Block Kit's limit. */
export const mrkdwn = (value: Mrkdwn, max = 3_000): types.MrkdwnElement => ({ type: 'mrkdwn', text: clipMd(value, max).text });

/**
 * Inline code. Nothing escapes a backtick inside it, so each one becomes a look-alike (ˋ)
 * that cannot end the span; & < > are escaped as everywhere else.
 */
export const code = (text: string): Mrkdwn => new MrkdwnText(`\`${escapeText(text.replace(/`/g, 'ˋ'))}\``);

/**
 * A code block. Its text is escaped like any other (Slack shows &lt; in it as <), and a
 * backtick at either end is kept off the fence, so nothing in it can close the fence early
 * and let what follows be read as mrkdwn.
 */
export function codeBlock(text: string): Mrkdwn {
  const inner = escapeText(text)
    .replace(/^`/, `${ZERO_WIDTH_SPACE}\``)
    .replace(/`$/, `\`${ZERO_WIDTH_SPACE}`);
  return new MrkdwnText(`\`\`\`${inner}\`\`\``);
}

/** A block quote of outside text, every line of it. */
export const quote = (text: string): Mrkdwn => new MrkdwnText(`>${escapeText(text).replace(/\n/g, '\n>')}`);

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CGD][A-Z0-9]{2,}$/;
const SLACK_GROUP = /^S[A-Z0-9]{2,}$/;

/** A mention of a Slack user; anything that is not a user id is shown as text, never parsed. */
export const user = (id: string): Mrkdwn => (SLACK_USER.test(id) ? new MrkdwnText(`<@${id}>`) : md`${id}`);

/** A mention of a user group (it notifies its members); anything else is shown as text. */
export const group = (id: string): Mrkdwn => (SLACK_GROUP.test(id) ? new MrkdwnText(`<!subteam^${id}>`) : md`${id}`);

/** A link to a channel; anything that is not a channel id is shown as text. */
export const channel = (id: string): Mrkdwn => (SLACK_CHANNEL.test(id) ? new MrkdwnText(`<#${id}>`) : md`${id}`);

/** A link with a label. The URL cannot end the link early (no `>` or `|` survives in it). */
export const link = (url: string, label: Interpolated): Mrkdwn =>
  new MrkdwnText(`<${escapeText(url).replace(/\|/g, '%7C')}|${piece(label)}>`);

/** A date every reader sees in their own time zone; the ISO text is the fallback. */
export function date(iso: string): Mrkdwn {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Number.isFinite(seconds) ? new MrkdwnText(`<!date^${seconds}^{date_short_pretty} {time}|${escapeText(iso)}>`) : md`${iso}`;
}
