import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * For a loop of synchronous steps that may run long (SPEC §6: no request holds the event loop
 * more than 100 ms): `await pace()` between steps hands the loop back once `budgetMs` have gone
 * by since it last had it, and costs nothing until then.
 */
export function pacer(budgetMs = 10): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await nextTurn();
    since = performance.now();
  };
}
