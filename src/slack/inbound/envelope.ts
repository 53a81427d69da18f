import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, type SocketModeReceiverProcessEventErrorHandlerArgs } from '@slack/bolt';
import type { Logger } from 'pino';
import { PayloadRefused } from './gate.js';
import { STORE_AWAY_TEXT } from '../blocks/replies.js';
import { isStoreUnavailable, type StoreUnavailable } from '../../adapters/store/unavailable.js';

/** What a Slack request that needed the store is answered while it is away; a slash command shows it to its sender. */
const STORE_AWAY = JSON.stringify({ response_type: 'ephemeral', text: STORE_AWAY_TEXT });

/** Slack's bodies are small; Bolt is told the same limit. */
export const BODY_LIMIT = 1024 * 1024;

/** A Slack body as Bolt will read it: JSON, a form's `payload` field, or the form itself; undefined when unreadable. */
export function parseSlackBody(raw: Buffer, contentType: string | undefined): unknown {
  try {
    const text = raw.toString('utf8');
    if (contentType?.startsWith('application/json')) return JSON.parse(text);
    const form = new URLSearchParams(text);
    const payload = form.get('payload');
    return payload === null ? Object.fromEntries(form) : JSON.parse(payload);
  } catch {
    return undefined;
  }
}

/** The store's outage behind a listener's failure: Bolt wraps what a listener throws (UnknownError, `original`). */
export function storeOutageIn(error: unknown): StoreUnavailable | undefined {
  if (isStoreUnavailable(error)) return error;
  const { original, originals } = error as { original?: unknown; originals?: unknown[] };
  return [original, ...(originals ?? [])].find(isStoreUnavailable);
}

const isEventCallback = (body: unknown) => isObject(body) && (body as { type?: unknown }).type === 'event_callback';

/** An Events API delivery (guardSlackBody buffered its body before Bolt read it). */
function isEvent(request: IncomingMessage): boolean {
  const { rawBody } = request as IncomingMessage & { rawBody?: Buffer };
  return isEventCallback(rawBody && parseSlackBody(rawBody, request.headers['content-type']));
}

/**
 * What to answer when processing a Slack request failed before its ack. A payload the gate
 * refused gets the gate's status (400 invalid, 403 another workspace, 503 workspace not yet
 * known); anything else failed on a payload that passed validation, which is our bug: 500,
 * with the error logged in full.
 */
export function processEventErrorHandler(log: Logger) {
  return async ({ error, request, response }: HTTPModuleFunctions.ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    const outage = storeOutageIn(error);
    if (outage) {
      // The outage is said once by the store; this request's part in it is detail.
      log.warn({ reason: outage.reason }, 'a Slack request could not be served: the store is unavailable');
      if (response.headersSent) return false;
      // An event (a workflow step's, say) is delivered again by Slack after a failure; a person's request is not, so they are told.
      if (isEvent(request)) {
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end('the store is unavailable; deliver again later\n');
        return true;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(STORE_AWAY);
      return true;
    }
    if (response.headersSent) {
      log.error({ err: error }, 'a Slack listener failed after its ack');
      return false;
    }
    if (error instanceof PayloadRefused) {
      response.writeHead(error.status, { 'content-type': 'text/plain' });
      response.end(error.message);
      // Marks the request acknowledged, which stops Bolt's no-ack timer from reporting it later.
      return true;
    }
    log.error({ err: error }, 'a Slack request failed before its ack');
    response.writeHead(500);
    response.end();
    return false;
  };
}

/**
 * Socket Mode: a refused payload is acknowledged (so Slack does not redeliver it) and dropped. An
 * event the store could not take is left unacknowledged, so Slack delivers it again, as over HTTP.
 */
export function socketProcessEventErrorHandler(log: Logger) {
  return async ({ error, event }: SocketModeReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    if (error instanceof PayloadRefused) return true;
    const outage = storeOutageIn(error);
    if (outage) {
      log.warn({ reason: outage.reason }, 'a Slack request could not be served: the store is unavailable');
      return !isEventCallback(event.body);
    }
    log.error({ err: error }, 'a Slack listener failed');
    return false;
  };
}

export const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the body before Bolt does (Bolt reuses it) and turns away what is not even an object:
 * Bolt 5 dereferences such a body before its own error handling, which leaves the request
 * unanswered for good and rejects a promise nobody awaits.
 */
export function guardSlackBody(listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    HTTPModuleFunctions.bufferIncomingMessage(req, BODY_LIMIT).then(
      (buffered) => {
        if (!isObject(parseSlackBody(buffered.rawBody, req.headers['content-type']))) {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end('not a Slack payload\n');
          return;
        }
        listener(buffered, res);
      },
      (error: { statusCode?: number }) => {
        res.writeHead(error.statusCode === 413 ? 413 : 400, { 'content-type': 'text/plain' });
        res.end(error.statusCode === 413 ? 'body too large\n' : 'unreadable body\n');
      },
    );
  };
}
