import type { Logger } from 'pino';

/** Slack's answers that mean the token itself is bad; anything else may pass by retrying. */
const TOKEN_REFUSALS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

export interface SlackFailure {
  /** True only when Slack answered and said the token is not valid. */
  tokenRefused: boolean;
  /** One short phrase for a log line and /readyz, e.g. "cannot be reached (connection refused)". */
  reason: string;
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'no route to host',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
};

type WebApiError = {
  code?: string;
  data?: { error?: string };
  statusCode?: number;
  original?: { name?: string; message?: string; cause?: { code?: string } };
  message?: string;
};

/** What a WebClient error says about Slack: a refused token, an HTTP answer, or no route at all. */
export function explainSlackFailure(error: unknown): SlackFailure {
  const failure = (error ?? {}) as WebApiError;
  if (failure.code === 'slack_webapi_platform_error') {
    const said = failure.data?.error ?? 'an error';
    return TOKEN_REFUSALS.has(said)
      ? { tokenRefused: true, reason: `refused the token (${said})` }
      : { tokenRefused: false, reason: `answered ${said}` };
  }
  if (failure.code === 'slack_webapi_http_error') return { tokenRefused: false, reason: `answered HTTP ${failure.statusCode ?? '?'}` };
  const original = failure.original;
  const why =
    original?.name === 'TimeoutError' || original?.name === 'AbortError'
      ? 'timed out'
      : (NETWORK_CODES[original?.cause?.code ?? ''] ?? original?.cause?.code ?? original?.message ?? failure.message ?? 'unknown error');
  return { tokenRefused: false, reason: `cannot be reached (${why})` };
}

/**
 * Says once what is wrong with Slack, whoever found it: in Socket Mode the token check and the
 * socket meet the same outage, and a person reading the log needs one line, not one per retry.
 * Returns the phrase for /readyz.
 */
export function createSlackReporter(log: Logger) {
  let last: string | undefined;
  return {
    failed(error: unknown, tokenVariable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN'): string {
      const failure = explainSlackFailure(error);
      const line = failure.tokenRefused
        ? `Slack ${failure.reason}: check ${tokenVariable}`
        : `Slack ${failure.reason}: will keep trying (check SLACK_API_URL and the network)`;
      if (line !== last) log.error(line);
      last = line;
      return `Slack ${failure.reason}`;
    },
    recovered(): void {
      last = undefined;
    },
  };
}

export type SlackReporter = ReturnType<typeof createSlackReporter>;

/** Waits before the next try: 1 s, 2 s, 4 s … up to a minute. */
/** The `error` of Slack's `{ok: false}` answer, as the WebClient throws it. */
export function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export const backoffMs = (attempt: number) => Math.min(60_000, 1_000 * 2 ** Math.max(0, attempt - 1));

/**
 * Slack's answers that no retry can change: the destination or the message itself is refused.
 * A refused token is not among them: it is fixed by the operator (and said by the reporter), after
 * which every message still owed should go out, so it is retried like an outage.
 */
const PERMANENT_REFUSALS = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_arguments',
  'user_not_found',
  'user_not_in_channel',
  'cannot_dm_bot',
  'messages_tab_disabled',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  // A workflow step that is no longer waiting: completed already, cancelled by its workflow, or gone.
  'execution_not_in_running_state',
  'function_execution_not_found',
  'parameter_validation_failed',
]);

/** Slack's error code when Slack answered and refused for good; undefined when a retry may pass. */
export function permanentRefusal(error: unknown): string | undefined {
  const failure = (error ?? {}) as WebApiError;
  if (failure.code !== 'slack_webapi_platform_error') return undefined;
  const said = failure.data?.error;
  return said && PERMANENT_REFUSALS.has(said) ? said : undefined;
}
