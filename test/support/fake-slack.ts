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
}

export type SlackHandler = (args: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface FakeSlack {
  /** Base URL for SLACK_API_URL (ends with /api/). */
  url: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Answer `method` with `handler` instead of the default `{ ok: true }`. */
  on(method: string, handler: SlackHandler): void;
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
export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  let seq = 0;
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
    ['users.info', (args) => ({ ok: true, user: { id: args.user, is_admin: false, is_owner: false } })],
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
        calls.push({ method, args, token, raw });
        const handler = handlers.get(method);
        const body = handler ? await handler(args) : { ok: true };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    on: (method, handler) => handlers.set(method, handler),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
