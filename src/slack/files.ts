import type { webApi } from '@slack/bolt';
import type { z } from 'zod';
import { classifyTransportError } from '../adapters/http/client.js';
import { CSV_MAX_BYTES, CSV_MAX_ROWS } from '../domain/batch-csv.js';
import type { slackFile } from './payloads/common.js';

export type SlackFile = z.infer<typeof slackFile>;

/** Someone is waiting in a modal that Slack closes with an error after 3 s; it serves a 1 MB file in well under a second. */
const DOWNLOAD_TIMEOUT_MS = 2_000;
export const SLACK_FILES_HOST = 'files.slack.com';

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

const inKb = (bytes: number) => `${Math.ceil(bytes / 1000)} KB`;
const limitText = (bytes: number) => (bytes % 1_000_000 === 0 ? `${bytes / 1_000_000} MB` : inKb(bytes));
const unavailable = (reason: string) => `Slack could not give me the file (${reason}); upload it again.`;

/**
 * The bytes of a CSV someone uploaded, or why not in words for them. Refuses before
 * downloading what is not a .csv or is over `maxBytes`, and stops reading past `maxBytes`
 * whatever the file claimed. `why` never holds the token or the file's URL.
 */
export async function downloadCsv(
  file: SlackFile,
  token: string,
  opts: {
    maxBytes?: number;
    timeoutMs?: number;
    /** Hosts the bot token may be sent to: Slack's file host, and the Web API's (a test's fake). */
    slackHosts?: readonly string[];
  } = {},
): Promise<{ ok: true; content: Buffer } | { ok: false; why: string }> {
  const maxBytes = opts.maxBytes ?? CSV_MAX_BYTES;
  const name = file.name ?? file.id;
  const tooBig = (bytes: number) => ({ ok: false as const, why: `${name} is ${inKb(bytes)}; the limit is ${limitText(maxBytes)} (${CSV_MAX_ROWS} rows).` });
  if (!name.toLowerCase().endsWith('.csv') && file.filetype !== 'csv') return { ok: false, why: `Upload a .csv file; ${name} is not one.` };
  if (file.size !== undefined && file.size > maxBytes) return tooBig(file.size);
  const url = file.url_private_download ?? file.url_private;
  if (!url) return { ok: false, why: unavailable('it gave no link to it') };
  // The link comes in a payload: the token goes only where Slack serves files.
  if (!(opts.slackHosts ?? [SLACK_FILES_HOST]).includes(hostOf(url))) return { ok: false, why: unavailable('its link is not to Slack') };

  // Not AbortSignal.timeout: its timer would outlive a quick answer by the whole deadline.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('deadline reached', 'TimeoutError')), opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: deadline.signal });
    if (!res.ok) {
      await res.body?.cancel();
      return { ok: false, why: unavailable(`it answered ${res.status}`) };
    }
    // Without files:read Slack does not refuse: it answers 200 with its sign-in page.
    if (res.headers.get('content-type')?.startsWith('text/html')) {
      await res.body?.cancel();
      return {
        ok: false,
        why: 'Slack would not let me read the file: it sent its sign-in page, so the app is probably installed without the files:read permission. Ask whoever installed adduser-bot to reinstall it from its manifest.',
      };
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      return tooBig(declared);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      // Leaving the loop cancels the download: a file over the limit is not read to its end.
      if (size > maxBytes) return { ok: false, why: `${name} is more than ${limitText(maxBytes)}, the limit (${CSV_MAX_ROWS} rows).` };
      chunks.push(chunk);
    }
    return { ok: true, content: Buffer.concat(chunks) };
  } catch (error) {
    return { ok: false, why: unavailable(classifyTransportError(error).message) };
  } finally {
    clearTimeout(timer);
  }
}

/** Posts a CSV (a batch's accounts or results) as a reply in its thread. Slack's refusals throw, for the caller's retry policy. */
export async function uploadCsv(
  client: webApi.WebClient,
  args: { channel: string; threadTs: string; filename: string; title: string; comment: string; content: string },
): Promise<void> {
  await client.files.uploadV2({
    channel_id: args.channel,
    thread_ts: args.threadTs,
    filename: args.filename,
    title: args.title,
    initial_comment: args.comment,
    content: args.content,
  });
}
