import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resultsCsv } from '../../src/domain/batch/results.js';
import { downloadCsv, fileOrigins, readUploadedCsv, uploadCsv } from '../../src/slack/workspace/files.js';
import { closedPort } from '../simulators/harness.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { waitFor } from '../support/wait.js';

const TOKEN = 'xoxb-files-test-5f1e';
const UPLOADER = 'UUPLOADER1';
const CSV = 'email,accessLevel\r\nann@example.com,user\r\n';
let slack: FakeSlack;
/** Answers in a trickle that never ends, or never answers: what the limits are for. */
let endless: Server;
const endlessRequests: string[] = [];
let base: string;

beforeAll(async () => {
  slack = await startFakeSlack({ token: TOKEN });
  endless = createServer((req, res) => {
    endlessRequests.push(req.url ?? '');
    if (req.url === '/silent') return;
    res.writeHead(200, { 'content-type': 'text/csv' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const write = () => {
      while (res.write(chunk));
    };
    res.on('drain', write);
    write();
  });
  endless.listen(0, '127.0.0.1');
  await once(endless, 'listening');
  base = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`;
});
afterAll(async () => {
  endless.closeAllConnections();
  endless.close();
  await slack.close();
});

/** downloadCsv as the bot calls it: the token goes to the fake Slack (and this file's trickling server) only. */
const download = (...[file, token, opts]: Parameters<typeof downloadCsv>) => downloadCsv(file, token, { origins: [new URL(slack.url).origin, base], ...opts });

const refusal = async (...args: Parameters<typeof downloadCsv>) => {
  const result = await download(...args);
  if (result.ok) return expect.fail('downloaded');
  expect(result.why).not.toContain(args[1]);
  expect(result.why).not.toContain('127.0.0.1');
  return result.why;
};

describe('downloadCsv', () => {
  test('a link that is not to Slack never gets the token', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'people.csv', content: CSV });
    const elsewhere = { ...file, url_private: `${base}/steal`, url_private_download: `${base}/steal` };
    const notSlack = { ok: false, why: "Slack could not give me the file (its link is not to Slack's file host over https); upload it again." };
    expect(await downloadCsv(elsewhere, TOKEN, { origins: [new URL(slack.url).origin] })).toEqual(notSlack);
    expect(await downloadCsv(file, TOKEN)).toEqual(notSlack);
  });

  test('Slack’s file host over plain http, or on another port, never gets the token', async () => {
    const asked = slack.calls.length;
    for (const url of ['http://files.slack.com/files-pri/T1-F1/people.csv', 'https://files.slack.com:8443/files-pri/T1-F1/people.csv', 'https://files.slack.com.example/files-pri/T1-F1/people.csv']) {
      expect(await downloadCsv({ id: 'F1', name: 'people.csv', url_private_download: url }, TOKEN, { timeoutMs: 200 })).toEqual({
        ok: false,
        why: "Slack could not give me the file (its link is not to Slack's file host over https); upload it again.",
      });
    }
    expect(slack.calls.length).toBe(asked);
  });

  test('a redirect is refused, not followed: the bytes come from Slack or not at all', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'people.csv', content: CSV });
    const before = endlessRequests.length;
    slack.redirectFile(file.id, `${base}/elsewhere.csv`);
    expect(await refusal(file, TOKEN)).toBe('Slack could not give me the file (it sent me to another address for it); upload it again.');
    expect(endlessRequests.length).toBe(before);
  });

  test('the bytes of an uploaded CSV, with the bot token', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'New hires.CSV', content: CSV });
    expect(await download(file, TOKEN)).toEqual({ ok: true, content: Buffer.from(CSV) });
    // A name without .csv is fine when Slack says the file is a CSV.
    expect(await download({ ...slack.addFile({ user: UPLOADER, name: 'export', content: CSV, filetype: 'csv' }) }, TOKEN)).toMatchObject({ ok: true });
  });

  test('a token without files:read gets Slack’s sign-in page: a clear refusal, not a CSV of HTML', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'people.csv', content: CSV });
    expect(await refusal(file, 'xoxb-no-files-read')).toBe(
      'Slack would not let me read the file: it sent its sign-in page, so the app is probably installed without the files:read permission. Ask whoever installed adduser-bot to reinstall it from its manifest.',
    );
  });

  test('not a .csv: refused before downloading', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'people.xlsx', content: 'PK' });
    slack.failFile(file.id, 500);
    expect(await refusal(file, TOKEN)).toBe('Upload a .csv file; people.xlsx is not one.');
  });

  test('too big by Slack’s word: refused before downloading', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'big.csv', content: 'x'.repeat(1_000_001) });
    slack.failFile(file.id, 500);
    expect(await refusal(file, TOKEN)).toBe('big.csv is 1001 KB; the limit is 1 MB (200 rows).');
    expect(await refusal({ ...file, size: 20_000 }, TOKEN, { maxBytes: 10_000 })).toBe('big.csv is 20 KB; the limit is 10 KB (200 rows).');
  });

  test('bigger than it said: the answer’s length, or reading stops at the limit', async () => {
    const file = slack.addFile({ user: UPLOADER, name: 'big.csv', content: 'x'.repeat(1_500_000) });
    expect(await refusal({ ...file, size: 10 }, TOKEN)).toBe('big.csv is 1500 KB; the limit is 1 MB (200 rows).');
    const started = Date.now();
    const unending = { id: 'FENDLESS1', name: 'stream.csv', url_private: `${base}/stream.csv` };
    expect(await refusal(unending, TOKEN)).toBe('stream.csv is more than 1 MB, the limit (200 rows).');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test.each([
    [404, 'Slack could not give me the file (it answered 404); upload it again.'],
    [500, 'Slack could not give me the file (it answered 500); upload it again.'],
  ])('Slack answers %i', async (status, why) => {
    const file = slack.addFile({ user: UPLOADER, name: 'people.csv', content: CSV });
    slack.failFile(file.id, status);
    expect(await refusal(file, TOKEN)).toBe(why);
  });

  test('no link, no connection, no answer in time', async () => {
    expect(await refusal({ id: 'F1', name: 'a.csv' }, TOKEN)).toBe('Slack could not give me the file (it gave no link to it); upload it again.');
    const port = await closedPort();
    expect(await refusal({ id: 'F2', name: 'a.csv', url_private: `http://127.0.0.1:${port}/a.csv` }, TOKEN, { origins: [`http://127.0.0.1:${port}`] })).toBe(
      'Slack could not give me the file (could not connect (ECONNREFUSED)); upload it again.',
    );
    expect(await refusal({ id: 'F3', name: 'a.csv', url_private: `${base}/silent` }, TOKEN, { timeoutMs: 200 })).toBe(
      'Slack could not give me the file (no answer in time (TimeoutError)); upload it again.',
    );
  });
});

