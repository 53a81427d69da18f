import fc from 'fast-check';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type E2E, SIGNING_SECRET, startE2E } from '../support/e2e.js';
import { connect } from 'node:net';
import { BODY_LIMIT, isObject, parseSlackBody } from '../../src/slack/inbound/envelope.js';
import { commandBody, payloadBody, signature } from '../support/slack-requests.js';
import { expectedStatus } from './mutations.js';

let e2e: E2E;
const problems: unknown[] = [];
const onProblem = (error: unknown) => problems.push(error);
let sent = 0;
let resets = 0;

beforeAll(async () => {
  e2e = await startE2E({ ADDUSER_APPROVERS: 'UAPPROVER01' });
  process.on('unhandledRejection', onProblem);
  process.on('uncaughtException', onProblem);
});
afterAll(async () => {
  process.off('unhandledRejection', onProblem);
  process.off('uncaughtException', onProblem);
  await e2e.close();
});

type Kind = 'garbage' | 'truncated' | 'mutated' | 'command' | 'events';
type Case = { kind: Kind; body: string; contentType: string; auth: 'signed' | 'forged' | 'stale' | 'none' };

/**
 * The status each case must get: a body over the limit is 413 and what is not even an object
 * 400, whoever signed it (the body guard reads it before anyone); an object without a valid, fresh signature 401; a signed one
 * what the payload schemas say (400 invalid, 403 another workspace, else 200).
 */
function expected({ body, contentType, auth }: Case): number {
  if (Buffer.byteLength(body) > BODY_LIMIT) return 413;
  const parsed = parseSlackBody(Buffer.from(body), contentType) as Record<string, unknown> | undefined;
  if (!isObject(parsed)) return 400;
  if (auth !== 'signed') return 401;
  // Bolt answers Slack's own checks itself, before any payload reaches the gate.
  if (parsed!.type === 'url_verification' || parsed!.ssl_check === '1') return 200;
  return expectedStatus(parsed);
}

function headersFor({ body, contentType, auth }: Case): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const timestamp = auth === 'stale' ? now - 600 : now;
  const headers: Record<string, string> = { 'content-type': contentType };
  if (auth !== 'none') {
    headers['x-slack-request-timestamp'] = String(timestamp);
    headers['x-slack-signature'] = auth === 'forged' ? `v0=${'0'.repeat(64)}` : signature(SIGNING_SECRET, timestamp, body);
  }
  return headers;
}

/** Sends one case and gives the status it got. */
async function send(input: Case): Promise<number> {
  const { body, contentType, auth } = input;
  const headers = headersFor(input);
  // An idle keep-alive connection the server is closing can reset under a new request: a
  // transport outcome, not the bot's answer. The request is sent again on a new connection and
  // must then get an answer.
  const post = async (dispatcher?: Agent) => {
    const res = await fetch(`${e2e.url}/slack/events`, { method: 'POST', headers, body, ...(dispatcher && { dispatcher }) });
    await res.arrayBuffer();
    return res.status;
  };
  const status = await post().catch(async (error: unknown) => {
    resets += 1;
    const fresh = new Agent();
    try {
      return await post(fresh);
    } catch {
      throw new Error(`no answer on a fresh connection for ${JSON.stringify({ contentType, auth, body: body.slice(0, 300) })}`, { cause: error });
    } finally {
      await fresh.close();
    }
  });
  sent += 1;
  return status;
}

/**
 * Sends a body over the limit on a raw socket and reads whatever status line comes back, even
 * when the server stops reading (and the upload fails) after answering: a connection closed
 * without an answer is no 413.
 */
async function sendOversized(body: string): Promise<number> {
  const { port } = new URL(e2e.url);
  const headers = headersFor({ kind: 'garbage', body, contentType: 'application/x-www-form-urlencoded', auth: 'signed' });
  const head = [`POST /slack/events HTTP/1.1`, `host: 127.0.0.1:${port}`, `content-length: ${Buffer.byteLength(body)}`, 'connection: close', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) resolve(Number(status[1]));
      else reject(new Error('the connection closed without an answer to the oversized body'));
    });
    socket.write(`${head}\r\n\r\n`);
    socket.end(body);
  });
}

const ids = ['request_approve', 'request_reject', 'request_cancel', 'request_retry', 'request_mark_done', 'provider_select', 'field:container', 'field:userGroups', 'nonsense'];
const callbacks = ['adduser_request', 'adduser_reject', 'unknown_view'];
const junk = fc.oneof(fc.anything(), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constant('x'.repeat(70_000)), fc.constant(null));

/** Real payload shapes with every field open to mutation: what a buggy or hostile client sends. */
const mutatedPayload = fc.oneof(
  fc.record({
    type: fc.constantFrom('block_actions', 'block_actions', 'interactive_message'),
    user: fc.oneof(fc.record({ id: fc.constantFrom('UAPPROVER01', 'UREQUESTER1', 'U') }), junk),
    actions: fc.oneof(fc.array(fc.record({ action_id: fc.constantFrom(...ids), value: fc.oneof(fc.constantFrom('AR-NOPE', ''), junk), type: fc.constantFrom('button', 'static_select'), selected_option: junk }), { maxLength: 3 }), junk),
    channel: fc.oneof(fc.record({ id: fc.constant('CREQUESTS1') }), junk),
    view: fc.oneof(fc.constant(undefined), fc.record({ id: fc.string(), private_metadata: junk, state: fc.record({ values: junk }), hash: fc.string() })),
    trigger_id: fc.string(),
  }, { requiredKeys: ['type'] }),
  fc.record({
    type: fc.constant('view_submission'),
    user: fc.record({ id: fc.constantFrom('UREQUESTER1', '') }),
    view: fc.record({
      id: fc.string(),
      callback_id: fc.constantFrom(...callbacks),
      private_metadata: fc.oneof(fc.json(), junk),
      state: fc.record({ values: fc.oneof(fc.dictionary(fc.string(), fc.dictionary(fc.constantFrom('field:email', 'field:accessLevel', 'provider_select', 'field:reason'), fc.record({ type: fc.string(), value: junk, selected_option: junk, selected_options: junk }))), junk) }),
      blocks: fc.oneof(fc.array(fc.record({ type: fc.constantFrom('input', 'section'), block_id: fc.string() }), { maxLength: 5 }), junk),
    }, { requiredKeys: ['callback_id'] }),
  }),
  fc.record({
    type: fc.constant('block_suggestion'),
    action_id: fc.constantFrom(...ids),
    value: fc.oneof(fc.string(), junk),
    view: fc.oneof(fc.record({ private_metadata: fc.oneof(fc.json(), junk), state: fc.record({ values: junk }) }), junk),
  }),
);

