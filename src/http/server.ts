import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where Slack sends events, commands and interactivity in HTTP mode (manifest.yml's request URLs). */
export const SLACK_EVENTS_PATH = '/slack/events';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RunningServer {
  server: Server;
  port: number;
  close: () => Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export const respond = { send };

/**
 * One HTTP server for both transports: operational routes are answered here, and in HTTP
 * mode everything else goes to Bolt's receiver (which owns /slack/events and its signature check).
 */
export async function startHttpServer(options: {
  port: number;
  routes: Record<string, Route>;
  slack?: RequestListener;
  /** Called when a Slack request has been answered: in HTTP mode the answer is the ack. */
  onSlackAnswered?: (seconds: number) => void;
}): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = options.routes[path];
    if (route && (req.method === 'GET' || req.method === 'HEAD')) {
      Promise.resolve(route(req, res)).catch(() => {
        if (!res.headersSent) send(res, 500, 'internal error\n');
      });
      return;
    }
    // Bolt leaves requests it has no endpoint for unanswered; only Slack's POSTs reach it.
    if (options.slack && req.method === 'POST' && path === SLACK_EVENTS_PATH) {
      const started = process.hrtime.bigint();
      res.once('finish', () => options.onSlackAnswered?.(Number(process.hrtime.bigint() - started) / 1e9));
      options.slack(req, res);
      return;
    }
    send(res, 404, 'not found\n');
  });
  // Slack sends one request per connection at a time; long keep-alive only holds sockets open at shutdown.
  server.keepAliveTimeout = 5_000;
  server.listen(options.port);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: async () => {
      server.closeIdleConnections();
      const closed = once(server, 'close');
      server.close();
      await closed;
    },
  };
}
