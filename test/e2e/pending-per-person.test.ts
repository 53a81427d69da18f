import { describe, expect, test } from 'vitest';
import { startE2E } from '../support/e2e.js';

const REQUESTER = 'UREQUESTER1';
let counter = 0;
const form = () => ({ email: `waiting${++counter}@example.com`, name: 'Wai Ting', accessLevel: 'user', userGroups: ['grp-ops'], notify_failures: ['sms'], reason: 'One more request' });

describe('ADDUSER_MAX_PENDING', () => {
  test('one request over the limit is refused inline and stored nowhere; a decision makes room again; others are not limited by it', async () => {
    const e2e = await startE2E({ ADDUSER_APPROVERS: 'UAPPROVER01', ADDUSER_MAX_PENDING: '2' });
    try {
      const ids: string[] = [];
      for (let n = 0; n < 2; n++) {
        const view = await e2e.openModal(REQUESTER, 'checkcentral');
        const before = e2e.slack.calls.length;
        expect((await e2e.submit(REQUESTER, view, form())).body).toBe('');
        ids.push(await e2e.postedRequestId(before));
      }
      const stored = await e2e.store.length('requests:all');
      const refused = await e2e.submit(REQUESTER, await e2e.openModal(REQUESTER, 'checkcentral'), form());
      expect(JSON.parse(refused.body)).toEqual({
        response_action: 'errors',
        errors: { provider: expect.stringContaining('You already have 2 requests waiting for approval') },
      });
      expect(await e2e.store.length('requests:all')).toBe(stored);

      expect((await e2e.submit('UOTHERPERSON', await e2e.openModal('UOTHERPERSON', 'checkcentral'), form())).body).toBe('');
      await e2e.click(REQUESTER, 'request_cancel', ids[0]!);
      await e2e.waitForState(ids[0]!, 'cancelled');
      expect((await e2e.submit(REQUESTER, await e2e.openModal(REQUESTER, 'checkcentral'), form())).body).toBe('');
      expect(await e2e.store.length('requests:all')).toBe(stored + 2);
    } finally {
      await e2e.close();
    }
  });
});
