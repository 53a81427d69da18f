import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { classifyTransportError } from '../../adapters/http/client.js';
import { isLoopback } from '../../config/url.js';
import { CSV_MAX_BYTES, CSV_MAX_ROWS } from '../../domain/batch/csv.js';
import { slackFile } from '../inbound/payloads/common.js';
import { explainSlackFailure, slackError } from './reachability.js';

export type SlackFile = z.infer<typeof slackFile>;

/** For files.info and the download together: someone is waiting in a modal that Slack closes with an error after 3 s; it serves a 1 MB file in well under a second. */
const DOWNLOAD_TIMEOUT_MS = 2_000;
/** Slack serves the files people upload from here, and only over https. */
export const SLACK_FILES_ORIGIN = 'https://files.slack.com';

/** files.info's file: who uploaded it is what decides whether a person may file it as theirs. */
const describedFile = slackFile.extend({ user: z.string().optional() });

/**
 * Where the bot token may go for a file's bytes: Slack's file host over https. A Web API on this
 * machine (SLACK_API_URL on loopback, which configuration allows only there over http) is a
 * test's fake Slack, which serves its files itself: its origin too, and only then.
 */
export function fileOrigins(apiUrl: string): string[] {
  const api = new URL(apiUrl);
  return isLoopback(api) ? [SLACK_FILES_ORIGIN, api.origin] : [SLACK_FILES_ORIGIN];
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

const inKb = (bytes: number) => `${Math.ceil(bytes / 1000)} KB`;
const limitText = (bytes: number) => (bytes % 1_000_000 === 0 ? `${bytes / 1_000_000} MB` : inKb(bytes));
const unavailable = (reason: string) => `Slack could not give me the file (${reason}); upload it again.`;
const withoutFilesRead = (what: string) =>
  `Slack would not let me read the file: ${what}, so the app is probably installed without the files:read permission. Ask whoever installed adduser-bot to reinstall it from its manifest.`;

export type Download = { ok: true; content: Buffer } | { ok: false; why: string };

/**
 * The CSV `user` uploaded, or why not in words for them. Slack's files.info says who uploaded
 * the file: a file of someone else's is refused, whoever can see it. The download then goes where
 * files.info says, under one deadline for both.
 */
export async function readUploadedCsv(
  client: webApi.WebClient,
  file: SlackFile,
  opts: { user: string; token: string; origins: readonly string[]; timeoutMs?: number },
): Promise<Download> {
  const deadline = Date.now() + (opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
  const described = await describeFile(client, file.id, deadline - Date.now());
  if (!described.ok) return described;
  if (described.file.user !== opts.user) return { ok: false, why: `${file.name ?? file.id} was uploaded by someone else: upload your own copy of the file.` };
  return downloadCsv(described.file, opts.token, { origins: opts.origins, timeoutMs: Math.max(0, deadline - Date.now()) });
}

async function describeFile(client: webApi.WebClient, id: string, timeoutMs: number): Promise<{ ok: true; file: z.infer<typeof describedFile> } | { ok: false; why: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'late')));
  try {
    const answer = await Promise.race([client.files.info({ file: id }), late]);
    if (answer === 'late') return { ok: false, why: unavailable('it did not say in time who uploaded it') };
    const file = describedFile.safeParse(answer.file);
    return file.success ? { ok: true, file: file.data } : { ok: false, why: unavailable('it did not describe it') };
  } catch (error) {
    return { ok: false, why: slackError(error) === 'missing_scope' ? withoutFilesRead('it would not describe it to me') : unavailable(explainSlackFailure(error).reason) };
  } finally {
    clearTimeout(timer);
  }
}

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
    /** Origins the bot token may be sent to (`fileOrigins`). */
    origins?: readonly string[];
  } = {},
): Promise<Download> {
  const maxBytes = opts.maxBytes ?? CSV_MAX_BYTES;
  const name = file.name ?? file.id;
  const tooBig = (bytes: number) => ({ ok: false as const, why: `${name} is ${inKb(bytes)}; the limit is ${limitText(maxBytes)} (${CSV_MAX_ROWS} rows).` });
  if (!name.toLowerCase().endsWith('.csv') && file.filetype !== 'csv') return { ok: false, why: `Upload a .csv file; ${name} is not one.` };
  if (file.size !== undefined && file.size > maxBytes) return tooBig(file.size);
  const url = file.url_private_download ?? file.url_private;
  if (!url) return { ok: false, why: unavailable('it gave no link to it') };
  // The token goes only where Slack serves files, encrypted.
  if (!(opts.origins ?? [SLACK_FILES_ORIGIN]).includes(originOf(url))) return { ok: false, why: unavailable("its link is not to Slack's file host over https") };

  // Not AbortSignal.timeout: its timer would outlive a quick answer by the whole deadline.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('deadline reached', 'TimeoutError')), opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
  try {
    // Followed, a redirect would take the bytes from wherever it points, as if Slack had sent them.
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: deadline.signal, redirect: 'manual' });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      return { ok: false, why: unavailable('it sent me to another address for it') };
    }
    if (!res.ok) {
      await res.body?.cancel();
      return { ok: false, why: unavailable(`it answered ${res.status}`) };
    }
    // Without files:read Slack does not refuse: it answers 200 with its sign-in page.
    if (res.headers.get('content-type')?.startsWith('text/html')) {
      await res.body?.cancel();
      return { ok: false, why: withoutFilesRead('it sent its sign-in page') };
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
