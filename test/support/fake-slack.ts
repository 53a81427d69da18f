import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blocksProblems, MESSAGE_TEXT_LIMIT, viewProblems } from './block-kit.js';
import { SLACK_LIMITS, SlackLimits } from './slack-limits.js';

export interface SlackCall {
  method: string;
  /** Arguments as the WebClient sent them; JSON-encoded fields (blocks, view) decoded. */
  args: Record<string, unknown>;
  /** The bearer token the call carried. */
  token: string | undefined;
  /** The raw body, for "no secret anywhere" assertions. */
  raw: string;
  /** The HTTP status the fake answered with (a fault, a rate limit's 429, or 200). */
  status: number;
  /** Made while a Retry-After the fake had answered for its method (or channel) was still running. */
  ignoredRetryAfter?: true;
  /** When it arrived (Date.now()), for "at most so often" checks. */
  at: number;
  /** The JSON the fake answered with (absent for a reset). */
  response?: Record<string, unknown>;
}

/**
 * What the fake does instead of answering, for the next calls to a method: an HTTP failure, a
 * reset, or Slack's ordinary refusal, `200 {ok: false, error}` (not_in_channel, is_archived…).
 */
export type SlackFault =
  | { kind: 'rate_limited'; retryAfter: number }
  | { kind: 'error'; status: number }
  | { kind: 'reset' }
  | { kind: 'slack_error'; error: string };

/** One run of a workflow step, as Slack tracks it: running until the app completes or fails it, once. */
export interface FunctionExecution {
  id: string;
  /** The token Slack hands the app with function_executed (`bot_access_token`). */
  token: string;
  state: 'running' | 'completed' | 'failed';
  outputs?: Record<string, unknown>;
  error?: string;
}

/** A file in the workspace as the Web API describes it (files.info, a `file_input`'s value). */
// A type, not an interface: it is passed where the bot's zod-inferred file type (an open object) is expected.
export type FakeSlackFile = {
  id: string;
  /** Who uploaded it. */
  user: string;
  name: string;
  title: string;
  size: number;
  filetype: string;
  mimetype: string;
  url_private: string;
  url_private_download: string;
};

/** A file the bot shared through files.uploadV2 (getUploadURLExternal, the bytes, completeUploadExternal). */
export interface CompletedUpload {
  channel: string | undefined;
  threadTs: string | undefined;
  filename: string;
  title: string;
  initialComment: string | undefined;
  content: string;
}

