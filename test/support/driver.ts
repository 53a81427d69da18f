import type { Store } from '../../src/adapters/store/types.js';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { AccessRequest, RequestState } from '../../src/domain/requests/request.js';
import { type FakeSlack, type FakeSlackFile, newTriggerId, type SlackCall } from './fake-slack.js';
import { commandBody, payloadBody, postToSlackEvents, type SlackResponse } from './slack-requests.js';
import { waitFor } from './wait.js';

export const SIGNING_SECRET = 'e2e-signing-secret-4f9d2c';
export const CHANNEL = 'CREQUESTS1';

type ViewBlock = {
  type: string;
  block_id?: string;
  element?: { type: string; action_id: string; options?: { text: { text: string }; value: string }[] };
};
export type OpenedView = {
  id: string;
  hash: string;
  callback_id: string;
  private_metadata: string;
  blocks: ViewBlock[];
};

export interface SlackDriver {
  slack: FakeSlack;
  url: string;
  store: Store;
  send: (body: string, extra?: { timestamp?: number; signature?: string; headers?: Record<string, string> }) => Promise<SlackResponse>;
  command: (user: string, text: string, channel?: string) => Promise<SlackResponse>;
  /** /adduser [text] and the modal the bot opened. */
  openModal: (user: string, text?: string) => Promise<OpenedView>;
  /** Chooses a provider in an open modal and returns the updated view. */
  chooseProvider: (user: string, view: OpenedView, provider: string) => Promise<OpenedView>;
  /** Submits a modal with values keyed by field id (strings, or lists for multi-selects and checkboxes). */
  submit: (user: string, view: OpenedView, values: Record<string, string | string[]>) => Promise<SlackResponse>;
  /** Submits the CSV form with this file uploaded in its file_input (none: the field left empty). */
  submitCsv: (user: string, view: OpenedView, file: FakeSlackFile | undefined, reason: string) => Promise<SlackResponse>;
  /** Clicks a button of a request message (or of the App Home when `where` is 'home'). */
  click: (user: string, actionId: string, requestId: string, where?: 'message' | 'home') => Promise<SlackResponse>;
  request: (id: string) => Promise<AccessRequest | undefined>;
  waitForState: (id: string, state: RequestState, timeoutMs?: number) => Promise<AccessRequest>;
  /** Waits until a CSV batch's accounts file is in its thread: Approve is refused before. */
  waitForAccountsListed: (batchId: string, timeoutMs?: number) => Promise<void>;
  /** The request id of the request message posted after `since` calls. */
  postedRequestId: (since?: number) => Promise<string>;
  auditFor: (id: string) => Promise<AuditRecord[]>;
  /** Everything the bot sent to Slack, as text, for "no secret anywhere" checks. */
  slackText: () => string;
}

let responseCounter = 0;

/** What every block_actions payload carries: who clicked, where, and a fresh trigger. */
const actionEnvelope = (user: string) => ({
  type: 'block_actions',
  user: { id: user, username: user.toLowerCase(), team_id: 'TTEAM0001' },
  team: { id: 'TTEAM0001', domain: 'example' },
  api_app_id: 'AAPP00001',
  token: 'deprecated',
  trigger_id: newTriggerId(),
});

/** view.state for a modal filled with `values` keyed by field id, as Slack sends it. */
export function stateValues(view: OpenedView, values: Record<string, string | string[]>) {
  const state: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    if (block.type !== 'input' || !block.element || !block.block_id) continue;
    const { type, action_id } = block.element;
    const key = action_id.replace(/^field:/, '');
    const value = block.block_id === 'provider' ? values.provider : values[key];
    let entry: Record<string, unknown>;
    const option = (v: string) => ({ text: { type: 'plain_text', text: v }, value: v });
    if (['static_select', 'external_select'].includes(type)) {
      entry = { type, selected_option: value === undefined ? null : option(String(value)) };
    } else if (['multi_static_select', 'multi_external_select', 'checkboxes'].includes(type)) {
      const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
      entry = { type, selected_options: list.map(option) };
    } else {
      entry = { type, value: value === undefined ? null : String(value) };
    }
    state[block.block_id] = { [action_id]: entry };
  }
  return { values: state };
}

/** A provider chosen in an open modal: the block_actions payload Slack sends. */
export const selectPayload = (user: string, view: OpenedView, provider: string) => ({
  ...actionEnvelope(user),
  container: { type: 'view', view_id: view.id },
  view: { ...view, type: 'modal', team_id: 'TTEAM0001', app_id: 'AAPP00001', bot_id: 'BBOTID001', state: stateValues(view, { provider }) },
  actions: [
    {
      type: 'static_select',
      action_id: 'provider_select',
      block_id: 'provider',
      selected_option: { text: { type: 'plain_text', text: provider }, value: provider },
      action_ts: `${Date.now() / 1000}`,
    },
  ],
});

/** A modal submitted with `values` keyed by field id: the view_submission payload Slack sends. */
export const submissionPayload = (user: string, view: OpenedView, values: Record<string, string | string[]>) => ({
  type: 'view_submission',
  team: { id: 'TTEAM0001', domain: 'example' },
  user: { id: user, username: user.toLowerCase(), team_id: 'TTEAM0001' },
  api_app_id: 'AAPP00001',
  token: 'deprecated',
  trigger_id: newTriggerId(),
  view: {
    ...view,
    type: 'modal',
    team_id: 'TTEAM0001',
    app_id: 'AAPP00001',
    bot_id: 'BBOTID001',
    root_view_id: view.id,
    previous_view_id: null,
    state: stateValues(view, values),
  },
  response_urls: [],
});

