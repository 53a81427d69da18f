import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blocksProblems, MESSAGE_TEXT_LIMIT, viewProblems } from './block-kit.js';

export interface SlackCall {
  method: string;
  /** Arguments as the WebClient sent them; JSON-encoded fields (blocks, view) decoded. */
  args: Record<string, unknown>;
  /** The bearer token the call carried. */
  token: string | undefined;
  /** The raw body, for "no secret anywhere" assertions. */
  raw: string;
  /** The HTTP status the fake answered with (a fault, or 200). */
  status: number;
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
  close(): Promise<void>;
}

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

const refused = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });

/**
 * A Slack Web API on 127.0.0.1 that records every call and refuses what Slack refuses: a wrong
 * token, a trigger_id that is unknown, expired or already used, a stale views.update hash, Block
 * Kit beyond its documented limits, unknown users, user groups, channels and messages.
 * The bot's WebClient points at it. `token`: the only bot token accepted (default: any xoxb-).
 */
export async function startFakeSlack(options: { port?: number; token?: string } = {}): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  let seq = 0;
  const faults: { method: string; fault: SlackFault; remaining: number; when?: (args: Record<string, unknown>) => boolean }[] = [];
  const users = new Map<string, Record<string, unknown>>();
  const groups = new Map<string, string[]>();
  const channels = new Set(CHANNELS);
  const messages = new Set<string>();
  const views = new Map<string, string>();
  const usedTriggers = new Set<string>();
  const executions = new Map<string, FunctionExecution>();
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

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const api = (req.url ?? '').startsWith('/api/');
        const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
        const args = decode(req.headers['content-type'], raw);
        const token = req.headers.authorization?.replace(/^Bearer /, '') ?? (args.token as string | undefined);
        const slot = faults.find(
          (candidate) => candidate.remaining > 0 && (candidate.method === '*' || candidate.method === method) && (candidate.when?.(args) ?? true),
        );
        if (slot) {
          slot.remaining -= 1;
          const { fault } = slot;
          if (fault.kind === 'reset') {
            calls.push({ method, args, token, raw, status: 0 });
            req.socket.destroy();
            return;
          }
          const status = fault.kind === 'rate_limited' ? 429 : fault.kind === 'error' ? fault.status : 200;
          const response = refused(fault.kind === 'rate_limited' ? 'ratelimited' : fault.kind === 'error' ? 'internal_error' : fault.error);
          calls.push({ method, args, token, raw, status, response });
          res.writeHead(status, { 'content-type': 'application/json', ...(fault.kind === 'rate_limited' && { 'retry-after': String(fault.retryAfter) }) });
          res.end(JSON.stringify(response));
          return;
        }
        const call: SlackCall = { method, args, token, raw, status: 200 };
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
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    on: (method, handler) => handlers.set(method, handler),
    fail: (method, fault, times, when) => faults.push({ method, fault, remaining: times, when }),
    delivered: (method) => calls.filter((call) => call.method === method && call.status === 200 && call.response?.ok !== false),
    addUser: (id, fields = {}) => void users.set(id, { ...users.get(id), ...fields }),
    addUserGroup: (id, members) => void groups.set(id, members),
    addChannel: (id) => void channels.add(id),
    startExecution() {
      const execution: FunctionExecution = { id: `Fx${randomBytes(5).toString('hex').toUpperCase()}`, token: `xwfp-${randomBytes(12).toString('hex')}`, state: 'running' };
      executions.set(execution.id, execution);
      return execution;
    },
    executions,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
