import { setTimeout as sleep } from 'node:timers/promises';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blocksProblems, viewProblems } from '../support/block-kit.js';
import { type FakeSlack, newTriggerId, startFakeSlack, TRIGGER_TTL_MS } from '../support/fake-slack.js';

const TOKEN = 'xoxb-strict-fake-test';
const UPLOADER = 'UUPLOADER1';
let slack: FakeSlack;

beforeAll(async () => {
  // What these tests check is not rate limits: the tests for those start a fake with them.
  slack = await startFakeSlack({ token: TOKEN, limits: 'none' });
});
afterAll(async () => {
  await slack.close();
});

/** One Web API call as the WebClient makes it: form-encoded, JSON fields encoded, bearer token. */
function send(to: FakeSlack, method: string, args: Record<string, unknown>, token: string | null = TOKEN): Promise<Response> {
  const body = new URLSearchParams(Object.entries(args).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  return fetch(`${to.url}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token && { authorization: `Bearer ${token}` }) },
    body,
  });
}

async function call(method: string, args: Record<string, unknown>, token: string | null = TOKEN): Promise<Record<string, unknown>> {
  return (await (await send(slack, method, args, token)).json()) as Record<string, unknown>;
}

const modal = { type: 'modal', title: { type: 'plain_text', text: 'Request access' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] };

describe('the fake Slack refuses what Slack refuses', () => {
  test('a missing or wrong token', async () => {
    expect(await call('auth.test', {}, null)).toEqual({ ok: false, error: 'not_authed' });
    expect(await call('auth.test', {}, 'xoxb-someone-else')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('auth.test', {})).toMatchObject({ ok: true });
  });

  test('a workflow step completes once, with its own execution’s token (or the bot’s), with its required outputs', async () => {
    const step = slack.startExecution();
    const other = slack.startExecution();
    const outputs = { request_id: 'AR-1', status: 'succeeded' };
    expect(await call('functions.completeSuccess', { function_execution_id: 'Fx0NOPE', outputs })).toEqual({ ok: false, error: 'function_execution_not_found' });
    expect(await call('functions.completeSuccess', { function_execution_id: step.id, outputs }, other.token)).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('functions.completeSuccess', { function_execution_id: step.id, outputs }, 'xwfp-made-up')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('functions.completeSuccess', { function_execution_id: step.id, outputs: { status: 'succeeded' } }, step.token)).toEqual({ ok: false, error: 'parameter_validation_failed' });
    expect(await call('functions.completeSuccess', { function_execution_id: step.id, outputs }, step.token)).toEqual({ ok: true });
    expect(step).toMatchObject({ state: 'completed', outputs });
    expect(await call('functions.completeError', { function_execution_id: step.id, error: 'late' }, step.token)).toEqual({ ok: false, error: 'execution_not_in_running_state' });
    expect(await call('functions.completeError', { function_execution_id: other.id, error: 'Rejected' })).toEqual({ ok: true });
    expect(other).toMatchObject({ state: 'failed', error: 'Rejected' });
  });

  test('a trigger_id opens one view, within 3 s of the interaction', async () => {
    expect(await call('views.open', { trigger_id: 'made-up', view: modal })).toMatchObject({ error: 'invalid_trigger_id' });
    expect(await call('views.open', { trigger_id: newTriggerId(Date.now() - TRIGGER_TTL_MS - 100), view: modal })).toMatchObject({ error: 'expired_trigger_id' });
    const trigger = newTriggerId();
    expect(await call('views.open', { trigger_id: trigger, view: modal })).toMatchObject({ ok: true });
    expect(await call('views.open', { trigger_id: trigger, view: modal })).toMatchObject({ error: 'exchanged_trigger_id' });
  });

  test('views.update with a stale hash or an unknown view', async () => {
    const { view } = (await call('views.open', { trigger_id: newTriggerId(), view: modal })) as { view: { id: string; hash: string } };
    expect(await call('views.update', { view_id: 'VNOSUCH01', view: modal })).toMatchObject({ error: 'not_found' });
    const updated = (await call('views.update', { view_id: view.id, hash: view.hash, view: modal })) as { ok: boolean; view: { hash: string } };
    expect(updated.ok).toBe(true);
    expect(await call('views.update', { view_id: view.id, hash: view.hash, view: modal })).toMatchObject({ error: 'hash_conflict' });
    expect(await call('views.update', { view_id: view.id, hash: updated.view.hash, view: modal })).toMatchObject({ ok: true });
  });

  test('unknown users, user groups, channels and messages', async () => {
    expect(await call('users.info', { user: 'UNOBODY01' })).toMatchObject({ error: 'user_not_found' });
    expect(await call('usergroups.users.list', { usergroup: 'SNOSUCH01' })).toMatchObject({ error: 'no_such_subteam' });
    expect(await call('chat.postMessage', { channel: 'CNOSUCH01', text: 'hi' })).toMatchObject({ error: 'channel_not_found' });
    expect(await call('chat.postMessage', { channel: 'UNOBODY01', text: 'hi' })).toMatchObject({ error: 'channel_not_found' });
    expect(await call('chat.postEphemeral', { channel: 'CREQUESTS1', user: 'UNOBODY01', text: 'hi' })).toMatchObject({ error: 'user_not_found' });
    expect(await call('chat.update', { channel: 'CREQUESTS1', ts: '1.000001', text: 'hi' })).toMatchObject({ error: 'message_not_found' });
    slack.addUser('UKNOWN001');
    slack.addUserGroup('SKNOWN001', ['UKNOWN001']);
    expect(await call('users.info', { user: 'UKNOWN001' })).toMatchObject({ ok: true, user: { id: 'UKNOWN001' } });
    expect(await call('usergroups.users.list', { usergroup: 'SKNOWN001' })).toEqual({ ok: true, users: ['UKNOWN001'] });
    const posted = (await call('chat.postMessage', { channel: 'UKNOWN001', text: 'hi' })) as { ok: boolean; channel: string; ts: string };
    expect(posted.ok).toBe(true);
    expect(await call('chat.update', { channel: posted.channel, ts: posted.ts, text: 'edited' })).toMatchObject({ ok: true });
  });

  test('any method can be made to answer 200 {ok: false, error}, and such a call is not delivered', async () => {
    slack.fail('chat.postMessage', { kind: 'slack_error', error: 'is_archived' }, 1);
    expect(await call('chat.postMessage', { channel: 'CREQUESTS1', text: 'hi' })).toEqual({ ok: false, error: 'is_archived' });
    expect(slack.delivered('chat.postMessage').some((c) => c.response?.error === 'is_archived')).toBe(false);
    expect(await call('chat.postMessage', { channel: 'CREQUESTS1', text: 'hi' })).toMatchObject({ ok: true });
  });

  test('messages and views beyond Block Kit’s documented limits', async () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    expect(await call('chat.postMessage', { channel: 'CREQUESTS1', text: 'x', blocks: Array.from({ length: 51 }, () => section('a')) })).toMatchObject({ error: 'invalid_blocks' });
    expect(await call('chat.postMessage', { channel: 'CREQUESTS1', text: 'x', blocks: [section('a'.repeat(3001))] })).toMatchObject({ error: 'invalid_blocks' });
    expect(await call('chat.postMessage', { channel: 'CREQUESTS1', text: 'x'.repeat(40_001) })).toMatchObject({ error: 'msg_too_long' });
    expect(await call('chat.postMessage', { channel: 'CREQUESTS1' })).toMatchObject({ error: 'no_text' });
    const longTitle = { ...modal, title: { type: 'plain_text', text: 'A title of more than 24 chars' } };
    expect(await call('views.open', { trigger_id: newTriggerId(), view: longTitle })).toMatchObject({ error: 'invalid_arguments' });
  });
});

describe('files: a requester’s upload and the bot’s own', () => {
  const get = (url: string, token: string | null = TOKEN) => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  test('a file serves its content to the bot token only; without it, 200 and Slack’s HTML sign-in page', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'New Hires.CSV', content: 'email\nann@example.com\n' });
    expect(file).toMatchObject({ id: expect.stringMatching(/^F[0-9A-F]+$/), name: 'New Hires.CSV', title: 'New Hires.CSV', size: 22, filetype: 'csv', mimetype: 'text/csv' });
    expect(file.url_private.startsWith(slack.url.replace(/\/api\/$/, '/files-pri/'))).toBe(true);
    for (const url of [file.url_private, file.url_private_download]) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv');
      expect(await res.text()).toBe('email\nann@example.com\n');
    }
    for (const token of [null, 'xoxb-someone-else', slack.startExecution().token]) {
      const res = await get(file.url_private, token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/Sign in to Slack/);
    }
  });

  test('a file type and MIME type may be given; a file can be made unservable', async () => {
    expect(slack.addFile({ user: UPLOADER, name: 'people', content: 'x' })).toMatchObject({ filetype: 'binary', mimetype: 'application/octet-stream' });
    expect(slack.addFile({ user: UPLOADER, name: 'a.txt', content: 'x', filetype: 'csv', mimetype: 'text/csv' })).toMatchObject({ filetype: 'csv', mimetype: 'text/csv' });
    const gone = slack.addFile({ user: UPLOADER, name: 'gone.csv', content: 'x' });
    slack.failFile(gone.id, 404);
    expect((await get(gone.url_private)).status).toBe(404);
    slack.failFile(gone.id, 500);
    expect((await get(gone.url_private)).status).toBe(500);
    expect((await get(gone.url_private.replace(gone.id, 'FNOSUCH01'))).status).toBe(404);
    const moved = slack.addFile({ user: UPLOADER, name: 'moved.csv', content: 'x' });
    slack.redirectFile(moved.id, 'https://elsewhere.example/moved.csv');
    const res = await fetch(moved.url_private_download, { headers: { authorization: `Bearer ${TOKEN}` }, redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([302, 'https://elsewhere.example/moved.csv']);
  });

  test('files.info describes a file as Slack does, its uploader included; an unknown id is file_not_found', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'people.csv', content: 'email\n' });
    const answer = (await call('files.info', { file: file.id })) as { ok: boolean; file: Record<string, unknown>; comments: unknown[] };
    expect(answer).toMatchObject({ ok: true, file: { ...file, user: UPLOADER, user_team: 'TTEAM0001', mode: 'hosted', is_external: false, pretty_type: 'CSV' }, comments: [] });
    expect(answer.file.created).toEqual(expect.any(Number));
    expect(await call('files.info', { file: 'FNOSUCH01' })).toEqual({ ok: false, error: 'file_not_found' });
    expect(await call('files.info', { file: file.id }, null)).toEqual({ ok: false, error: 'not_authed' });
  });

  test('the three upload steps refuse what Slack refuses', async () => {
    const calls = slack.callsTo('files.completeUploadExternal').length;
    expect(await call('files.getUploadURLExternal', { filename: 'r.csv' })).toEqual({ ok: false, error: 'invalid_arguments' });
    expect(await call('files.getUploadURLExternal', { filename: 'r.csv', length: 3 }, null)).toEqual({ ok: false, error: 'not_authed' });
    const issued = (await call('files.getUploadURLExternal', { filename: 'r.csv', length: 3 })) as { ok: boolean; upload_url: string; file_id: string };
    expect(issued).toMatchObject({ ok: true, upload_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/upload\/v1\/F/), file_id: expect.stringMatching(/^F/) });
    const files = [{ id: issued.file_id, title: 'Results' }];
    // Issued but no bytes posted yet, and an id never issued.
    expect(await call('files.completeUploadExternal', { files, channel_id: 'CREQUESTS1' })).toEqual({ ok: false, error: 'file_not_found' });
    expect(await call('files.completeUploadExternal', { files: [{ id: 'FNOSUCH01' }], channel_id: 'CREQUESTS1' })).toEqual({ ok: false, error: 'file_not_found' });
    expect(await call('files.completeUploadExternal', { channel_id: 'CREQUESTS1' })).toEqual({ ok: false, error: 'invalid_arguments' });
    expect((await fetch(issued.upload_url, { method: 'POST', body: 'a,b' })).status).toBe(200);
    expect(await call('files.completeUploadExternal', { files, channel_id: 'CNOSUCH01' })).toEqual({ ok: false, error: 'channel_not_found' });
    slack.fail('files.completeUploadExternal', { kind: 'slack_error', error: 'not_in_channel' }, 1);
    expect(await call('files.completeUploadExternal', { files, channel_id: 'CREQUESTS1' })).toEqual({ ok: false, error: 'not_in_channel' });
    const before = slack.uploads.length;
    expect(await call('files.completeUploadExternal', { files, channel_id: 'CREQUESTS1' })).toEqual({ ok: true, files: [{ id: issued.file_id, title: 'Results' }] });
    expect(slack.uploads.slice(before)).toEqual([{ channel: 'CREQUESTS1', threadTs: undefined, filename: 'r.csv', title: 'Results', initialComment: undefined, content: 'a,b' }]);
    // Completed once: the upload is spent.
    expect(await call('files.completeUploadExternal', { files, channel_id: 'CREQUESTS1' })).toEqual({ ok: false, error: 'file_not_found' });
    const answered = slack.callsTo('files.completeUploadExternal').slice(calls).map((call) => call.response?.error ?? 'ok');
    expect(answered).toEqual(['file_not_found', 'file_not_found', 'invalid_arguments', 'channel_not_found', 'not_in_channel', 'ok', 'file_not_found']);
  });

  test('the WebClient’s files.uploadV2 posts a file in a thread', async () => {
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const thread = (await call('chat.postMessage', { channel: 'CREQUESTS1', text: 'parent' })) as { ts: string };
    const content = 'row,target\r\n2,"Lee, Ann"\r\n';
    const before = slack.uploads.length;
    await client.files.uploadV2({ channel_id: 'CREQUESTS1', thread_ts: thread.ts, filename: 'results.csv', content, title: 'Results', initial_comment: 'Done: 1 account' });
    expect(slack.uploads.slice(before)).toEqual([{ channel: 'CREQUESTS1', threadTs: thread.ts, filename: 'results.csv', title: 'Results', initialComment: 'Done: 1 account', content }]);
    expect(slack.callsTo('files.getUploadURLExternal').at(-1)).toMatchObject({ token: TOKEN, args: { filename: 'results.csv', length: String(Buffer.byteLength(content)) } });
    expect(slack.callsTo('files.completeUploadExternal').at(-1)?.token).toBe(TOKEN);
  });
});

describe('Block Kit limits', () => {
  test.each([
    ['51 blocks in a message', Array.from({ length: 51 }, () => ({ type: 'divider' })), 'message', /blocks: 51 items/],
    ['a header over 150', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }], 'message', /header|151 characters/],
    ['a button text over 75', [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'b'.repeat(76) } }] }], 'message', /76 characters/],
    ['an option text over 75', [{ type: 'input', label: { type: 'plain_text', text: 'L' }, element: { type: 'static_select', action_id: 's', options: [{ text: { type: 'plain_text', text: 'o'.repeat(76) }, value: 'v' }] } }], 'modal', /76 characters/],
    ['an input block in a message', [{ type: 'input', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input', action_id: 'p' } }], 'message', /input blocks belong/],
    ['a mrkdwn header', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], 'message', /plain_text/],
    ['duplicate block ids', [{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }], 'message', /unique/],
    ['an unknown block type', [{ type: 'video' }], 'message', /not a block/],
  ] as const)('%s is refused', (_what, blocks, surface, problem) => {
    expect(blocksProblems(blocks, surface).join('\n')).toMatch(problem);
  });

  test('101 blocks in a modal are refused, 100 pass', () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(viewProblems({ ...modal, blocks: blocks(100) })).toEqual([]);
    expect(viewProblems({ ...modal, blocks: blocks(101) }).join()).toMatch(/101 items/);
  });

});

describe("Slack's rate limits (limits: 'slack'): 429 with Retry-After beyond them, as Slack answers", () => {
  let strict: FakeSlack;
  beforeAll(async () => {
    strict = await startFakeSlack({ token: TOKEN, limits: 'slack' });
  });
  afterAll(async () => {
    await strict.close();
  });

  /** Status, Retry-After and body of one call to the strict fake. */
  const answer = async (method: string, args: Record<string, unknown>) => {
    const res = await send(strict, method, args);
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
  };
  const post = (channel: string) => answer('chat.postMessage', { channel, text: 'hi' });
  const ok = { status: 200, retryAfter: null, body: expect.objectContaining({ ok: true }) };
  const limited = (seconds: number) => ({ status: 429, retryAfter: String(seconds), body: { ok: false, error: 'ratelimited' } });

  test('chat.postMessage: a burst of 3 to a channel passes, the 4th is 429 for 1 s, another channel is not held, and the channel frees after the wait', async () => {
    strict.addChannel('CBURST001');
    strict.addChannel('CBURST002');
    expect([await post('CBURST001'), await post('CBURST001'), await post('CBURST001')]).toEqual([ok, ok, ok]);
    expect(await post('CBURST001')).toEqual(limited(1));
    expect(await post('CBURST002')).toEqual(ok);
    expect(strict.calls.at(-2)).toMatchObject({ method: 'chat.postMessage', status: 429, response: { ok: false, error: 'ratelimited' } });
    expect(strict.rateLimitedCount('chat.postMessage')).toBe(1);
    await sleep(1_000);
    expect(await post('CBURST001')).toEqual(ok);
    expect(strict.ignoredRetryAfterCount()).toBe(0);
  });

  test('a call before the Retry-After ran out is refused again and counted as ignoring it', async () => {
    strict.addChannel('CHAMMER01');
    for (let n = 0; n < 3; n++) await post('CHAMMER01');
    const before = strict.rateLimitedCount();
    expect(await post('CHAMMER01')).toEqual(limited(1));
    expect(await post('CHAMMER01')).toEqual(limited(1));
    expect(strict.rateLimitedCount() - before).toBe(2);
    expect(strict.ignoredRetryAfterCount('chat.postMessage')).toBe(1);
    expect(strict.calls.at(-1)).toMatchObject({ status: 429, ignoredRetryAfter: true });
    expect(strict.calls.at(-2)?.ignoredRetryAfter).toBeUndefined();
  });

  test('a tier is per method and workspace: 50 chat.update at once pass across channels, the 51st waits 2 s', async () => {
    const updates = await Promise.all(Array.from({ length: 51 }, (_, n) => answer('chat.update', { channel: n % 2 ? 'CREQUESTS1' : 'CAUDITLOG1', ts: '1.000001', text: 'x' })));
    expect(updates.filter((update) => update.status === 200)).toHaveLength(50);
    expect(updates.filter((update) => update.status === 429)).toEqual([limited(2)]);
  });

  test('the WebClient, which waits out Retry-After, gets 6 messages to one channel through without ever calling early', async () => {
    strict.addChannel('CPACED001');
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: strict.url, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 5, minTimeout: 10, maxTimeout: 10 } });
    const ignoredBefore = strict.ignoredRetryAfterCount();
    for (let n = 0; n < 6; n++) await client.chat.postMessage({ channel: 'CPACED001', text: `message ${n}` });
    const posts = strict.callsTo('chat.postMessage').filter((call) => call.args.channel === 'CPACED001');
    expect(posts.filter((call) => call.status === 200)).toHaveLength(6);
    expect(posts.filter((call) => call.status === 429).length).toBeGreaterThan(0);
    expect(strict.ignoredRetryAfterCount() - ignoredBefore).toBe(0);
  });
});

describe('an injected 429 (limits off) announces its Retry-After too', () => {
  test('a call before it ran out is answered, but counted as ignoring it', async () => {
    const [limitedBefore, ignoredBefore] = [slack.rateLimitedCount('chat.postMessage'), slack.ignoredRetryAfterCount('chat.postMessage')];
    slack.fail('chat.postMessage', { kind: 'rate_limited', retryAfter: 2 }, 1, (args) => args.channel === 'CTYPEDHERE');
    expect(await call('chat.postMessage', { channel: 'CTYPEDHERE', text: 'hi' })).toEqual({ ok: false, error: 'ratelimited' });
    expect(await call('chat.postMessage', { channel: 'CREQUESTS1', text: 'another channel' })).toMatchObject({ ok: true });
    expect(await call('chat.postMessage', { channel: 'CTYPEDHERE', text: 'too early' })).toMatchObject({ ok: true });
    expect([slack.rateLimitedCount('chat.postMessage') - limitedBefore, slack.ignoredRetryAfterCount('chat.postMessage') - ignoredBefore]).toEqual([1, 1]);
  });
});