describe('fileOrigins: where the bot token may go for a file', () => {
  test('Slack’s file host over https; a Web API on this machine adds its own origin, and nothing else does', () => {
    expect(fileOrigins('https://slack.com/api/')).toEqual(['https://files.slack.com']);
    expect(fileOrigins('https://slack-proxy.example.com/api/')).toEqual(['https://files.slack.com']);
    expect(fileOrigins('http://127.0.0.1:4321/api/')).toEqual(['https://files.slack.com', 'http://127.0.0.1:4321']);
    expect(fileOrigins('http://localhost:4321/api/')).toEqual(['https://files.slack.com', 'http://localhost:4321']);
  });
});

describe('readUploadedCsv: files.info says who uploaded it, then the download', () => {
  const client = () => new webApi.WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  const origins = () => fileOrigins(slack.url);

  test('the requester’s own file: its bytes, from where files.info says', async () => {
    const file = slack.addFile({ user: 'UREQUESTER1', name: 'people.csv', content: CSV });
    expect(await readUploadedCsv(client(), file, { user: 'UREQUESTER1', token: TOKEN, origins: origins() })).toEqual({ ok: true, content: Buffer.from(CSV) });
    expect(slack.callsTo('files.info').at(-1)?.args).toMatchObject({ file: file.id });
  });

  test('a file someone else uploaded is refused, and never downloaded', async () => {
    const file = slack.addFile({ user: 'USOMEONEELSE', name: 'their people.csv', content: CSV });
    slack.failFile(file.id, 500);
    expect(await readUploadedCsv(client(), file, { user: 'UREQUESTER1', token: TOKEN, origins: origins() })).toEqual({
      ok: false,
      why: 'their people.csv was uploaded by someone else: upload your own copy of the file.',
    });
  });

  test('Slack’s refusals, and no answer in time, refuse the file', async () => {
    const file = slack.addFile({ user: 'UREQUESTER1', name: 'people.csv', content: CSV });
    const read = (timeoutMs?: number) => readUploadedCsv(client(), file, { user: 'UREQUESTER1', token: TOKEN, origins: origins(), timeoutMs });
    expect(await readUploadedCsv(client(), { ...file, id: 'FNOSUCH01' }, { user: 'UREQUESTER1', token: TOKEN, origins: origins() })).toEqual({
      ok: false,
      why: 'Slack could not give me the file (answered file_not_found); upload it again.',
    });
    slack.fail('files.info', { kind: 'slack_error', error: 'missing_scope' }, 1);
    expect(await read()).toEqual({
      ok: false,
      why: 'Slack would not let me read the file: it would not describe it to me, so the app is probably installed without the files:read permission. Ask whoever installed adduser-bot to reinstall it from its manifest.',
    });
    slack.on('files.info', () => new Promise((resolve) => setTimeout(resolve, 1_000, { ok: true, file })));
    expect(await read(200)).toEqual({ ok: false, why: 'Slack could not give me the file (it did not say in time who uploaded it); upload it again.' });
    // The late answer still arrives: let it, so it is not cut off when the fake closes.
    const late = slack.callsTo('files.info').at(-1)!;
    await waitFor(() => late.response !== undefined, { what: 'the late files.info answer' });
  });
});

describe('uploadCsv', () => {
  test('the results CSV arrives in the thread, byte for byte', async () => {
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const parent = await client.chat.postMessage({ channel: 'CREQUESTS1', text: '2 new CheckCentral accounts' });
    const content = resultsCsv([
      { row: 2, target: 'ann@example.com', provider: 'CheckCentral', outcome: 'created', detail: '123' },
      { row: 3, target: 'bob@example.com', provider: 'CheckCentral', outcome: 'failed', detail: '=HYPERLINK("x"), "already exists"' },
    ]);
    await uploadCsv(client, { channel: 'CREQUESTS1', threadTs: parent.ts!, filename: 'AR-1-results.csv', title: 'Results', comment: '1 created, 1 failed', content });
    expect(slack.uploads.at(-1)).toEqual({ channel: 'CREQUESTS1', threadTs: parent.ts, filename: 'AR-1-results.csv', title: 'Results', initialComment: '1 created, 1 failed', content });
  });

  test('Slack’s refusal reaches the caller', async () => {
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    slack.fail('files.completeUploadExternal', { kind: 'slack_error', error: 'not_in_channel' }, 1);
    await expect(uploadCsv(client, { channel: 'CREQUESTS1', threadTs: '1.000001', filename: 'r.csv', title: 'R', comment: 'c', content: 'a' })).rejects.toThrow(/not_in_channel/);
  });
});
