import type { Logger } from 'pino';

/** A background loop: `stop()` ends it, `last()` waits for the run under way. */
export interface Loop {
  stop: () => void;
  last: () => Promise<void>;
}

/** Runs `work` every `ms`, never two at once; a failure is logged and the next run goes on. */
export function every(ms: number, work: () => Promise<unknown>, log: Logger, what: string): Loop {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= work()
      .catch((error: unknown) => log.error({ err: error }, `${what} failed`))
      .finally(() => {
        running = undefined;
      });
  }, ms);
  timer.unref();
  return { stop: () => clearInterval(timer), last: async () => void (await running) };
}
