import { Agent, request } from 'undici';
import type { HttpClient, HttpResult, HttpTimeouts, TransportFailure, WireRequest } from './types.js';

/** undici's own defaults are five minutes for headers and body: far too long for a person waiting in Slack. */
export const DEFAULT_TIMEOUTS: HttpTimeouts = {
  connectMs: 5_000,
  headersMs: 15_000,
  bodyMs: 15_000,
  totalMs: 20_000,
};

/** A provider answering with megabytes is broken; keep enough to show its message. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Codes that mean the request never left this host, so repeating it cannot duplicate anything. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UNKNOWN';
  const candidate = error as { code?: unknown; errors?: unknown[]; cause?: unknown; name?: unknown };
  if (typeof candidate.code === 'string') return candidate.code;
  // Happy-eyeballs connects fail with an AggregateError whose members carry the code.
  if (Array.isArray(candidate.errors) && candidate.errors.length > 0) return errorCode(candidate.errors[0]);
  if (candidate.cause) return errorCode(candidate.cause);
  if (typeof candidate.name === 'string') return candidate.name;
  return 'UNKNOWN';
}

export function classifyTransportError(error: unknown): TransportFailure {
  const code = errorCode(error);
  const delivery = NOT_SENT_CODES.has(code) ? 'not_sent' : 'sent';
  const message =
    delivery === 'not_sent'
      ? `could not connect (${code})`
      : code === 'TimeoutError' || code === 'AbortError' || code.endsWith('_TIMEOUT')
        ? `no answer in time (${code})`
        : `connection failed after the request was sent (${code})`;
  return { delivery, code, message };
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > MAX_BODY_BYTES) {
      chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createHttpClient(defaults: Partial<HttpTimeouts> = {}): HttpClient {
  const base = { ...DEFAULT_TIMEOUTS, ...defaults };
  const agent = new Agent({
    connect: { timeout: base.connectMs },
    headersTimeout: base.headersMs,
    bodyTimeout: base.bodyMs,
  });

  return {
    async send(wire: WireRequest, timeouts: Partial<HttpTimeouts> = {}): Promise<HttpResult> {
      const t = { ...base, ...timeouts };
      const started = performance.now();
      const durationMs = () => Math.round(performance.now() - started);
      // Not AbortSignal.timeout: its timer and everything the request hangs on it live for the
      // whole deadline even after an answer, which at a few calls a second is megabytes.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new DOMException('deadline reached', 'TimeoutError')), t.totalMs);
      try {
        const res = await request(wire.url, {
          dispatcher: agent,
          method: wire.method,
          headers: wire.headers,
          body: wire.body,
          headersTimeout: t.headersMs,
          bodyTimeout: t.bodyMs,
          signal: deadline.signal,
        });
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        const body = await readCapped(res.body);
        return { ok: true, response: { status: res.statusCode, headers, body }, durationMs: durationMs() };
      } catch (error) {
        return { ok: false, failure: classifyTransportError(error), durationMs: durationMs() };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}
