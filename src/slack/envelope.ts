import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HTTPModuleFunctions } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';

const identified = z.string().min(1);

/** The fields Bolt itself relies on before any listener runs: who sent it, from which workspace. */
const envelope = z.union([
  z.looseObject({ command: identified, user_id: identified, team_id: identified }),
  z.looseObject({
    type: z.literal('event_callback'),
    team_id: identified,
    event: z.looseObject({ type: identified, user: z.union([identified, z.looseObject({ id: identified })]).optional() }),
  }),
  z
    .looseObject({
      type: identified,
      user: z.looseObject({ id: identified, team_id: z.string().optional() }),
      team: z.looseObject({ id: identified }).nullish(),
    })
    .refine((body) => Boolean(body.team?.id ?? body.user.team_id)),
]);

/** Slack's bodies are small; Bolt is told the same limit. */
export const BODY_LIMIT = 1024 * 1024;

function parse(raw: Buffer, contentType: string | undefined): unknown {
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

/**
 * What to answer when processing a Slack request failed before its ack. A signed body that is
 * not a Slack payload at all (Bolt trips over a missing user or team) is the sender's fault:
 * 400, not 500. A real payload that failed is our bug: 500, with the error logged in full.
 */
export function processEventErrorHandler(log: Logger) {
  return async ({ error, request, response }: HTTPModuleFunctions.ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    if (response.headersSent) {
      log.error({ err: error }, 'a Slack listener failed after its ack');
      return false;
    }
    const raw = (request as { rawBody?: Buffer }).rawBody;
    if (!raw || !envelope.safeParse(parse(raw, request.headers['content-type'])).success) {
      log.warn('a signed request was not a Slack payload; answered 400');
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end('not a Slack payload\n');
      return false;
    }
    log.error({ err: error }, 'a Slack request failed before its ack');
    response.writeHead(500);
    response.end();
    return false;
  };
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the body before Bolt does (Bolt reuses it) and turns away what is not even an object:
 * Bolt 5 dereferences such a body before its own error handling, which leaves the request
 * unanswered for good and rejects a promise nobody awaits.
 */
export function guardSlackBody(listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    HTTPModuleFunctions.bufferIncomingMessage(req, BODY_LIMIT).then(
      (buffered) => {
        if (!isObject(parse(buffered.rawBody, req.headers['content-type']))) {
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
