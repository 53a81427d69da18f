import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type E2E, startE2E } from '../support/e2e.js';
import { type OwnRedis, startOwnRedis } from '../support/own-redis.js';
import { expectFiledOnceAfter, expectRefusedWhileAway } from '../support/store-outage.js';

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
    const form = { user: 'UREQUESTER1', view: await e2e.openModal('UREQUESTER1', 'digicert'), values: FORM };
    await expectRefusedWhileAway(e2e, form, { begin: redis.pause, end: redis.resume });
    await expectFiledOnceAfter(e2e, form);
    expect(e2e.logs.lines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});
