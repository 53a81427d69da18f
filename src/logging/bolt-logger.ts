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
 * Bolt and its WebClient log through the app's pino logger (same redaction, same JSON).
 * Bolt calls setLevel() at start-up with its own idea of the level; the pino logger's
 * configured level stays authoritative, so setLevel only records what Bolt asked for.
 */
export function boltLogger(parent: Logger, component = 'bolt'): BoltLogger {
  let child = parent.child({ component });
  let requested = boltLevel(parent.level);
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    if (!child.isLevelEnabled(level)) return;
    const text = format(...msg);
    // The WebClient's debug output includes whole request bodies: message texts, among them a
    // generated password shown privately to one person. Their content is not the log's business.
    if (text.startsWith('http request body')) return;
    child[level](text);
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
