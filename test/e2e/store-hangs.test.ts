import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type E2E, startE2E } from '../support/e2e.js';
import { type OwnRedis, startOwnRedis } from '../support/own-redis.js';
import { expectFiledOnceAfter, expectRefusedWhileAway } from '../support/store-outage.js';
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

  test('/readyz says so within a second, a form within 3 s that nothing was saved, /adduser status that the store cannot be reached, and the same form submitted once it answers again is filed once', async () => {
    const form = { user: 'UREQUESTER1', view: await e2e.openModal('UREQUESTER1', 'digicert'), values: FORM };
    const status: { res?: Awaited<ReturnType<E2E['command']>> } = {};
    await expectRefusedWhileAway(e2e, form, {
      begin: redis.pause,
      // Still away: /adduser status, which reads the store after its ack, says why it has no answer.
      end: async () => {
        try {
          status.res = await e2e.command('UREQUESTER1', 'status');
          await waitFor(() => e2e.slack.calls.some((call) => call.method.startsWith('/respond/') && String(call.args.text).includes('cannot reach its store')), { timeoutMs: 3_000, what: 'the status answer' });
        } finally {
          redis.resume();
        }
      },
    });
    expect(status.res?.status).toBe(200);
    await expectFiledOnceAfter(e2e, form);
    expect(e2e.logs.lines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});
