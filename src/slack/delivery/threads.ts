import type { Store } from '../../adapters/store/types.js';

export interface Thread {
  channel: string;
  ts: string;
  permalink?: string;
}

const key = (requestId: string) => `slack:thread:${requestId}`;
const listedKey = (batchId: string) => `slack:thread:${batchId}:accounts-listed`;

/**
 * Where a request's message lives. Written once, by whoever posted it, under its own key so
 * it never races a state transition of the request record.
 */
export function createThreads(store: Store) {
  return {
    get: (requestId: string) => store.get<Thread>(key(requestId)),
    save: (requestId: string, thread: Thread) => store.add(key(requestId), thread),
    /** Whether a CSV batch's thread holds its accounts file, which approvers must be able to read before they may approve. */
    accountsListed: async (batchId: string) => (await store.get<boolean>(listedKey(batchId))) === true,
    markAccountsListed: (batchId: string) => store.add(listedKey(batchId), true),
  };
}

export type Threads = ReturnType<typeof createThreads>;
