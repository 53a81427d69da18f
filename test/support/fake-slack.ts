import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
}

/** What the fake does instead of answering, for the next calls to a method. */
export type SlackFault = { kind: 'rate_limited'; retryAfter: number } | { kind: 'error'; status: number } | { kind: 'reset' };

export type SlackHandler = (args: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface FakeSlack {
  /** Base URL for SLACK_API_URL (ends with /api/). */
  url: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Answer `method` with `handler` instead of the default `{ ok: true }`. */
  on(method: string, handler: SlackHandler): void;
  /** The next `times` calls to `method` ('*' for any) meet `fault`. */
  fail(method: string, fault: SlackFault, times: number): void;
  /** Calls that were answered 200, i.e. that really happened. */
  delivered(method: string): SlackCall[];
  close(): Promise<void>;
}

export const BOT = { userId: 'UBOTUSER1', botId: 'BBOTID001', teamId: 'TTEAM0001' };

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

/** A Slack Web API on 127.0.0.1 that records every call; the bot's WebClient points at it. */
export async function startFakeSlack(options: { port?: number } = {}): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  let seq = 0;
  const faults: { method: string; fault: SlackFault; remaining: number }[] = [];
  const nextTs = () => `${1_700_000_000 + seq}.${String(++seq).padStart(6, '0')}`;
  const handlers = new Map<string, SlackHandler>([
    ['auth.test', () => ({ ok: true, user_id: BOT.userId, bot_id: BOT.botId, team_id: BOT.teamId, url: 'https://fake.slack.com/' })],
    ['chat.postMessage', (args) => ({ ok: true, channel: args.channel, ts: nextTs(), message: { text: args.text } })],
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
    ['views.open', (args) => ({ ok: true, view: { id: `V${++seq}`, hash: `hash-${seq}`, ...(args.view as object) } })],
    ['views.update', (args) => ({ ok: true, view: { id: args.view_id, hash: `hash-${++seq}`, ...(args.view as object) } })],
    ['views.publish', (args) => ({ ok: true, view: { id: `V${++seq}`, ...(args.view as object) } })],
    ['users.info', (args) => ({ ok: true, user: { id: args.user, team_id: BOT.teamId, is_admin: false, is_owner: false } })],
    ['usergroups.users.list', () => ({ ok: true, users: [] })],
  ]);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
        const args = decode(req.headers['content-type'], raw);
        const token = req.headers.authorization?.replace(/^Bearer /, '') ?? (args.token as string | undefined);
        const slot = faults.find((candidate) => candidate.remaining > 0 && (candidate.method === '*' || candidate.method === method));
        if (slot) {
          slot.remaining -= 1;
          const { fault } = slot;
          if (fault.kind === 'reset') {
            calls.push({ method, args, token, raw, status: 0 });
            req.socket.destroy();
            return;
          }
          const status = fault.kind === 'rate_limited' ? 429 : fault.status;
          calls.push({ method, args, token, raw, status });
          res.writeHead(status, { 'content-type': 'application/json', ...(fault.kind === 'rate_limited' && { 'retry-after': String(fault.retryAfter) }) });
          res.end(JSON.stringify({ ok: false, error: fault.kind === 'rate_limited' ? 'ratelimited' : 'internal_error' }));
          return;
        }
        calls.push({ method, args, token, raw, status: 200 });
        const handler = handlers.get(method);
        const body = handler ? await handler(args) : { ok: true };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
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
    fail: (method, fault, times) => faults.push({ method, fault, remaining: times }),
    delivered: (method) => calls.filter((call) => call.method === method && call.status === 200),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
