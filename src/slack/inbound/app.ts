import { type App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { SLACK_EVENTS_PATH } from '../../http/server.js';
import { boltLevel, boltLogger } from '../../logging/bolt-logger.js';
import { webClientOptions } from '../workspace/client.js';
import { BODY_LIMIT, guardSlackBody, processEventErrorHandler, socketProcessEventErrorHandler, storeOutageIn } from './envelope.js';
import { GatedApp } from './gate.js';
import type { SlackIdentity } from '../workspace/identity.js';
import { backoffMs, type SlackReporter } from '../workspace/reachability.js';

export interface SlackApp {
  app: App;
  /** HTTP mode: the handler for /slack/events (signature check, acks, dispatch). */
  requestListener?: HTTPReceiver['requestListener'];
  /** Socket Mode: opens the WebSocket to Slack, retrying with backoff in the background until it is open. */
  connect: () => void;
  /** Why Socket Mode is not connected, in a phrase for /readyz; undefined when connected or in HTTP mode. */
  problem: () => string | undefined;
  disconnect: () => Promise<void>;
}

/**
 * Bolt's own handler logs each failure with its stack before the receiver's handler answers it;
 * a store outage is said once by the store, and its requests by the receiver's handler.
 */
function errorHandler(logger: ReturnType<typeof boltLogger>) {
  return async (error: Error) => {
    if (!storeOutageIn(error)) logger.error(error);
    throw error;
  };
}

/**
 * Builds the Bolt app for either transport. The HTTP server itself is ours (see
 * src/http/server.ts), so health and metrics routes and shutdown work the same in both modes.
 */
export function createSlackApp(config: Config, log: Logger, identity: SlackIdentity, reporter: SlackReporter): SlackApp {
  const logger = boltLogger(log);
  const logLevel = boltLevel(config.logLevel);
  let receiver: Receiver;
  let requestListener: HTTPReceiver['requestListener'] | undefined;
  let socket: SocketModeReceiver | undefined;
  if (config.slack.mode === 'socket') {
    socket = new SocketModeReceiver({
      appToken: config.slack.appToken!.reveal(),
      logger,
      logLevel,
      // apps.connections.open goes through this client: it must honour SLACK_API_URL too.
      installerOptions: { clientOptions: webClientOptions(config, log) },
      processEventErrorHandler: socketProcessEventErrorHandler(log),
    });
    receiver = socket;
  } else {
    const http = new HTTPReceiver({
      signingSecret: config.slack.signingSecret!.reveal(),
      endpoints: SLACK_EVENTS_PATH,
      logger,
      logLevel,
      // Slack gives up after 3 s; answering before then lets it show its own error at once. Payloads
      // no listener handles never wait for this: the gate acknowledges them at once.
      unhandledRequestTimeoutMillis: 2_900,
      bodyLimit: BODY_LIMIT,
      processEventErrorHandler: processEventErrorHandler(log),
    });
    requestListener = guardSlackBody(http.requestListener);
    receiver = http;
  }

  const app = new GatedApp(
    {
      receiver,
      authorize: identity.authorize,
      logger,
      logLevel,
      // Conversation state in memory would differ between replicas; everything shared lives in the store.
      convoStore: false,
      clientOptions: webClientOptions(config, log),
    },
    identity,
    log,
  );
  app.error(errorHandler(logger));

  let problem: string | undefined = socket ? 'Socket Mode not connected yet' : undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const open = (attempt: number) => {
    socket!.start().then(
      () => {
        problem = undefined;
        reporter.recovered();
        log.info('Socket Mode connected');
      },
      (error: unknown) => {
        problem = `${reporter.failed(error, 'SLACK_APP_TOKEN')} (Socket Mode)`;
        if (stopped) return;
        retry = setTimeout(() => open(attempt + 1), backoffMs(attempt));
        retry.unref();
      },
    );
  };

  return {
    app,
    requestListener,
    connect: () => {
      if (socket) open(1);
    },
    problem: () => problem,
    disconnect: async () => {
      stopped = true;
      clearTimeout(retry);
      if (socket && !problem) await socket.stop();
    },
  };
}
