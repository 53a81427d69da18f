import { afterEach, describe, expect, test } from 'vitest';
import { expireDue, expirySweepInterval } from '../../src/domain/expiry.js';
import { createLiveness } from '../../src/domain/liveness.js';
import { type LifecycleHarness, REQUESTER, START, startLifecycle, TTL_MS } from '../support/lifecycle.js';

/** The expiry sweep and the liveness keys recovery trusts, over a real SQLite store. */
let h: LifecycleHarness;
afterEach(async () => h?.stop());

const form = (email: string) => ({ email, name: 'New User', accessLevel: 'user', userGroups: [], notify_failures: [], reason: 'sweep test' });

describe('expiry sweep', () => {
  test('expires every due request once, by the actor it is given, and leaves the others', async () => {
    h = await startLifecycle({ maxPending: 50 });
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const result = await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: form(`${name}@myorg.example`), channel: 'C1' });
      if (result.ok && 'request' in result) ids.push(result.request.id);
    }
    h.clock.now = START + 60_000;
    await h.lifecycle.submit({ requester: REQUESTER, provider: 'checkcentral', form: form('later@myorg.example'), channel: 'C1' });
    h.clock.now = START + TTL_MS;
    expect(await expireDue(h.requests, h.lifecycle, 'UBOT')).toBe(3);
    expect(await expireDue(h.requests, h.lifecycle, 'UBOT')).toBe(0);
    for (const id of ids) expect((await h.requests.get(id))!.state).toBe('expired');
    expect((await h.audit.forRequest(ids[0]!)).at(-1)).toMatchObject({ action: 'expired', actor: 'UBOT' });
    expect(await h.requests.pendingCount()).toBe(1);
  });

  test('the sweep runs at a tenth of the time to live, at least every 100 ms and at most every minute', () => {
    expect(expirySweepInterval(500)).toBe(100);
    expect(expirySweepInterval(1_000)).toBe(100);
    expect(expirySweepInterval(10_000)).toBe(1_000);
    expect(expirySweepInterval(599_999)).toBe(59_999);
    expect(expirySweepInterval(600_000)).toBe(60_000);
    expect(expirySweepInterval(3 * 86_400_000)).toBe(60_000);
  });
});

describe('liveness', () => {
  test('a process is alive to itself; another only while its key lives; retiring ends it at once', async () => {
    h = await startLifecycle();
    const mine = createLiveness(h.real, 'proc-a', 60_000);
    const theirs = createLiveness(h.real, 'proc-b', 60_000);
    expect(mine.instanceId).toBe('proc-a');
    expect(await mine.alive('proc-a')).toBe(true);
    expect(await mine.alive('proc-b')).toBe(false);
    await theirs.beat();
    expect(await mine.alive('proc-b')).toBe(true);
    expect(await mine.alive('proc-c')).toBe(false);
    await theirs.retire();
    expect(await mine.alive('proc-b')).toBe(false);
    await mine.beat();
    await mine.retire();
    expect(await theirs.alive('proc-a')).toBe(false);
  });

  test('a key lapses after its time to live', async () => {
    h = await startLifecycle();
    const short = createLiveness(h.real, 'proc-short', 50);
    await short.beat();
    expect(await createLiveness(h.real, 'other').alive('proc-short')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await createLiveness(h.real, 'other').alive('proc-short')).toBe(false);
  });
});
