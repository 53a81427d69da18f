/**
 * The store did not answer in time, or answered that it cannot serve (connection refused, a
 * locked or read-only database, a full disk). Callers tell the person that nothing was recorded
 * instead of failing as a bug: the domain and Slack layers recognise it without knowing which
 * backend or client raised it.
 */
export class StoreUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`the store is unavailable (${reason})`);
    this.name = 'StoreUnavailable';
  }
}

export const isStoreUnavailable = (error: unknown): error is StoreUnavailable => error instanceof StoreUnavailable;
