import type { Logger } from 'pino';
import { isStoreUnavailable } from '../../adapters/store/unavailable.js';

/**
 * Work that need not hold up the caller: audit appends (the provider call waits for nobody;
 * appends are queued in order per process, so the chain still reads approved → provisioning)
 * and provider calls after an ack. `settled()` waits for all of it.
 */
export class Background {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  run(work: Promise<void>): Promise<void> {
    // An outage of the store is said once by the store itself; what it left undone is recovered after.
    const tracked = work.catch((error: unknown) => {
      if (isStoreUnavailable(error)) this.log.warn({ reason: error.reason }, 'background lifecycle work stopped: the store is unavailable');
      else this.log.error({ err: error }, 'background lifecycle work failed');
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }

  /** Resolves once provider calls and audit records under way are done (for shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }
}
