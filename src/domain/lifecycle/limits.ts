import type { Core } from './core.js';

/** Whether a batch still has a member waiting for approval (read until the first that does). */
async function batchWaiting(core: Core, batchId: string): Promise<boolean> {
  for (const id of (await core.requests.getBatch(batchId))?.members ?? []) {
    if ((await core.requests.get(id))?.state === 'pending') return true;
  }
  return false;
}

/** Requests this person has waiting for approval, a batch counting as one: it was asked for once. */
async function waitingOf(core: Core, requester: string): Promise<number> {
  const { index, requests, deps } = core;
  const single = await index.pendingOf(requests.get, requester, deps.maxPending);
  const batches = await index.pendingBatchesOf(requester, deps.maxPending - single.length, (batchId) => batchWaiting(core, batchId));
  return single.length + batches.length;
}

const tooManyWaiting = (waiting: number) =>
  `You already have ${waiting} requests waiting for approval, the most one person may have. Cancel one from the App Home, or wait for a decision.`;

/** Whether this person may file one more request (or a batch of `accounts`) now; the refusal says why. */
export async function admitMore(core: Core, requester: string, accounts = 1): Promise<string | undefined> {
  const waiting = await waitingOf(core, requester);
  if (waiting >= core.deps.maxPending) return tooManyWaiting(waiting);
  // A batch counts once above, so 200-account batches cannot add up to thousands of accounts waiting.
  const limit = core.deps.maxPendingAccounts;
  const accountsWaiting = await core.index.pendingAccountsOf(core.requests.get, requester, limit - accounts + 1);
  if (accountsWaiting + accounts <= limit) return undefined;
  const asked = accounts === 1 ? 'one more' : `${accounts} more`;
  return `You already have ${accountsWaiting} accounts waiting for approval; ${asked} would pass ${limit}, the most one person may have waiting. Wait for a decision, or cancel a request from the App Home.`;
}
