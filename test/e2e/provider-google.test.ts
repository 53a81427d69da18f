import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GoogleSimulator, startGoogleSimulator } from '../simulators/google.js';
import { BOT_TOKEN, CHANNEL, type E2E, SIGNING_SECRET, startE2E } from '../support/e2e.js';
import { suggestion } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const USERS = /^\/admin\/directory\/v1\/users$/;

let e2e: E2E;
let sim: GoogleSimulator;
let dir: string;

const form = (email: string) => ({
  primaryEmail: email,
  givenName: 'Elizabeth',
  familyName: 'Smith',
  password: '',
  orgUnitPath: '/Engineering',
  changePasswordAtNextLogin: ['true'],
  reason: 'New engineer starting Monday',
});

async function approved(email: string) {
  const view = await e2e.openModal(REQUESTER, 'google');
  const before = e2e.slack.calls.length;
  const res = await e2e.submit(REQUESTER, view, form(email));
  expect(res.status).toBe(200);
  expect(res.body).toBe('');
  const id = await e2e.postedRequestId(before);
  await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
  await e2e.click(APPROVER, 'request_approve', id);
  return id;
}

const threadReplies = async (id: string) => {
  const thread = await e2e.store.get<{ ts: string }>(`slack:thread:${id}`);
  return e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === thread?.ts).map((call) => String(call.args.text));
};

beforeAll(async () => {
  sim = await startGoogleSimulator();
  dir = mkdtempSync(join(tmpdir(), 'google-e2e-'));
  e2e = await startE2E({
    GOOGLE_SERVICE_ACCOUNT_FILE: sim.writeKeyFile(dir),
    GOOGLE_ADMIN_SUBJECT: 'admin@example.com',
    GOOGLE_API_URL: sim.url,
    ADDUSER_APPROVERS: APPROVER,
  });
});

afterAll(async () => {
  await e2e.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/adduser google end to end', () => {
  test('the form opens at Google Workspace, configured, with the org units listed from Google', async () => {
    const view = await e2e.openModal(REQUESTER, 'google');
    const ids = view.blocks.map((block) => (block as { block_id?: string }).block_id);
    expect(ids).toEqual(expect.arrayContaining(['primaryEmail', 'givenName', 'familyName', 'password', 'orgUnitPath', 'changePasswordAtNextLogin', 'reason']));
    expect(JSON.stringify(view.blocks)).not.toContain('Dry run');
    const units = await e2e.send(suggestion(REQUESTER, view, 'orgUnitPath', 'eng'));
    const values = (units.json() as { options: { value: string }[] }).options.map((option) => option.value);
    expect(values).toEqual(expect.arrayContaining(['/Engineering', '/Engineering/Contractors']));
    expect(sim.requests.find((r) => r.path.endsWith('/orgunits'))?.headers.authorization).toMatch(/^Bearer ya29\./);
  });

  test('request → approve → users.insert → thread reply with Google’s id; the generated password is revealed to the requester only', async () => {
    const id = await approved('liz@example.com');
    const done = await e2e.waitForState(id, 'succeeded');
    expect(done.outcome).toEqual({ kind: 'created', providerUserId: sim.users.at(-1)!.id });
    const sent = JSON.parse(sim.requests.filter((r) => USERS.test(r.path)).at(-1)!.body) as { password: string; primaryEmail: string; orgUnitPath: string; changePasswordAtNextLogin: boolean };
    expect(sent).toMatchObject({ primaryEmail: 'liz@example.com', orgUnitPath: '/Engineering', changePasswordAtNextLogin: true });
    expect(sent.password).toMatch(/^\S{20}$/);
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes(sim.users.at(-1)!.id)), { what: 'the success reply with the Google user id' });
    expect((await e2e.auditFor(id)).map((record) => record.action)).toEqual(['requested', 'approved', 'provisioning', 'succeeded']);

    await waitFor(() => e2e.slack.callsTo('chat.postEphemeral').find((call) => call.args.user === REQUESTER && call.raw.includes('request_reveal')), { what: 'the Show the password button' });
    await e2e.click(REQUESTER, 'request_reveal', id);
    const shown = await waitFor(() => e2e.slack.callsTo('views.open').find((call) => JSON.stringify(call.args).includes(sent.password)), { what: 'the password in a modal' });
    const elsewhere = e2e.slack.calls.filter((call) => call !== shown && (call.raw.includes(sent.password) || JSON.stringify(call.args).includes(sent.password)));
    expect(elsewhere).toEqual([]);
    expect(JSON.stringify(await e2e.auditFor(id))).not.toContain(sent.password);
    expect(e2e.logs.lines.filter((line) => line.includes(sent.password))).toEqual([]);
  });

  test('the same email again → failed with Google’s “Entity already exists.”', async () => {
    const id = await approved('liz@example.com');
    const done = await e2e.waitForState(id, 'failed');
    expect(done.outcome).toMatchObject({ kind: 'already_exists', message: 'Entity already exists. (duplicate)' });
    await waitFor(async () => (await threadReplies(id)).some((text) => text.includes('Entity already exists.')), { what: 'Google’s words in the thread' });
  });

  test('the private key and the access tokens reach no Slack call, audit record or log line; one token served every call', async () => {
    const records = await Promise.all((await e2e.store.range<string>('requests:all', 0, -1)).map((id) => e2e.auditFor(id)));
    expect(records.flat().length).toBeGreaterThanOrEqual(8);
    const places = { slack: e2e.slackText(), audit: JSON.stringify(records), logs: e2e.logs.text() };
    const secrets = [BOT_TOKEN, SIGNING_SECRET, sim.keyFile.private_key, ...sim.keyFile.private_key.split('\n').filter((line) => line.length > 20), ...sim.tokens.map((entry) => entry.token)];
    expect(sim.tokens.length).toBe(1);
    for (const [where, text] of Object.entries(places)) {
      for (const secret of secrets) expect(text.includes(secret), `a secret in ${where}`).toBe(false);
    }
    expect(places.logs).toContain('provider token granted');
    expect(e2e.slack.callsTo('chat.postMessage').some((call) => call.args.channel === CHANNEL)).toBe(true);
  });
});
