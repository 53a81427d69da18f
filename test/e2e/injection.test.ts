import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CheckCentralSimulator, startCheckCentralSimulator } from '../simulators/checkcentral.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { json } from '../simulators/harness.js';
import { type SmsCentralSimulator, startSmsCentralSimulator } from '../simulators/smscentral.js';
import { AUDIT_CHANNEL, type E2E, startE2E } from '../support/e2e.js';
import { homeOpenedPayload, type SlackResponse } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

/**
 * What a person can type or a provider can answer to make Slack ping, link or leave a code
 * block: each goes into every free-text field of every provider form, the reason, the reject
 * reason, /adduser's own text, provider error messages and provider user ids. No recorded
 * Slack call may carry one raw.
 */
const TOKENS = ['<!channel>', '<!here>', '<@U0123ABCD>', '<https://evil.example|click>', '```', '& < >'] as const;
const spaced = (tag: string) => `${tag} ${TOKENS.join(' ')} end`;
/** For fields that refuse spaces (SMS Central’s username) or split on them (CheckCentral’s user groups), and /adduser’s first word. */
const compact = (tag: string) => `${tag}${TOKENS.join('').replace('& < >', '&<>')}end`;
/** Fields of at most 64 characters (DigiCert's job title and telephone) take the tokens in two halves. */
const HALVES = [`<!channel> <@U0123ABCD> \`\`\` & < > a`, `<!here> <https://evil.example|click> b`] as const;
const RAW = ['<!channel>', '<!here>', '<@U0123ABCD>', '<https://evil.example|click>', '& < >', '&<>', 'evil.example|click>'];

const CC_TOKEN = 'cc-inject-token-2291';
const SMS_PASSWORD = 'sms-inject-owner-5512';
const DC_KEY = 'dc-inject-key-7730';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const KNOWN_USERS = new Set([REQUESTER, APPROVER]);

let cc: CheckCentralSimulator;
let sms: SmsCentralSimulator;
let dc: DigiCertSimulator;
let real: E2E;
let dry: E2E;
/** What the bot answered to our own requests (ephemeral command replies, view answers): Slack reads those too. */
const answers: SlackResponse[] = [];

let counter = 0;
type Provider = 'checkcentral' | 'smscentral' | 'digicert';
function evilForm(provider: Provider, half: 0 | 1 = 0): Record<string, string | string[]> {
  const n = ++counter;
  const reason = spaced(`reason${n}`);
  if (provider === 'checkcentral') {
    return { email: `evil${n}@example.com`, name: spaced(`name${n}`), accessLevel: 'user', userGroups: [compact(`group${n}`)], reason };
  }
  if (provider === 'smscentral') {
    return {
      USERNAME: compact(`user${n}`),
      PASSWORD: spaced(`pass${n}`),
      FIRSTNAME: spaced(`first${n}`),
      LASTNAME: spaced(`last${n}`),
      EMAILADDRESS: `evil${n}@example.com`,
      MOBILENUMBER: '+61412345678',
      ACCOUNTS: ['12345'],
      USERLEVEL: '3',
      reason,
    };
  }
  return {
    username: `evil.user${n}`,
    first_name: spaced(`first${n}`),
    last_name: spaced(`last${n}`),
    email: `evil${n}@example.com`,
    job_title: HALVES[half],
    telephone: HALVES[1 - half]!,
    container: '93288',
    access_roles: ['5'],
    reason,
  };
}

async function submit(e2e: E2E, provider: Provider, form: Record<string, string | string[]>): Promise<string> {
  const view = await e2e.openModal(REQUESTER, provider);
  const before = e2e.slack.calls.length;
  const res = await e2e.submit(REQUESTER, view, form);
  answers.push(res);
  expect(res.body).toBe('');
  const id = await e2e.postedRequestId(before);
  await waitFor(async () => e2e.store.get(`slack:thread:${id}`), { what: 'the request thread' });
  return id;
}

/** Every Slack delivery of the request's audit records has gone out (the audit channel gets one line each). */
async function settled(e2e: E2E, id: string): Promise<void> {
  await waitFor(
    async () => {
      const records = await e2e.auditFor(id);
      const lines = e2e.slack.delivered('chat.postMessage').filter((call) => call.args.channel === AUDIT_CHANNEL && JSON.stringify(call.args).includes(id));
      return records.length > 0 && lines.length === records.length;
    },
    { what: `every delivery of ${id}` },
  );
}