export type SlackHandler = (args: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface FakeSlack {
  /** Base URL for SLACK_API_URL (ends with /api/). */
  url: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Answer `method` with `handler` instead of the default answer (Slack's own checks still come first). */
  on(method: string, handler: SlackHandler): void;
  /** The next `times` calls to `method` ('*' for any), among those `when` accepts, meet `fault`. */
  fail(method: string, fault: SlackFault, times: number, when?: (args: Record<string, unknown>) => boolean): void;
  /** Calls Slack carried out: answered 200 with ok true. */
  delivered(method: string): SlackCall[];
  /** The lines a thread shows now: every reply Slack took, as last updated, its lines in order (a batch says many accounts to a message). */
  threadLines(threadTs: string): string[];
  /** Calls answered 429 (Slack's limits and injected faults alike), to `method` or to any. */
  rateLimitedCount(method?: string): number;
  /** Calls made while a Retry-After the fake announced for their method (or channel) was running, to `method` or to any. */
  ignoredRetryAfterCount(method?: string): number;
  /** A member of the workspace, for users.info (unknown users are user_not_found). */
  addUser(id: string, fields?: Record<string, unknown>): void;
  /** A user group and its members (unknown groups are no_such_subteam). */
  addUserGroup(id: string, members: string[]): void;
  /** A channel the bot may post in (others are channel_not_found; a known user's id is their DM). */
  addChannel(id: string): void;
  /**
   * Starts a run of a workflow step. functions.completeSuccess / completeError then take this
   * execution's own token (or the bot token, never another execution's), only while it runs,
   * and completeSuccess only with the step's required outputs (request_id, status).
   */
  startExecution(): FunctionExecution;
  executions: Map<string, FunctionExecution>;
  /**
   * A file someone uploaded. Its url_private serves the content only with the bot token as a
   * bearer; without it Slack answers 200 with its HTML sign-in page, and so does the fake.
   */
  addFile(file: { user: string; name: string; content: string | Buffer; filetype?: string; mimetype?: string }): FakeSlackFile;
  /** Downloads of this file answer `status` from now on (404: deleted, 500: Slack's trouble). */
  failFile(id: string, status: number): void;
  /** Downloads of this file answer 302 to `location` from now on. */
  redirectFile(id: string, location: string): void;
  /** Files shared by files.completeUploadExternal, in order. */
  uploads: CompletedUpload[];
  close(): Promise<void>;
}

/** 'slack': Slack's published rate limits (slack-limits.ts); 'none': every call is answered. */
export type SlackLimitsMode = 'slack' | 'none';

/** Off until the bot paces itself (issue 24); then 'slack', and a test that needs a free Slack says 'none'. */
const DEFAULT_LIMITS: SlackLimitsMode = 'slack';

export const BOT = { userId: 'UBOTUSER1', botId: 'BBOTID001', teamId: 'TTEAM0001' };

/** Channels every test workspace has: the requests and audit channels, and where commands are typed. */
const CHANNELS = ['CREQUESTS1', 'CAUDITLOG1', 'CTYPEDHERE'];

/** Slack lets a trigger_id open one view, within three seconds of the interaction. */
export const TRIGGER_TTL_MS = 3_000;
let triggers = 0;

/** A trigger_id as Slack puts in an interaction payload, issued at `issuedAt` (ms). */
export function newTriggerId(issuedAt = Date.now()): string {
  return `${++triggers}.${issuedAt}.${randomBytes(8).toString('hex')}`;
}

function decode(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (contentType?.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    try {
      args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      args[key] = value;
    }
  }
  return args;
}

const MIME_TYPES: Record<string, string> = { csv: 'text/csv', txt: 'text/plain', json: 'application/json', html: 'text/html', pdf: 'application/pdf' };

/** What Slack answers a file URL fetched without the bot token: its sign-in page, with 200. */
const SIGN_IN_PAGE = '<!DOCTYPE html><html lang="en-US"><head><title>Slack</title></head><body><h1>Sign in to Slack</h1><form action="/signin"><input type="email" name="email"></form></body></html>';

const refused = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });

/**
 * A Slack Web API on 127.0.0.1 that records every call and refuses what Slack refuses: a wrong
 * token, a trigger_id that is unknown, expired or already used, a stale views.update hash, Block
 * Kit beyond its documented limits, unknown users, user groups, channels and messages, and with
 * `limits: 'slack'` calls beyond Slack's rate limits.
 * The bot's WebClient points at it. `token`: the only bot token accepted (default: any xoxb-).
 */
