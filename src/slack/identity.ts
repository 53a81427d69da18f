import type { AuthorizeResult, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Secret } from '../config/secret.js';

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
  botUserId: () => string | undefined;
  /** From the same auth.test; undefined until Slack has answered. */
  workspace: () => BotWorkspace | undefined;
  /** Checks the token now; resolves false (and logs why) instead of throwing. */
  check: () => Promise<boolean>;
}

/**
 * Bolt normally calls auth.test while it is constructed and crashes the process later
 * through an unhandled rejection when Slack cannot be reached. Here the check is ours:
 * a failure is logged, /readyz says not ready, and the next Slack request tries again.
 */
export function createSlackIdentity(client: webApi.WebClient, botToken: Secret, log: Logger): SlackIdentity {
  let known: { botId: string; botUserId: string; teamId?: string; workspace: BotWorkspace } | undefined;
  let inFlight: Promise<boolean> | undefined;

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
        log.info({ botUserId: known.botUserId, teamId: known.teamId }, 'Slack accepted the bot token');
        return true;
      })
      .catch((error: unknown) => {
        const reason = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
        log.error({ reason }, 'Slack did not accept SLACK_BOT_TOKEN (auth.test failed); check the token and SLACK_API_URL');
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
    botUserId: () => known?.botUserId,
    workspace: () => known?.workspace,
    async authorize() {
      if (!known && !(await check())) throw new Error('Slack did not accept the bot token');
      return { botToken: botToken.reveal(), botId: known!.botId, botUserId: known!.botUserId };
    },
  };
}
