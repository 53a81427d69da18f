import { describe, expect, test } from 'vitest';
import type { AccessRequest } from '../../src/domain/requests/request.js';
import { startE2E } from '../support/e2e.js';
import { waitFor } from '../support/wait.js';

const HISTORY = 5_000;
const REQUESTER = 'UREQUESTER1';

/** A finished request as an earlier day left it: only the store knows it. */
function finished(n: number): AccessRequest {
  const at = new Date(Date.parse('2026-01-01T00:00:00Z') + n * 60_000).toISOString();
  return {
    id: `AR-HIST${String(n).padStart(5, '0')}`,
    provider: 'checkcentral',
    state: n % 3 === 0 ? 'failed' : 'succeeded',
    requester: 'UOLDTIMER1',
    reason: 'history',
    target: `old${n}@example.com`,
    details: [],
    form: {},
    generated: [],
    channel: 'CREQUESTS1',
    dryRun: false,
    attempts: 1,
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
  };
}

describe('sweeps read indexes, not the newest requests', { timeout: 120_000 }, () => {
  test(`one pending request, then ${HISTORY} finished ones: it still expires on time, cannot be approved after, and /metrics counts it while it waits`, async () => {
    const e2e = await startE2E({ ADDUSER_APPROVERS: 'UAPPROVER01', ADDUSER_REQUEST_TTL: '4s' });
    try {
      const view = await e2e.openModal(REQUESTER, 'checkcentral');
      const before = e2e.slack.calls.length;
      await e2e.submit(REQUESTER, view, { email: 'old.pending@example.com', name: 'Old Pending', accessLevel: 'user', userGroups: ['grp-ops'], notify_failures: ['sms'], reason: 'Waits behind history' });
      const id = await e2e.postedRequestId(before);
      // The history arrives after it, as it would on a busy workspace.
      for (let start = 0; start < HISTORY; start += 500) {
        await Promise.all(
          Array.from({ length: 500 }, async (_, i) => {
            const request = finished(start + i);
            await e2e.store.set(`request:${request.id}`, request);
            await e2e.store.append('requests:all', request.id);
          }),
        );
      }
      const scrape = await (await fetch(`${e2e.url}/metrics`)).text();
      expect(scrape).toMatch(/^adduser_pending_requests 1$/m);

      const expired = await e2e.waitForState(id, 'expired', 15_000);
      expect(Date.parse(expired.updatedAt)).toBeGreaterThanOrEqual(Date.parse(expired.expiresAt));
      await e2e.click('UAPPROVER01', 'request_approve', id);
      await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').some((call) => String(call.args.text).includes('already expired')), { what: 'the refusal' });
      expect((await e2e.request(id))?.state).toBe('expired');
      expect(await (await fetch(`${e2e.url}/metrics`)).text()).toMatch(/^adduser_pending_requests 0$/m);
    } finally {
      await e2e.close();
    }
  });
});