export async function startFakeSlack(options: { port?: number; token?: string; limits?: SlackLimitsMode } = {}): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const limits = new SlackLimits((options.limits ?? DEFAULT_LIMITS) === 'slack' ? SLACK_LIMITS : undefined);
  let seq = 0;
  const faults: { method: string; fault: SlackFault; remaining: number; when?: (args: Record<string, unknown>) => boolean }[] = [];
  const users = new Map<string, Record<string, unknown>>();
  const groups = new Map<string, string[]>();
  const channels = new Set(CHANNELS);
  const messages = new Set<string>();
  const views = new Map<string, string>();
  const usedTriggers = new Set<string>();
  const executions = new Map<string, FunctionExecution>();
  const files = new Map<string, { file: FakeSlackFile; content: Buffer; status?: number; location?: string }>();
  /** Uploads under way: getUploadURLExternal issued the id; `content` once the bytes were posted. */
  const pendingUploads = new Map<string, { filename: string; length: number; content?: Buffer }>();
  const uploads: CompletedUpload[] = [];
  let origin = '';
  const nextTs = () => `${1_700_000_000 + seq}.${String(++seq).padStart(6, '0')}`;

  const tokenProblem = (method: string, token: string | undefined) => {
    if (!token) return 'not_authed';
    // Socket Mode's connection is opened with the app-level token, everything else with the bot token.
    if (method === 'apps.connections.open') return token.startsWith('xapp-') ? undefined : 'invalid_auth';
    // A step's execution token acts for the bot; which execution it may complete is checked below.
    if (token.startsWith('xwfp-')) return [...executions.values()].some((execution) => execution.token === token) ? undefined : 'invalid_auth';
    return (options.token ? token === options.token : token.startsWith('xoxb-')) ? undefined : 'invalid_auth';
  };
  const triggerProblem = (trigger: unknown) => {
    const issued = /^\d+\.(\d+)\.[0-9a-f]+$/.exec(String(trigger ?? ''));
    if (!issued) return 'invalid_trigger_id';
    if (usedTriggers.has(String(trigger))) return 'exchanged_trigger_id';
    if (Date.now() - Number(issued[1]) > TRIGGER_TTL_MS) return 'expired_trigger_id';
    usedTriggers.add(String(trigger));
    return undefined;
  };
  const channelKnown = (channel: unknown) => channels.has(String(channel)) || users.has(String(channel));
  const messageProblem = (args: Record<string, unknown>) => {
    if (args.blocks === undefined && (typeof args.text !== 'string' || args.text === '')) return refused('no_text');
    if (typeof args.text === 'string' && args.text.length > MESSAGE_TEXT_LIMIT) return refused('msg_too_long');
    const problems = args.blocks === undefined ? [] : blocksProblems(args.blocks, 'message');
    return problems.length > 0 ? refused('invalid_blocks', { errors: problems }) : undefined;
  };
  const viewRefusal = (view: unknown) => {
    const problems = viewProblems(view);
    return problems.length > 0 ? refused('invalid_arguments', { response_metadata: { messages: problems } }) : undefined;
  };
  /** Slack's own checks on a call's arguments, whoever answers it. */
  const checks: Record<string, (args: Record<string, unknown>) => Record<string, unknown> | undefined> = {
    'chat.postMessage': (args) => (channelKnown(args.channel) ? messageProblem(args) : refused('channel_not_found')),
    'chat.postEphemeral': (args) => {
      if (!channelKnown(args.channel)) return refused('channel_not_found');
      if (!users.has(String(args.user))) return refused('user_not_found');
      return messageProblem(args);
    },
    'chat.update': (args) => (messages.has(`${String(args.channel)}/${String(args.ts)}`) ? messageProblem(args) : refused('message_not_found')),
    'chat.getPermalink': (args) => (messages.has(`${String(args.channel)}/${String(args.message_ts)}`) ? undefined : refused('message_not_found')),
    'views.open': (args) => {
      const trigger = triggerProblem(args.trigger_id);
      return trigger ? refused(trigger) : viewRefusal(args.view);
    },
    'views.update': (args) => {
      const current = views.get(String(args.view_id));
      if (current === undefined) return refused('not_found');
      if (args.hash !== undefined && args.hash !== current) return refused('hash_conflict');
      return viewRefusal(args.view);
    },
    'views.publish': (args) => (users.has(String(args.user_id)) ? viewRefusal(args.view) : refused('user_not_found')),
    'files.getUploadURLExternal': (args) => {
      const length = Number(args.length);
      return typeof args.filename === 'string' && args.filename !== '' && Number.isInteger(length) && length > 0 ? undefined : refused('invalid_arguments');
    },
    'files.completeUploadExternal': (args) => {
      const list = args.files;
      if (!Array.isArray(list) || list.length === 0 || list.some((entry) => typeof (entry as { id?: unknown })?.id !== 'string')) return refused('invalid_arguments');
      // An id never issued, or issued but its bytes never posted, is not a file Slack has.
      if (list.some((entry) => pendingUploads.get((entry as { id: string }).id)?.content === undefined)) return refused('file_not_found');
      if (args.channel_id !== undefined && !channelKnown(args.channel_id)) return refused('channel_not_found');
      return undefined;
    },
  };

  const posted = (channel: unknown) => {
    const ts = nextTs();
    messages.add(`${String(channel)}/${ts}`);
    return ts;
  };
  const opened = (view: unknown, id = `V${++seq}`) => {
    const hash = `${Date.now()}.${randomBytes(6).toString('hex')}`;
    views.set(id, hash);
    return { ...(view as object), id, hash };
  };
  const handlers = new Map<string, SlackHandler>([
    ['auth.test', () => ({ ok: true, user_id: BOT.userId, bot_id: BOT.botId, team_id: BOT.teamId, url: 'https://fake.slack.com/' })],
    ['chat.postMessage', (args) => ({ ok: true, channel: args.channel, ts: posted(args.channel), message: { text: args.text } })],
    ['chat.postEphemeral', () => ({ ok: true, message_ts: nextTs() })],
    ['chat.update', (args) => ({ ok: true, channel: args.channel, ts: args.ts })],
    [
      'chat.getPermalink',
      (args) => ({
        ok: true,
        channel: args.channel,
        permalink: `https://fake.slack.com/archives/${String(args.channel)}/p${String(args.message_ts).replace('.', '')}`,
      }),
    ],
    ['views.open', (args) => ({ ok: true, view: opened(args.view) })],
    ['views.update', (args) => ({ ok: true, view: opened(args.view, String(args.view_id)) })],
    ['views.publish', (args) => ({ ok: true, view: opened(args.view) })],
    [
      'users.info',
      (args) => {
        const user = users.get(String(args.user));
        return user ? { ok: true, user: { id: args.user, team_id: BOT.teamId, is_admin: false, is_owner: false, ...user } } : refused('user_not_found');
      },
    ],
    [
      'usergroups.users.list',
      (args) => {
        const members = groups.get(String(args.usergroup));
        return members ? { ok: true, users: members } : refused('no_such_subteam');
      },
    ],
    [
      'files.getUploadURLExternal',
      (args) => {
        const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
        pendingUploads.set(id, { filename: String(args.filename), length: Number(args.length) });
        return { ok: true, upload_url: `${origin}/upload/v1/${id}`, file_id: id };
      },
    ],
    [
      'files.completeUploadExternal',
      (args) => {
        const list = args.files as { id: string; title?: string }[];
        for (const { id, title } of list) {
          const upload = pendingUploads.get(id)!;
          pendingUploads.delete(id);
          uploads.push({
            channel: args.channel_id as string | undefined,
            threadTs: args.thread_ts as string | undefined,
            filename: upload.filename,
            title: title ?? upload.filename,
            initialComment: args.initial_comment as string | undefined,
            content: upload.content!.toString('utf8'),
          });
        }
        return { ok: true, files: list.map(({ id, title }) => ({ id, title })) };
      },
    ],
    [
      'files.info',
      (args) => {
        const stored = files.get(String(args.file));
        if (!stored) return refused('file_not_found');
        const { file } = stored;
        const created = Math.floor(Date.now() / 1000);
        const permalink = `https://fake.slack.com/files/${file.user}/${file.id}/${encodeURIComponent(file.name)}`;
        return {
          ok: true,
          file: { ...file, created, timestamp: created, pretty_type: file.filetype.toUpperCase(), user_team: BOT.teamId, editable: false, mode: 'hosted', is_external: false, external_type: '', is_public: false, public_url_shared: false, display_as_bot: false, username: '', permalink, comments_count: 0, has_rich_preview: false },
          comments: [],
          response_metadata: { next_cursor: '' },
        };
      },
    ],
    [
      'conversations.info',
      (args) => (channels.has(String(args.channel)) ? { ok: true, channel: { id: args.channel, name: `chan-${String(args.channel).toLowerCase()}`, is_member: true } } : refused('channel_not_found')),
    ],
  ]);

  const completionProblem = (args: Record<string, unknown>, token: string | undefined) => {
    const execution = executions.get(String(args.function_execution_id));
    if (!execution) return refused('function_execution_not_found');
    // The execution's own token, or the bot's (Slack's docs: bot tokens, no scope required).
    if (token !== execution.token && tokenProblem('functions.completeSuccess', token?.startsWith('xwfp-') ? undefined : token)) return refused('invalid_auth');
    if (execution.state !== 'running') return refused('execution_not_in_running_state');
    return undefined;
  };
  const complete = (args: Record<string, unknown>, state: 'completed' | 'failed') => {
    const execution = executions.get(String(args.function_execution_id))!;
    if (state === 'completed') {
      const outputs = (args.outputs ?? {}) as Record<string, unknown>;
      if (typeof outputs.request_id !== 'string' || typeof outputs.status !== 'string') return refused('parameter_validation_failed');
      Object.assign(execution, { state, outputs });
    } else {
      if (typeof args.error !== 'string' || args.error === '') return refused('invalid_arguments');
      Object.assign(execution, { state, error: args.error });
    }
    return { ok: true };
  };

  async function answer(method: string, args: Record<string, unknown>, token: string | undefined, api: boolean) {
    const problem = api ? tokenProblem(method, token) : undefined;
    if (problem) return refused(problem);
    if (method === 'functions.completeSuccess' || method === 'functions.completeError') {
      return completionProblem(args, token) ?? complete(args, method === 'functions.completeSuccess' ? 'completed' : 'failed');
    }
    const check = checks[method]?.(args);
    if (check) return check;
    const handler = handlers.get(method);
    return handler ? handler(args) : { ok: true };
  }

  /** What answers a call instead of Slack's work: an injected fault first, then Slack's rate limits. */
  function refusalOf(method: string, args: Record<string, unknown>, api: boolean): 'reset' | { status: number; response: Record<string, unknown>; retryAfter?: number } | undefined {
    const slot = faults.find((candidate) => candidate.remaining > 0 && (candidate.method === '*' || candidate.method === method) && (candidate.when?.(args) ?? true));
    if (slot) {
      slot.remaining -= 1;
      const { fault } = slot;
      if (fault.kind === 'reset') return 'reset';
      if (fault.kind === 'rate_limited') {
        limits.announce(method, args, fault.retryAfter);
        return { status: 429, response: refused('ratelimited'), retryAfter: fault.retryAfter };
      }
      return fault.kind === 'error' ? { status: fault.status, response: refused('internal_error') } : { status: 200, response: refused(fault.error) };
    }
    const retryAfter = api ? limits.admit(method, args) : undefined;
    return retryAfter === undefined ? undefined : { status: 429, response: refused('ratelimited'), retryAfter };
  }

  /** GET url_private / url_private_download. */
  function serveFile(url: string, authorization: string | undefined, res: ServerResponse) {
    const id = /^\/files-pri\/[^/]+-(F\w+)\//.exec(url)?.[1];
    const stored = id === undefined ? undefined : files.get(id);
    const token = authorization?.replace(/^Bearer /, '');
    // The bot token only: neither an app-level nor a workflow execution's token reads files.
    const botToken = token !== undefined && token.startsWith('xoxb-') && tokenProblem('files.download', token) === undefined;
    if (!botToken) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(SIGN_IN_PAGE);
    } else if (stored?.location !== undefined) {
      res.writeHead(302, { location: stored.location, 'content-type': 'text/plain' });
      res.end('Found');
    } else if (!stored || stored.status !== undefined) {
      const status = stored?.status ?? 404;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 404 ? 'File not found' : 'Error');
    } else {
      res.writeHead(200, { 'content-type': stored.file.mimetype, 'content-length': String(stored.content.length) });
      res.end(stored.content);
    }
  }

  /** POST of the bytes to an upload_url: the WebClient sends multipart form data, the bytes in its `body` part; curl may send them raw. */
  async function receiveUpload(url: string, contentType: string | undefined, bytes: Buffer, res: ServerResponse) {
    const upload = pendingUploads.get(url.slice('/upload/v1/'.length));
    if (!upload) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    let content = bytes;
    if (contentType?.startsWith('multipart/form-data')) {
      const part = await new Response(bytes, { headers: { 'content-type': contentType } })
        .formData()
        .then((form) => form.get('body'))
        .catch(() => null);
      if (part === null) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('Bad Request');
        return;
      }
      content = typeof part === 'string' ? Buffer.from(part) : Buffer.from(await part.arrayBuffer());
    }
    upload.content = content;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${content.length}`);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const bytes = Buffer.concat(chunks);
        if (req.url?.startsWith('/files-pri/')) return serveFile(req.url, req.headers.authorization, res);
        if (req.url?.startsWith('/upload/v1/')) return receiveUpload(req.url, req.headers['content-type'], bytes, res);
        const raw = bytes.toString('utf8');
        const api = (req.url ?? '').startsWith('/api/');
        const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
        const args = decode(req.headers['content-type'], raw);
        const token = req.headers.authorization?.replace(/^Bearer /, '') ?? (args.token as string | undefined);
        const ignored = api && limits.waiting(method, args) ? { ignoredRetryAfter: true as const } : {};
        const refusal = refusalOf(method, args, api);
        if (refusal === 'reset') {
          calls.push({ method, args, token, raw, status: 0, at: Date.now(), ...ignored });
          req.socket.destroy();
          return;
        }
        if (refusal) {
          const { status, response, retryAfter } = refusal;
          calls.push({ method, args, token, raw, status, response, at: Date.now(), ...ignored });
          res.writeHead(status, { 'content-type': 'application/json', ...(retryAfter !== undefined && { 'retry-after': String(retryAfter) }) });
          res.end(JSON.stringify(response));
          return;
        }
        const call: SlackCall = { method, args, token, raw, status: 200, at: Date.now(), ...ignored };
        calls.push(call);
        call.response = await answer(method, args, token, api);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(call.response));
      })();
    });
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    on: (method, handler) => handlers.set(method, handler),
    fail: (method, fault, times, when) => faults.push({ method, fault, remaining: times, when }),
    delivered: (method) => calls.filter((call) => call.method === method && call.status === 200 && call.response?.ok !== false),
    threadLines: (threadTs) => {
      const took = (call: SlackCall) => call.status === 200 && call.response?.ok !== false;
      const shown = new Map<string, string>();
      for (const call of calls) {
        if (call.method === 'chat.postMessage' && took(call) && call.args.thread_ts === threadTs) shown.set(String(call.response?.ts), String(call.args.text));
        else if (call.method === 'chat.update' && took(call) && shown.has(String(call.args.ts))) shown.set(String(call.args.ts), String(call.args.text));
      }
      return [...shown.values()].flatMap((text) => text.split('\n'));
    },
    rateLimitedCount: (method) => calls.filter((call) => call.status === 429 && (method === undefined || call.method === method)).length,
    ignoredRetryAfterCount: (method) => calls.filter((call) => call.ignoredRetryAfter && (method === undefined || call.method === method)).length,
    addUser: (id, fields = {}) => void users.set(id, { ...users.get(id), ...fields }),
    addUserGroup: (id, members) => void groups.set(id, members),
    addChannel: (id) => void channels.add(id),
    startExecution() {
      const execution: FunctionExecution = { id: `Fx${randomBytes(5).toString('hex').toUpperCase()}`, token: `xwfp-${randomBytes(12).toString('hex')}`, state: 'running' };
      executions.set(execution.id, execution);
      return execution;
    },
    executions,
    addFile({ user, name, content, filetype, mimetype }) {
      const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
      const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
      const extension = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
      const type = filetype ?? (extension || 'binary');
      const path = `${origin}/files-pri/${BOT.teamId}-${id}`;
      const file: FakeSlackFile = {
        id,
        user,
        name,
        title: name,
        size: bytes.length,
        filetype: type,
        mimetype: mimetype ?? MIME_TYPES[type] ?? 'application/octet-stream',
        url_private: `${path}/${encodeURIComponent(name)}`,
        url_private_download: `${path}/download/${encodeURIComponent(name)}`,
      };
      files.set(id, { file, content: bytes });
      return file;
    },
    failFile(id, status) {
      const stored = files.get(id);
      if (!stored) throw new Error(`no file ${id}`);
      stored.status = status;
    },
    redirectFile(id, location) {
      const stored = files.get(id);
      if (!stored) throw new Error(`no file ${id}`);
      stored.location = location;
    },
    uploads,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
