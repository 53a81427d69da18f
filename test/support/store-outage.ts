import { expect } from 'vitest';
import { byUserKey } from '../../src/domain/requests/keys.js';
import type { OpenedView, SlackDriver } from './driver.js';
import type { SlackResponse } from './slack-requests.js';
import { waitFor } from './wait.js';

/**
 * What a probe and a person meet while the store is away (between `begin` and `end`): /readyz
 * answered 503 within a second, and the form's submission told within Slack's 3 s, in the form,
 * that nothing was saved. `end` runs whatever fails.
 */
export async function expectRefusedWhileAway(
  driver: SlackDriver,
  form: { user: string; view: OpenedView; values: Record<string, string | string[]> },
  outage: { begin: () => unknown; end: () => unknown },
): Promise<{ ready: { status: number; body: string; ms: number }; submitted: SlackResponse }> {
  await outage.begin();
  let ready: { status: number; body: string; ms: number };
  let submitted: SlackResponse;
  try {
    const started = Date.now();
    const res = await fetch(`${driver.url}/readyz`);
    ready = { status: res.status, body: await res.text(), ms: Date.now() - started };
    submitted = await driver.submit(form.user, form.view, form.values);
  } finally {
    await outage.end();
  }
  expect(ready.ms).toBeLessThan(1_000);
  expect(ready.status).toBe(503);
  expect(ready.body).toMatch(/^store: unavailable \(.+\)$/m);
  expect(submitted.ms).toBeLessThan(3_000);
  expect(submitted.json()).toMatchObject({ response_action: 'errors' });
  expect(JSON.stringify(submitted.json())).toContain('Nothing was saved');
  return { ready, submitted };
}

/** Once the store is back: /readyz is 200 again, and the same form submitted again is filed, once. */
export async function expectFiledOnceAfter(driver: SlackDriver, form: { user: string; view: OpenedView; values: Record<string, string | string[]> }): Promise<void> {
  await waitFor(async () => (await fetch(`${driver.url}/readyz`)).status === 200, { timeoutMs: 3_000, what: '/readyz to be 200 again' });
  const before = driver.slack.calls.length;
  const again = await driver.submit(form.user, form.view, form.values);
  expect(again.body).toBe('');
  const id = await driver.postedRequestId(before);
  const filed = await driver.store.range<string>(byUserKey(form.user), 0, -1);
  expect((await Promise.all(filed.map((each) => driver.request(each)))).filter(Boolean).map((request) => request!.id)).toEqual([id]);
}