async function approve(e2e: E2E, id: string, state: 'succeeded' | 'failed' | 'unknown') {
  await e2e.click(APPROVER, 'request_approve', id);
  await e2e.waitForState(id, state);
  await settled(e2e, id);
}

async function reject(e2e: E2E, id: string) {
  const before = e2e.slack.calls.length;
  await e2e.click(APPROVER, 'request_reject', id);
  const open = await waitFor(() => e2e.slack.calls.slice(before).find((call) => call.method === 'views.open'), { what: 'the reject dialog' });
  const view = { ...(open.args.view as object), id: `VREJECT${id}`, hash: 'h' } as Parameters<E2E['submit']>[1];
  answers.push(await e2e.submit(APPROVER, view, { reject_reason: spaced('rejectreason') }));
  await e2e.waitForState(id, 'rejected');
  await settled(e2e, id);
}

const openHome = (e2e: E2E, user: string) =>
  e2e.send(JSON.stringify(homeOpenedPayload(user)), { headers: { 'content-type': 'application/json' } });

/** Every string in a value, with where it was found. */
function strings(value: unknown, path: string, out: { path: string; text: string }[] = []) {
  if (typeof value === 'string') out.push({ path, text: value });
  else if (Array.isArray(value)) value.forEach((item, i) => strings(item, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) strings(item, `${path}.${key}`, out);
  return out;
}

/** The mrkdwn the bot means to send: mentions of known people, channels, user groups, dates and Slack's own permalinks. */
const BOT_TOKEN_START = /^<(@([UW][A-Z0-9]+)>|#C[A-Z0-9]+>|!subteam\^S[A-Z0-9]+>|!date\^\d+\^|https:\/\/fake\.slack\.com\/)/;

/** What is wrong with one string Slack may read as mrkdwn; empty when nothing is. */
function problems(text: string): string[] {
  const found = RAW.filter((token) => text.includes(token)).map((token) => `raw ${token}`);
  // A run of three backticks is a fence: the bot writes one code block at most, at the end.
  const fences = text.match(/`{3,}/g) ?? [];
  if (fences.length % 2 === 1 || fences.length > 2 || (fences.length === 2 && !text.endsWith('```'))) found.push('a code fence from outside');
  for (const match of text.matchAll(/</g)) {
    const start = BOT_TOKEN_START.exec(text.slice(match.index));
    if (!start || (start[2] && !KNOWN_USERS.has(start[2]))) found.push(`unexpected ${text.slice(match.index, match.index + 30)}`);
  }
  for (const match of text.matchAll(/&(?!amp;|lt;|gt;)/g)) found.push(`raw & at ${text.slice(match.index, match.index + 20)}`);
  return found;
}

beforeAll(async () => {
  cc = await startCheckCentralSimulator({ token: CC_TOKEN });
  sms = await startSmsCentralSimulator({ username: 'owner-account', password: SMS_PASSWORD });
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
  real = await startE2E({
    CHECKCENTRAL_API_TOKEN: CC_TOKEN,
    CHECKCENTRAL_BASE_URL: cc.url,
    SMSCENTRAL_USERNAME: 'owner-account',
    SMSCENTRAL_PASSWORD: SMS_PASSWORD,
    SMSCENTRAL_BASE_URL: sms.url,
    SMSCENTRAL_ACCOUNTS: '12345:Main account',
    DIGICERT_API_KEY: DC_KEY,
    DIGICERT_BASE_URL: dc.url,
    ADDUSER_APPROVERS: APPROVER,
    // Every path of a dozen requests, each saying itself several times in one audit channel: a test of
    // what is said, not of Slack's pace, which would make it a minute long.
  }, { limits: 'none' });
  dry = await startE2E({ ADDUSER_DRY_RUN: 'true', SMSCENTRAL_ACCOUNTS: '12345:Main account', ADDUSER_APPROVERS: APPROVER }, { limits: 'none' });
});

afterAll(async () => {
  await Promise.all([real?.close(), dry?.close()]);
  await Promise.all([cc?.close(), sms?.close(), dc?.close()]);
});

describe('text from people and providers cannot ping, link or break a code block', () => {
  test('every field, every path: no Slack call carries a token raw', async () => {
    const createdWithId = { checkcentral: json(200, { userId: spaced('ccid') }), smscentral: json(200, { user: { ID: spaced('smsid') } }), digicert: json(201, { id: spaced('dcid') }) };
    const refused = {
      checkcentral: undefined, // The simulator itself refuses the unknown user group, quoting it.
      smscentral: json(200, { error: { errorcode: 130, errordescription: spaced('smserror') } }),
      digicert: json(400, { errors: [{ code: 'invalid_input', message: spaced('dcerror') }] }),
    };
    const paths = { checkcentral: /^\/createUser\/$/, smscentral: /^\/user\/create$/, digicert: /^\/user$/ };
    const simulators = { checkcentral: cc, smscentral: sms, digicert: dc };
    const requests: string[] = [];

    for (const provider of ['checkcentral', 'smscentral', 'digicert'] as const) {
      const simulator = simulators[provider];
      // Created, with an id the provider chose.
      const created = await submit(real, provider, evilForm(provider, 0));
      const answer = createdWithId[provider];
      simulator.inject({ kind: 'status', status: answer.status, body: answer.body, headers: answer.headers }, { path: paths[provider] });
      await approve(real, created, 'succeeded');
      // Refused, with the provider's error message.
      const failed = await submit(real, provider, evilForm(provider, 1));
      const error = refused[provider];
      if (error) simulator.inject({ kind: 'status', status: error.status, body: error.body, headers: error.headers }, { path: paths[provider] });
      await approve(real, failed, 'failed');
      // Rejected by an approver, with a reason.
      const rejected = await submit(real, provider, evilForm(provider, 0));
      await reject(real, rejected);
      // A dry run: the exact request, in a code block.
      const preview = await submit(dry, provider, evilForm(provider, 1));
      await approve(dry, preview, 'succeeded');
      requests.push(created, failed, rejected, preview);
    }

    // No answer in time from the provider: the unknown-outcome path quotes its message.
    const unknown = await submit(real, 'checkcentral', evilForm('checkcentral'));
    cc.inject({ kind: 'status', status: 500, body: JSON.stringify({ Error: { Id: 500, Message: spaced('ccdown') } }) }, { path: paths.checkcentral });
    await approve(real, unknown, 'unknown');

    // Still pending, for the App Home and the status reply.
    const pending = await submit(real, 'smscentral', evilForm('smscentral'));
    for (const user of [APPROVER, REQUESTER]) {
      const before = real.slack.callsTo('views.publish').length;
      answers.push(await openHome(real, user));
      await waitFor(() => real.slack.callsTo('views.publish').slice(before).some((call) => call.args.user_id === user && JSON.stringify(call.args.view).includes(pending)), {
        what: `${user}'s App Home`,
      });
    }

    const responds = () => real.slack.calls.filter((call) => call.method.startsWith('/respond/')).length;
    const smsTarget = (await real.request(pending))!.target;
    const replies = [
      ['status', 1],
      [`audit ${smsTarget}`, 1],
      [`audit ${requests[1]!}`, 1],
      [`audit ${spaced('query')}`, 1],
      [compact('word'), 0],
    ] as const;
    for (const [text, responses] of replies) {
      const before = responds();
      const user = text === 'status' ? REQUESTER : APPROVER;
      answers.push(await real.command(user, text));
      await waitFor(() => responds() - before >= responses, { what: `the reply to /adduser ${text}` });
    }

    const texts = [
      ...[real, dry].flatMap((e2e) => e2e.slack.calls.flatMap((call) => strings(call.args, call.method))),
      ...answers.flatMap((res, i) => strings(res.body ? res.json() : '', `answer ${i}`)),
    ];
    // The test reached every place it means to look at.
    const all = texts.map((entry) => entry.text).join('\n');
    for (const marker of ['ccid', 'smsid', 'dcid', 'smserror', 'dcerror', 'does not exist', 'ccdown', 'rejectreason', 'This is the exact request', 'Your recent requests', 'records for', 'I don']) {
      expect(all, marker).toContain(marker);
    }
    // SMS Central's username is the request's target: it is in the notification text of the request message.
    expect(texts.some((entry) => entry.path === 'chat.postMessage.text' && /account request AR-\w+ for user\d/.test(entry.text))).toBe(true);

    const bad = texts.flatMap((entry) => problems(entry.text).map((problem) => `${entry.path}: ${problem}`));
    expect(bad).toEqual([]);
  });
});
