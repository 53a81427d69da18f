import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logging/logger.js';

export interface CapturedLogs {
  log: Logger;
  /** Every serialized line written so far, exactly as it would reach stdout. */
  lines: string[];
  text(): string;
}

/** A logger with the production configuration (redaction included) writing into memory. */
export function captureLogs(level: 'debug' | 'info' | 'trace' = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger(level, sink);
  return { log, lines, text: () => lines.join('\n') };
}
