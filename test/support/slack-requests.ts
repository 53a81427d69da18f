import { createHmac } from 'node:crypto';
import { newTriggerId } from './fake-slack.js';

/** Slack's request signature: v0= + HMAC-SHA256 of "v0:{timestamp}:{raw body}". */
export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackResponse {
  status: number;
  body: string;
  json: () => unknown;
  ms: number;
}

export interface SendOptions {
  secret: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Overrides the computed signature (for forgery tests). */
  signature?: string;
  headers?: Record<string, string>;
}

/** POSTs a form body to /slack/events exactly as Slack does, signed. */
export async function postToSlackEvents(baseUrl: string, body: string, options: SendOptions): Promise<SlackResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? signature(options.secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  return { status: res.status, body: text, ms, json: () => (text ? JSON.parse(text) : undefined) };
}

export function commandBody(fields: {
  user: string;
  channel: string;
  text: string;
  responseUrl: string;
  triggerId?: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'TTEAM0001',
    team_domain: 'example',
    channel_id: fields.channel,
    channel_name: 'it-requests',
    user_id: fields.user,
    user_name: fields.user.toLowerCase(),
    command: '/adduser',
    text: fields.text,
    api_app_id: 'AAPP00001',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? newTriggerId(),
  }).toString();
}

export const payloadBody = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** An event as the Events API delivers it (JSON, not form-encoded), to this workspace's bot. */
const eventCallback = <E extends { type: string }>(event: E) => ({
  token: 'deprecated',
  team_id: 'TTEAM0001',
  api_app_id: 'AAPP00001',
  type: 'event_callback',
  event_id: `Ev${Math.random().toString(36).slice(2)}`,
  event_time: Math.floor(Date.now() / 1000),
  event,
  authorizations: [{ team_id: 'TTEAM0001', user_id: 'UBOTUSER1', is_bot: true }],
});

export const homeOpenedPayload = (user: string) =>
  eventCallback({ type: 'app_home_opened', user, channel: 'DHOME0001', tab: 'home', event_ts: `${Date.now() / 1000}` });

/** A workflow running one of the app's steps: function_executed. */
export const functionExecutedPayload = (execution: { id: string; token: string }, inputs: Record<string, unknown>, callbackId = 'create_account') =>
  eventCallback({
    type: 'function_executed',
    function: {
      id: 'Fn0WORKFLOW1',
      callback_id: callbackId,
      title: 'Create an account',
      type: 'app',
      input_parameters: [],
      output_parameters: [],
      app_id: 'AAPP00001',
      date_created: 1_700_000_000,
      date_updated: 1_700_000_000,
      date_deleted: 0,
    },
    inputs,
    function_execution_id: execution.id,
    workflow_execution_id: `Wx${execution.id.slice(2)}`,
    event_ts: `${Date.now() / 1000}`,
    bot_access_token: execution.token,
  });

/** A lookup select of the request modal asking for options (block_suggestion). */
export const suggestionPayload = (
  user: string,
  view: { id: string; private_metadata: string; blocks: unknown[] },
  field: string,
  value: string,
  state: Record<string, unknown> = {},
) => ({
  type: 'block_suggestion',
  user: { id: user, username: user.toLowerCase(), team_id: 'TTEAM0001' },
  team: { id: 'TTEAM0001', domain: 'example' },
  api_app_id: 'AAPP00001',
  token: 'deprecated',
  container: { type: 'view', view_id: view.id },
  action_id: `field:${field}`,
  block_id: field,
  value,
  view: { ...view, type: 'modal', state: { values: state }, hash: 'h', callback_id: 'adduser_request', team_id: 'TTEAM0001', app_id: 'AAPP00001', bot_id: 'BBOTID001' },
});

/** The same, form-encoded as Slack posts it. */
export const suggestion = (...args: Parameters<typeof suggestionPayload>) => payloadBody(suggestionPayload(...args));
