import { userId } from '../../inbound/payloads/common.js';

export type AuditQuery =
  | { kind: 'actor'; user: string; shown: string }
  | { kind: 'request'; id: string; shown: string }
  | { kind: 'batch'; id: string; shown: string }
  | { kind: 'target'; target: string; shown: string };

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;
const MAILTO = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/;

/** The three characters Slack always escapes in what people type. */
const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * What `/adduser audit …` asks for, from the text as Slack sends it with should_escape: a
 * typed `@name` arrives as `<@U…|name>` and a typed email as `<mailto:a@b.c|a@b.c>`. A bare
 * user id (from a profile's "Copy member ID") is a person too.
 */
export function parseAuditQuery(text: string): AuditQuery {
  const mention = MENTION.exec(text);
  if (mention) return { kind: 'actor', user: mention[1]!, shown: mention[1]! };
  if (userId.safeParse(text).success) return { kind: 'actor', user: text, shown: text };
  if (/^AR-/i.test(text)) return { kind: 'request', id: text.toUpperCase(), shown: text.toUpperCase() };
  if (/^AB-/i.test(text)) return { kind: 'batch', id: text.toUpperCase(), shown: text.toUpperCase() };
  const target = unescape(MAILTO.exec(text)?.[1] ?? text);
  return { kind: 'target', target, shown: target };
}
