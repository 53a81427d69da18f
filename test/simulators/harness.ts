import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the simulator received it, for field-by-field assertions. */
export interface Recorded {
  method: string;
  /** Path and query string, e.g. `/createUser/?apiToken=…`. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  /** performance.now() when the request line arrived, for latency measurements. */
  receivedAt: number;
  /** The status answered, once answered (faults included; absent for a reset). */
  status?: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Faults a test can inject into the next matching requests, in order. */
export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'garbage'; body: string; contentType?: string };

export interface Simulator {
  url: string;
  port: number;
  /** Every request received, faults included. */
  requests: Recorded[];
  /** Requests whose path matches, e.g. the create endpoint. */
  count(path: RegExp): number;
  /** The next `times` requests whose path matches get `fault` instead of the contract's answer. */
  inject(fault: Fault, options?: { path?: RegExp; times?: number }): void;
  close(): Promise<void>;
}

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local HTTP server on 127.0.0.1 with a random port. `handle` is the provider's contract;
 * the harness adds recording and fault injection so every simulator fails the same ways.
 */
export async function startSimulator(handle: (request: Recorded) => Reply | Promise<Reply>): Promise<Simulator> {
  const requests: Recorded[] = [];
  const faults: { fault: Fault; path: RegExp; remaining: number }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const receivedAt = performance.now();
    void (async () => {
      const body = await readBody(req);
      const url = req.url ?? '/';
      const parsed = new URL(url, 'http://127.0.0.1');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const recorded: Recorded = {
        method: req.method ?? 'GET',
        url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers,
        body,
        receivedAt,
      };
      requests.push(recorded);
      const slot = faults.find((candidate) => candidate.remaining > 0 && candidate.path.test(recorded.path));
      if (slot) {
        slot.remaining -= 1;
        const { fault } = slot;
        if (fault.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault.kind === 'delay') {
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          if (res.destroyed || req.socket.destroyed) return;
        } else if (fault.kind === 'status') {
          recorded.status = fault.status;
          res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
          res.end(fault.body ?? '');
          return;
        } else {
          recorded.status = 200;
          res.writeHead(200, { 'content-type': fault.contentType ?? 'text/html' });
          res.end(fault.body);
          return;
        }
      }
      const reply = await handle(recorded);
      if (res.destroyed) return;
      recorded.status = reply.status;
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`simulator error: ${String(error)}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    count: (path) => requests.filter((request) => path.test(request.path)).length,
    inject(fault, options = {}) {
      faults.push({ fault, path: options.path ?? /.*/, remaining: options.times ?? 1 });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A loopback port with nothing listening: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