const cases: fc.Arbitrary<Case> = fc.oneof(
  // Garbage of every kind, signed or not.
  fc.record({ kind: fc.constant('garbage' as const), body: fc.string({ unit: 'binary', maxLength: 500 }), contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'), auth: fc.constantFrom('signed', 'forged', 'stale', 'none') }),
  // Truncated and mistyped payloads.
  fc.record({
    kind: fc.constant('truncated' as const),
    body: fc.oneof(
      fc.json().map((json) => `payload=${encodeURIComponent(json)}`),
      fc.tuple(fc.json(), fc.nat()).map(([json, cut]) => `payload=${encodeURIComponent(json.slice(0, cut % (json.length + 1)))}`),
      fc.anything().map((value) => payloadBody(value)),
    ),
    contentType: fc.constant('application/x-www-form-urlencoded'),
    auth: fc.constantFrom('signed', 'signed', 'signed', 'forged', 'stale'),
  }),
  // Plausible payloads with mutated fields, signed: these reach the listeners.
  fc.record({ kind: fc.constant('mutated' as const), body: mutatedPayload.map((payload) => payloadBody(payload)), contentType: fc.constant('application/x-www-form-urlencoded'), auth: fc.constant('signed' as const) }),
  // Slash commands with odd text.
  fc.record({
    kind: fc.constant('command' as const),
    body: fc.tuple(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.constantFrom('UREQUESTER1', '', 'U'), fc.constantFrom('CHAN', '')).map(([text, user, channel]) =>
      commandBody({ user, channel, text, responseUrl: `${e2e.slack.url}respond/fuzz` }),
    ),
    contentType: fc.constant('application/x-www-form-urlencoded'),
    auth: fc.constant('signed' as const),
  }),
  // Events API JSON.
  fc.record({
    kind: fc.constant('events' as const),
    body: fc.oneof(fc.json(), fc.record({ type: fc.constantFrom('event_callback', 'url_verification'), event: junk, challenge: junk }).map((value) => JSON.stringify(value))),
    contentType: fc.constant('application/json'),
    auth: fc.constantFrom('signed', 'forged'),
  }),
);

describe('fuzzing /slack/events', { timeout: 600_000 }, () => {
  test('10,000 malformed or mutated requests: each kind gets its own status (400 unreadable, 401 unsigned, forged or stale, the schema\'s verdict when signed), no crash, nothing stored', async () => {
    const started = performance.now();
    // 10,000 generated cases, replayable from the seed, sent by 64 workers at once: a payload
    // nothing listens to is answered only after Bolt's 2.9-second ack timeout.
    const inputs = fc.sample(cases, { numRuns: 10_000, seed: 20261124 });
    const failures: { status: number; expected: number; kind: string; body: string }[] = [];
    const byGroup = new Map<string, Map<number, number>>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < inputs.length) {
          const input = inputs[next++]!;
          const status = await send(input);
          const want = expected(input);
          const group = `${input.kind}/${input.auth} → ${want}`;
          const row = byGroup.get(group) ?? new Map<number, number>();
          row.set(status, (row.get(status) ?? 0) + 1);
          byGroup.set(group, row);
          if (status !== want) failures.push({ status, expected: want, kind: `${input.kind}/${input.auth}`, body: input.body.slice(0, 200) });
        }
      }),
    );
    console.info(`fuzz statuses by kind/auth → expected: ${JSON.stringify(Object.fromEntries([...byGroup].sort().map(([group, row]) => [group, Object.fromEntries(row)])), null, 1)}`);
    expect(failures.slice(0, 5)).toEqual([]);
    // Every kind of refusal really was exercised.
    for (const refusal of ['garbage/forged → 401', 'truncated/stale → 401', 'garbage/none → 400', 'truncated/signed → 400', 'events/forged → 401']) expect([...byGroup.keys()]).toContain(refusal);

    const oversized = 'payload=' + 'x'.repeat(1_200_000);
    for (let i = 0; i < 4; i++) expect(await sendOversized(oversized)).toBe(413);

    const seconds = (performance.now() - started) / 1000;
    console.info(`fuzz: ${sent} requests in ${seconds.toFixed(1)} s; connection resets retried: ${resets}`);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(problems).toEqual([]);
    const health = () => fetch(`${e2e.url}/healthz`);
    expect((await health().catch(health)).status).toBe(200);
    expect(await e2e.store.length('requests:all')).toBe(0);
    expect(await e2e.store.get('audit:count')).toBeUndefined();
    expect(e2e.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'CREQUESTS1')).toEqual([]);
  });
});