/** A button of a request message (when its thread is known) or of the App Home, clicked. */
export const clickPayload = (user: string, actionId: string, requestId: string, thread: { channel: string; ts: string } | undefined, responseUrl: string) => ({
  ...actionEnvelope(user),
  ...(thread
    ? {
        container: { type: 'message', message_ts: thread.ts, channel_id: thread.channel, is_ephemeral: false },
        channel: { id: thread.channel, name: 'it-requests' },
        message: { type: 'message', ts: thread.ts, text: 'request', blocks: [] },
        response_url: responseUrl,
      }
    : { container: { type: 'view', view_id: 'VHOME0001' }, view: { id: 'VHOME0001', type: 'home', blocks: [], state: { values: {} }, hash: 'h', private_metadata: '', callback_id: '', team_id: 'TTEAM0001', app_id: 'AAPP00001', bot_id: 'BBOTID001' } }),
  actions: [{ type: 'button', action_id: actionId, block_id: `decide:${requestId}`, value: requestId, action_ts: `${Date.now() / 1000}` }],
});

/**
 * Drives a running bot the way Slack does: signed slash commands and interactivity payloads
 * into its /slack/events, modals read back from the fake Slack's views.open/views.update calls,
 * state read from the store. Works for an in-process bot and for a bot process alike.
 */
export function createDriver({
  url,
  slack,
  store,
  transport,
}: {
  url: string;
  slack: FakeSlack;
  store: Store;
  /** Delivers bodies some other way than signed HTTP (Socket Mode: see socketTransport). */
  transport?: (body: string) => Promise<SlackResponse>;
}): SlackDriver {
  const responseUrl = `${slack.url.replace(/\/api\/$/, '')}/respond/`;

  const send: SlackDriver['send'] = (body, extra = {}) =>
    transport ? transport(body) : postToSlackEvents(url, body, { secret: SIGNING_SECRET, ...extra });

  /** Whoever Slack sends an interaction from is a member of the workspace. */
  const member = (user: string) => {
    if (user) slack.addUser(user);
  };

  const command: SlackDriver['command'] = (user, text, channel = 'CTYPEDHERE') => {
    member(user);
    slack.addChannel(channel);
    return send(commandBody({ user, channel, text, responseUrl: `${responseUrl}${++responseCounter}` }));
  };

  /** The view as Slack answered it: with the id and hash it gave. */
  const lastView = async (method: 'views.open' | 'views.update', after: number): Promise<OpenedView> => {
    const call = await waitFor(() => slack.calls.slice(after).find((c) => c.method === method && c.response !== undefined), { what: method });
    if (call.response?.ok !== true) throw new Error(`${method} was refused: ${JSON.stringify(call.response)}`);
    return call.response.view as OpenedView;
  };

  const request: SlackDriver['request'] = (id) => store.get<AccessRequest>(`request:${id}`);

  return {
    slack,
    url,
    store,
    send,
    command,
    async openModal(user, text = '') {
      const before = slack.calls.length;
      const res = await command(user, text);
      if (res.status !== 200) throw new Error(`command answered ${res.status}: ${res.body}`);
      return lastView('views.open', before);
    },
    async chooseProvider(user, view, provider) {
      member(user);
      const before = slack.calls.length;
      const res = await send(payloadBody(selectPayload(user, view, provider)));
      if (res.status !== 200) throw new Error(`provider select answered ${res.status}`);
      return lastView('views.update', before);
    },
    submit(user, view, values) {
      member(user);
      return send(payloadBody(submissionPayload(user, view, values)));
    },
    submitCsv(user, view, file, reason) {
      member(user);
      const payload = submissionPayload(user, view, { reason });
      // A file_input's value, as Slack sends it: the uploaded files' descriptions.
      (payload.view.state.values as Record<string, unknown>).csv_file = { csv_file: { type: 'file_input', files: file ? [file] : [] } };
      return send(payloadBody(payload));
    },
    async click(user, actionId, requestId, where = 'message') {
      member(user);
      const thread = await store.get<{ channel: string; ts: string }>(`slack:thread:${requestId}`);
      const inMessage = where === 'message' && thread ? thread : undefined;
      return send(payloadBody(clickPayload(user, actionId, requestId, inMessage, `${responseUrl}${++responseCounter}`)));
    },
    request,
    async waitForState(id, state, timeoutMs = 10_000) {
      return waitFor(
        async () => {
          const current = await request(id);
          return current?.state === state ? current : undefined;
        },
        { timeoutMs, what: `request ${id} to be ${state}` },
      );
    },
    async waitForAccountsListed(batchId, timeoutMs = 10_000) {
      await waitFor(async () => store.get(`slack:thread:${batchId}:accounts-listed`), { timeoutMs, what: `the accounts file of ${batchId}` });
    },
    async postedRequestId(since = 0) {
      const call: SlackCall = await waitFor(
        () =>
          slack.calls
            .slice(since)
            // A message Slack took: a refused attempt may be an earlier request's, tried again.
            .find((c) => c.method === 'chat.postMessage' && c.status === 200 && c.response?.ok === true && c.args.channel === CHANNEL && !c.args.thread_ts),
        { what: 'the request message' },
      );
      const match = /AR-[0-9A-Z]+/.exec(String(call.args.text));
      if (!match) throw new Error(`no request id in ${String(call.args.text)}`);
      return match[0];
    },
    async auditFor(id) {
      const seqs = await store.range<number>(`audit:by-request:${id}`, 0, -1);
      const records = await Promise.all(seqs.map((seq) => store.get<AuditRecord>(`audit:record:${seq}`)));
      return records.filter((record): record is AuditRecord => record !== undefined);
    },
    slackText: () => slack.calls.map((call) => call.raw).join('\n'),
  };
}
