import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlack } from './fake-slack.js';
import type { SlackResponse } from './slack-requests.js';
import { waitFor } from './wait.js';

export interface FakeSocketMode {
  /** Envelopes the app acknowledged, by envelope id. */
  acks: Map<string, unknown>;
  connected: () => boolean;
  /** Sends an envelope the way Slack does over Socket Mode. */
  send: (type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown) => string;
  close: () => Promise<void>;
}

/**
 * Slack's Socket Mode end: the fake Web API's apps.connections.open hands out this
 * WebSocket URL, which says hello, delivers envelopes and records the app's acks.
 */
export async function startFakeSocketMode(slack: FakeSlack): Promise<FakeSocketMode> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let socket: WebSocket | undefined;
  const acks = new Map<string, unknown>();
  let counter = 0;
  server.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (message.envelope_id) acks.set(message.envelope_id, message.payload ?? null);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'AAPP00001' } }));
  });
  slack.on('apps.connections.open', () => ({ ok: true, url: `ws://127.0.0.1:${port}/link` }));
  return {
    acks,
    connected: () => socket?.readyState === 1,
    send(type, payload) {
      const envelope_id = `env-${++counter}`;
      socket!.send(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
      return envelope_id;
    },
    async close() {
      for (const client of server.clients) client.terminate();
      server.close();
    },
  };
}

/**
 * The driver's transport over Socket Mode: a body built for /slack/events (an Events API
 * callback's JSON, a slash command's form, or `payload=` JSON) goes out as the envelope Slack
 * would send, and the app's ack is the answer.
 */
export function socketTransport(socket: FakeSocketMode): (body: string) => Promise<SlackResponse> {
  return async (body) => {
    const started = performance.now();
    const form = new URLSearchParams(body);
    const payload = form.get('payload');
    const envelope = body.startsWith('{')
      ? socket.send('events_api', JSON.parse(body))
      : payload === null
        ? socket.send('slash_commands', Object.fromEntries(form))
        : socket.send('interactive', JSON.parse(payload));
    await waitFor(() => socket.acks.has(envelope), { what: `the ack of ${envelope}` });
    const ack = socket.acks.get(envelope);
    // An empty ack is `{}` over the socket where HTTP answers an empty body.
    const text = ack === null || ack === undefined || JSON.stringify(ack) === '{}' ? '' : JSON.stringify(ack);
    return { status: 200, body: text, ms: performance.now() - started, json: () => (text ? JSON.parse(text) : undefined) };
  };
}
