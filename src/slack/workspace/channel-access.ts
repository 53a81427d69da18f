import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { explainSlackFailure, slackError } from './reachability.js';

/** Leaves the rest of Slack's 3 seconds to storing the request and acking. */
const ASK_DEADLINE_MS = 1_500;
/** A channel the bot was seen in is not asked about again for this long; a refusal is never remembered. */
const MEMBER_CACHE_MS = 60_000;

type ChannelInfo = { id?: string; name?: string; is_member?: boolean; is_archived?: boolean };

/**
 * Whether the bot can post a request in a channel, asked before the request is stored so the
 * form can say so instead of storing a request nobody will see. Only a clear answer refuses
 * (Slack says the bot is not a member, cannot see the channel, or the channel is archived);
 * no answer in time, an outage or a missing `channels:read`/`groups:read` scope lets the
 * request through, and the outbox tells the requester if the post is refused after all.
 */
export function createChannelAccess(log: Logger) {
  const member = new Map<string, number>();
  let scopeWarned = false;

  async function ask(client: webApi.WebClient, channel: string): Promise<{ ok: true; channel: ChannelInfo } | { ok: false; error: string } | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ASK_DEADLINE_MS)));
    const answer = client.conversations.info({ channel }).then(
      (result) => ({ ok: true as const, channel: (result.channel ?? {}) as ChannelInfo }),
      (error: unknown) => {
        const said = slackError(error);
        if (said) return { ok: false as const, error: said };
        log.debug({ channel, reason: explainSlackFailure(error).reason }, 'could not ask Slack whether I am in the requests channel; letting the request through');
        return undefined;
      },
    );
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  const access = {
    /** The request form's inline error when there is no channel to post in, or the bot cannot post in it. */
    async formProblem(client: webApi.WebClient, channel: string | undefined): Promise<string | undefined> {
      if (!channel) return 'I lost track of the channel: close this form and type /adduser again.';
      return access.refusal(client, channel);
    },
    /** The inline error to show when the bot cannot post in `channel`; undefined when it can (or nobody knows). */
    async refusal(client: webApi.WebClient, channel: string): Promise<string | undefined> {
      if ((member.get(channel) ?? 0) > Date.now()) return undefined;
      const answer = await ask(client, channel);
      if (!answer) return undefined;
      if (!answer.ok) {
        if (answer.error === 'channel_not_found') {
          return `I can't see the requests channel (${channel}): invite me there with \`/invite @adduser\`, then submit again.`;
        }
        if (answer.error === 'missing_scope' && !scopeWarned) {
          scopeWarned = true;
          log.warn('the bot token lacks channels:read/groups:read: the request form cannot check that I am in the requests channel (reinstall the app with the manifest’s scopes)');
        }
        return undefined;
      }
      const name = answer.channel.name ? `#${answer.channel.name}` : channel;
      if (answer.channel.is_archived) return `${name} is archived: requests cannot be posted there. Ask an admin which channel to use.`;
      if (answer.channel.is_member === false) return `I'm not in ${name} — invite me with \`/invite @adduser\`, then submit again.`;
      member.set(channel, Date.now() + MEMBER_CACHE_MS);
      return undefined;
    },
  };
  return access;
}
