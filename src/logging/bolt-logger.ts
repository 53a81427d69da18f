import { format } from 'node:util';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/** The Bolt level that matches a pino level, for Bolt's `logLevel` option. */
export function boltLevel(level: string): LogLevel {
  switch (level) {
    case 'trace':
    case 'debug':
      return LogLevel.DEBUG;
    case 'info':
      return LogLevel.INFO;
    case 'warn':
      return LogLevel.WARN;
    default:
      return LogLevel.ERROR;
  }
}

/**
 * Where wire content starts in a line of Bolt, the Socket Mode client or the WebClient: a
 * serialized object or array (envelopes received, WebSocket messages and acks sent, Web API
 * request bodies, headers and results, stored responses, inspected objects), or the text
 * after a label that introduces a body or an unparsable payload.
 */
const CONTENT_START = /[{[]|\b(?:body|data|payload|storedResponse)\s*[:=]\s*|\(will ignore\):\s*/i;

/**
 * What a line of these libraries says, without what went over the wire. Whole payloads carry
 * what people typed into the modal (a password field included) and the Web API echoes message
 * texts (a generated password shown privately): their content is not the log's business,
 * whatever the line's level or wording, so the line keeps its first words and the size of the rest.
 */
export function summariseLibraryLine(text: string): string {
  const start = CONTENT_START.exec(text);
  if (!start) return text;
  const contentAt = start.index + (start[0].startsWith('{') || start[0].startsWith('[') ? 0 : start[0].length);
  // "(body: …)": the closing parenthesis is the line's, not the content's.
  const close = start[0].startsWith('{') || start[0].startsWith('[') || !text.endsWith(')') ? '' : ')';
  const omitted = Buffer.byteLength(text.slice(contentAt, text.length - close.length));
  return omitted === 0 ? text : `${text.slice(0, contentAt)}[${omitted} bytes of content not logged]${close}`;
}

/**
 * Lines the libraries repeat on every retry while Slack cannot be reached. The bot says once
 * what is wrong (src/slack/reachability.ts) and each undelivered message is logged by the
 * outbox, so these are detail: debug, not a warning per attempt.
 */
const RETRY_NOISE = /^(?:http request failed|Failed to retrieve a new WSS URL)/;

/**
 * Bolt and its WebClient log through the app's pino logger (same redaction, same JSON),
 * each line summarised so that no payload, body or result reaches the log.
 * Bolt calls setLevel() at start-up with its own idea of the level; the pino logger's
 * configured level stays authoritative, so setLevel only records what Bolt asked for.
 */
export function boltLogger(parent: Logger, component = 'bolt'): BoltLogger {
  let child = parent.child({ component });
  let requested = boltLevel(parent.level);
  const write = (asked: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    // Demoting only lowers a level: a line whose asked level is off stays unformatted.
    if (!child.isLevelEnabled(asked)) return;
    const line = format(...msg);
    const level = RETRY_NOISE.test(line) ? 'debug' : asked;
    if (child.isLevelEnabled(level)) child[level](summariseLibraryLine(line));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (level: LogLevel) => {
      requested = level;
    },
    getLevel: () => requested,
    setName: (name: string) => {
      child = parent.child({ component: name });
    },
  };
}
