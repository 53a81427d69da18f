import type { webApi } from '@slack/bolt';
import type { Mrkdwn } from '../../blocks/text.js';

/**
 * Tells one person something only they see: an ephemeral message where they clicked, or a
 * direct message when there is no channel (App Home) or the ephemeral cannot be delivered.
 */
export async function tellPrivately(
  client: webApi.WebClient,
  where: { user: string; channel?: string; threadTs?: string },
  message: Mrkdwn,
): Promise<void> {
  const { text } = message;
  if (where.channel) {
    try {
      await client.chat.postEphemeral({ channel: where.channel, user: where.user, text, ...(where.threadTs && { thread_ts: where.threadTs }) });
      return;
    } catch {
      // Not a member of that channel, or the channel is gone: a DM still reaches them.
    }
  }
  await client.chat.postMessage({ channel: where.user, text });
}
