import type { Logger } from 'pino';

/**
 * Work that need not hold up the caller: audit appends (the provider call waits for nobody;
 * appends are queued in order per process, so the chain still reads approved → provisioning)
 * and provider calls after an ack. `settled()` waits for all of it.
 */
export class Background {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  run(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error: unknown) => this.log.error({ err: error }, 'background lifecycle work failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }

  /** Resolves once provider calls and audit records under way are done (for shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }
}
