import { afterEach, beforeEach, expect, test } from 'vitest';
import { type E2E, startE2E } from '../support/e2e.js';
import { waitFor } from '../support/wait.js';

const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const EMAIL = 'escaped.query@example.com';

let e2e: E2E;
let requestId: string;
beforeEach(async () => {
  e2e = await startE2E({ ADDUSER_APPROVERS: APPROVER });
  const view = await e2e.openModal(REQUESTER, 'checkcentral');
  const before = e2e.slack.calls.length;
  await e2e.submit(REQUESTER, view, { email: EMAIL, accessLevel: 'user', reason: 'On-call monitoring' });
  requestId = await e2e.postedRequestId(before);
  await waitFor(async () => (await e2e.auditFor(requestId)).length > 0, { what: 'the requested record' });
});
afterEach(async () => {
  await e2e.close();
});

/** `/adduser audit <text>` signed as Slack sends it, and the private answer it gets. */
async function audit(text: string): Promise<string> {
  const before = e2e.slack.calls.length;
  const res = await e2e.command(APPROVER, `audit ${text}`);
  expect(res.status).toBe(200);
  const answer = await waitFor(() => e2e.slack.calls.slice(before).find((call) => call.method.startsWith('/respond/')), { what: 'the audit answer' });
  return String(answer.args.text);
}

// manifest.yml sets should_escape: true, so Slack sends a typed @name and email in these forms.
test.each([
  ['a mention as Slack escapes it', `<@${REQUESTER}|requester>`],
  ['a mention without a name', `<@${REQUESTER}>`],
  ['a bare user id', REQUESTER],
])('/adduser audit finds what a person did from %s', async (_, text) => {
  const answer = await audit(text);
  expect(answer).toContain(requestId);
  expect(answer).toContain('*requested*');
  expect(answer).toContain(`\`${REQUESTER}\``);
});

test('/adduser audit finds the records about an email Slack sent as a mailto link', async () => {
  const answer = await audit(`<mailto:${EMAIL}|${EMAIL}>`);
  expect(answer).toContain(requestId);
  expect(answer).toContain(`\`${EMAIL}\``);
});

test('/adduser audit says nothing matches for a person with no records', async () => {
  expect(await audit('<@UNOBODY001|nobody>')).toBe('No audit records match `UNOBODY001`.');
});
