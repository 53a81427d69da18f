import type { Payload } from '../../inbound/payloads/index.js';

/** A button click on a request (or batch): which one, who clicked, and where to answer them privately. */
export interface ClickOf {
  id: string;
  user: string;
  where: { user: string; channel?: string; threadTs?: string };
}

/** Approve, Reject, Cancel, Retry, Mark as done and Show the password all carry the request's (or batch's) id as their value. */
export function clickOf(click: Payload<'decisionAction'>): ClickOf {
  const user = click.user.id;
  return { id: click.actions[0].value, user, where: { user, channel: click.channel?.id, threadTs: click.message?.thread_ts } };
}
