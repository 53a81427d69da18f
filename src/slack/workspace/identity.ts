import type { AuthorizeResult, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Secret } from '../../config/secret.js';
import { backoffMs, type SlackReporter } from './reachability.js';

/** The workspace the bot token belongs to; an org-wide install answers for its whole enterprise. */
export interface BotWorkspace {
  teamId?: string;
  enterpriseId?: string;
  enterpriseInstall: boolean;
}

export interface SlackIdentity {
  /** Bolt's `authorize`: the bot token and ids, from one successful auth.test. */
  authorize: () => Promise<AuthorizeResult>;
  /** Whether Slack has accepted the token (for /readyz). */
  ready: () => boolean;
  /** Why not ready, in a phrase for /readyz; undefined once ready or before the first answer. */
  problem: () => string | undefined;
  botUserId: () => string | undefined;
  /** From the same auth.test; undefined until Slack has answered. */
  workspace: () => BotWorkspace | undefined;
  /** Checks the token now; resolves false (and logs why, once per cause) instead of throwing. */
  check: () => Promise<boolean>;
  /** Keeps checking with backoff until Slack accepts the token or `stop()` is called. */
  keepChecking: () => { stop: () => void };
}

/**
 * Bolt normally calls auth.test while it is constructed and crashes the process later
 * through an unhandled rejection when Slack cannot be reached. Here the check is ours: an
 * unreachable Slack and a refused token are told apart and logged once each, /readyz says
 * which, and the check is repeated with backoff.
 */
export function createSlackIdentity(client: webApi.WebClient, botToken: Secret, log: Logger, reporter: SlackReporter): SlackIdentity {
  let known: { botId: string; botUserId: string; teamId?: string; workspace: BotWorkspace } | undefined;
  let inFlight: Promise<boolean> | undefined;
  let problem: string | undefined;

  const check = () => {
    inFlight ??= client.auth
      .test()
      .then((result) => {
        known = {
          botId: String(result.bot_id),
          botUserId: String(result.user_id),
          teamId: result.team_id,
          workspace: { teamId: result.team_id, enterpriseId: result.enterprise_id, enterpriseInstall: result.is_enterprise_install === true },
        };
        problem = undefined;
        reporter.recovered();
        log.info({ botUserId: known.botUserId, teamId: known.teamId }, 'Slack accepted the bot token');
        return true;
      })
      .catch((error: unknown) => {
        problem = reporter.failed(error, 'SLACK_BOT_TOKEN');
        return false;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    check,
    ready: () => known !== undefined,
    problem: () => (known ? undefined : problem),
    botUserId: () => known?.botUserId,
    workspace: () => known?.workspace,
    keepChecking() {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const attempt = (n: number) => {
        void check().then((ok) => {
          if (ok || stopped) return;
          timer = setTimeout(() => attempt(n + 1), backoffMs(n));
          timer.unref();
        });
      };
      attempt(1);
      return {
        stop: () => {
          stopped = true;
          clearTimeout(timer);
        },
      };
    },
    async authorize() {
      if (!known && !(await check())) throw new Error(problem ?? 'Slack did not accept the bot token');
      return { botToken: botToken.reveal(), botId: known!.botId, botUserId: known!.botUserId };
    },
  };
}
