import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAuditLog } from '../../src/domain/audit.js';
import { type GitHubSimulator, startGitHubSimulator } from '../simulators/github.js';
import { AUDIT_CHANNEL, BOT_TOKEN, CHANNEL, type E2E, SIGNING_SECRET, startE2E } from '../support/e2e.js';
import { suggestion } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const TOKEN = 'ghp_e2etoken5a7c0e1f9b3d';
const ORG = 'acme-corp';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';

let e2e: E2E;
let gh: GitHubSimulator;

beforeAll(async () => {
  gh = await startGitHubSimulator({ token: TOKEN, org: ORG });
  e2e = await startE2E({ GITHUB_TOKEN: TOKEN, GITHUB_ORG: ORG, GITHUB_API_URL: gh.url, ADDUSER_APPROVERS: APPROVER });
});

afterAll(async () => {
  await e2e.close();
  await gh.close();
});

const threadReplies = async (id: string) => {
  const thread = await e2e.store.get<{ ts: string }>(`slack:thread:${id}`);
  return e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts).map((call) => String(call.args.text));
};

describe('/adduser github end to end, through signed requests into the Bolt receiver', () => {
  test('form with teams from GitHub → request → approve → invitation → thread, audit; the token nowhere', async () => {
    const view = await e2e.openModal(REQUESTER, 'github');
    expect(view.blocks.map((block) => block.block_id)).toEqual(expect.arrayContaining(['email', 'invitee_id', 'role', 'team_ids', 'reason']));
    const teams = await e2e.send(suggestion(REQUESTER, view, 'team_ids', 'plat'));
    expect(teams.json()).toEqual({ options: [{ text: { type: 'plain_text', text: 'Platform', emoji: true }, value: '7' }] });

    const before = e2e.slack.calls.length;
    const submitted = await e2e.submit(REQUESTER, view, { email: 'new.dev@example.com', role: 'direct_member', team_ids: ['7'], reason: 'Joins the platform team' });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');
    const id = await e2e.postedRequestId(before);
    await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
    expect(await e2e.request(id)).toMatchObject({ state: 'pending', provider: 'github', target: 'new.dev@example.com' });

    await e2e.click(APPROVER, 'request_approve', id);
    const done = await e2e.waitForState(id, 'succeeded');
    expect(gh.count(/^\/orgs\/acme-corp\/invitations$/)).toBe(1);
    const sent = gh.requests.find((request) => request.method === 'POST')!;
    expect(JSON.parse(sent.body)).toEqual({ email: 'new.dev@example.com', role: 'direct_member', team_ids: [7] });
    const invitationId = String(gh.invitations[0]!.id);
    expect(done.outcome).toEqual({ kind: 'created', providerUserId: invitationId, invited: true });
    // An invitation is not an account yet: every place that reports it says "invitation".
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes(`GitHub sent the invitation: invitation id \`${invitationId}\``)), { what: 'the reply with the invitation id' });
    await waitFor(() => e2e.slack.callsTo('chat.update').some((call) => JSON.stringify(call.args).includes(`:email: Invitation sent`) && JSON.stringify(call.args).includes(`GitHub invitation id`)), { what: 'the parent saying the invitation was sent' });
    await waitFor(() => e2e.slack.calls.some((call) => String(call.args.text).includes('is done: the invitation was sent')), { what: 'the requester told the invitation was sent' });
    expect(e2e.slackText()).not.toContain('Account created in GitHub');

    await waitFor(async () => (await e2e.auditFor(id)).at(-1)?.action === 'succeeded', { what: 'the succeeded record' });
    const audit = await e2e.auditFor(id);
    expect(audit.map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);
    expect(audit.at(-1)).toMatchObject({ provider: 'github', target: 'new.dev@example.com', providerUserId: invitationId, dryRun: false });
    await waitFor(() => e2e.slack.calls.filter((call) => call.args.channel === AUDIT_CHANNEL && JSON.stringify(call.args).includes(id)).length === 4, { what: 'four audit-channel messages' });

    const records = await createAuditLog(e2e.store).read(1, 10_000);
    const places = { slack: e2e.slackText(), audit: JSON.stringify(records), logs: e2e.logs.text() };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of [TOKEN, BOT_TOKEN, SIGNING_SECRET]) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
    expect(places.logs).toContain('provider create finished');
    expect(e2e.slack.callsTo('chat.postMessage').some((call) => call.args.channel === CHANNEL && String(call.args.text).includes(id))).toBe(true);
  });

  test('an existing member → failed with GitHub’s own words in the thread', async () => {
    const view = await e2e.openModal(REQUESTER, 'github');
    const before = e2e.slack.calls.length;
    await e2e.submit(REQUESTER, view, { email: 'octocat@example.com', role: 'admin', reason: 'Needs owner rights' });
    const id = await e2e.postedRequestId(before);
    await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
    await e2e.click(APPROVER, 'request_approve', id);
    const failed = await e2e.waitForState(id, 'failed');
    expect(failed.outcome).toMatchObject({ kind: 'already_exists', message: expect.stringContaining('already a part of this organization') });
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes('already a part of this organization')), { what: 'the failure reply' });
  });
});
