import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CheckCentralSimulator, startCheckCentralSimulator } from '../simulators/checkcentral.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { type E2E, startE2E } from '../support/e2e.js';
import { functionExecutedPayload } from '../support/slack-requests.js';
import { lockSqliteFile } from '../support/sqlite-lock.js';
import { expectFiledOnceAfter, expectRefusedWhileAway } from '../support/store-outage.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-locked-key-2b9e';
const CC_TOKEN = 'cc-locked-token-8f2a';
const FORM = { username: 'locked.out', first_name: 'Lock', last_name: 'Smith', email: 'locked.out@example.com', container: '93288', access_roles: ['5'], reason: 'store lock test' };

describe('a SQLite file another process keeps locked', { timeout: 60_000 }, () => {
  let dc: DigiCertSimulator;
  let cc: CheckCentralSimulator;
  let e2e: E2E;
  beforeAll(async () => {
    [dc, cc] = await Promise.all([startDigiCertSimulator({ apiKey: DC_KEY }), startCheckCentralSimulator({ token: CC_TOKEN })]);
    const env = { DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, CHECKCENTRAL_API_TOKEN: CC_TOKEN, CHECKCENTRAL_BASE_URL: cc.url, ADDUSER_APPROVERS: 'UAPPROVER01' };
    e2e = await startE2E(env, { limits: 'none' });
  });
  afterAll(async () => {
    await e2e.close();
    await Promise.all([dc.close(), cc.close()]);
  });

  test('/readyz names the lock within a second, a form is told nothing was saved, and the same form submitted once the lock is gone is filed once', async () => {
    const form = { user: 'UREQUESTER1', view: await e2e.openModal('UREQUESTER1', 'digicert'), values: FORM };
    let lock: Awaited<ReturnType<typeof lockSqliteFile>>;
    const { ready } = await expectRefusedWhileAway(e2e, form, { begin: async () => (lock = await lockSqliteFile(join(e2e.dir, 'e2e.sqlite'))), end: () => lock.release() });
    expect(ready.body).toContain('store: unavailable (the database file is locked by another process)');
    await expectFiledOnceAfter(e2e, form);

    const lines = e2e.logs.lines;
    expect(lines.filter((line) => line.includes('"msg":"the store is unavailable: the database file is locked by another process"'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('"msg":"the store is back after'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });

  test('a workflow step run while the file is locked is refused with 503, so Slack delivers it again, and that delivery files it', async () => {
    const execution = e2e.slack.startExecution();
    e2e.slack.addUser('UREQUESTER2');
    const inputs = { provider: 'checkcentral', user_context: { id: 'UREQUESTER2', secret: 'c2VjcmV0' }, reason: 'Joins on Monday', email: 'stella.locked@myorg.example', first_name: 'Stella', last_name: 'Locked', username: '', preset: null, fields: '{"accessLevel":"user"}' };
    const deliver = () => e2e.send(JSON.stringify(functionExecutedPayload(execution, inputs)), { headers: { 'content-type': 'application/json' } });
    const lock = await lockSqliteFile(join(e2e.dir, 'e2e.sqlite'));
    let refused: Awaited<ReturnType<E2E['send']>>;
    try {
      refused = await deliver();
    } finally {
      await lock.release();
    }
    expect(refused.ms).toBeLessThan(3_000);
    expect(refused.status).toBe(503);
    expect(execution.state).toBe('running');

    await waitFor(async () => (await fetch(`${e2e.url}/readyz`)).status === 200, { timeoutMs: 3_000, what: '/readyz to be 200 again' });
    const before = e2e.slack.calls.length;
    expect((await deliver()).status).toBe(200);
    await e2e.postedRequestId(before);
  });
});
