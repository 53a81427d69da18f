import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { byUserKey } from '../../src/domain/requests/keys.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type E2E, startE2E } from '../support/e2e.js';
import { type OwnRedis, startOwnRedis } from '../support/own-redis.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-hang-key-5d0c';
const FORM = { username: 'hung.store', first_name: 'Hugo', last_name: 'Hung', email: 'hung.store@example.com', container: '93288', access_roles: ['5'], reason: 'store hang test' };

describe('a Redis that stops answering without closing its connections (SIGSTOP)', { timeout: 60_000 }, () => {
  let dc: DigiCertSimulator;
  let redis: OwnRedis;
  let e2e: E2E;
  beforeAll(async () => {
    [dc, redis] = await Promise.all([startDigiCertSimulator({ apiKey: DC_KEY }), startOwnRedis()]);
    e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: 'UAPPROVER01', STORE_URL: redis.url }, { limits: 'none' });
  });
  afterAll(async () => {
    await e2e?.close();
    await Promise.all([dc?.close(), redis?.close()]);
  });

  test('/readyz says so within a second, a form within 3 s that nothing was saved, and the same form submitted once it answers again is filed once', async () => {
    const view = await e2e.openModal('UREQUESTER1', 'digicert');
    redis.pause();
    let readyMs: number;
    let ready: { status: number; body: string };
    let submitted: Awaited<ReturnType<E2E['submit']>>;
    try {
      const started = Date.now();
      const res = await fetch(`${e2e.url}/readyz`);
      ready = { status: res.status, body: await res.text() };
      readyMs = Date.now() - started;
      submitted = await e2e.submit('UREQUESTER1', view, FORM);
    } finally {
      redis.resume();
    }
    expect(readyMs).toBeLessThan(1_000);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/^store: unavailable \(.+\)$/m);
    expect(submitted.ms).toBeLessThan(3_000);
    expect(submitted.json()).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(submitted.json())).toContain('Nothing was saved');

    await waitFor(async () => (await fetch(`${e2e.url}/readyz`)).status === 200, { timeoutMs: 3_000, what: '/readyz to be 200 again' });
    const before = e2e.slack.calls.length;
    const again = await e2e.submit('UREQUESTER1', view, FORM);
    expect(again.body).toBe('');
    const id = await e2e.postedRequestId(before);
    const filed = await e2e.store.range<string>(byUserKey('UREQUESTER1'), 0, -1);
    expect((await Promise.all(filed.map((each) => e2e.request(each)))).filter(Boolean).map((request) => request!.id)).toEqual([id]);
    expect(e2e.logs.lines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});
