import type { types } from '@slack/bolt';
import type { AccessRequest } from '../../domain/request.js';
import { IDS } from './ids.js';
import { button, STATE_LABEL } from './request-message.js';
import { clip, escape, plain, user } from './text.js';

export interface HomeData {
  /** Pending requests this person may decide (approver for the provider, not the requester). */
  toDecide: readonly AccessRequest[];
  own: readonly AccessRequest[];
  links: ReadonlyMap<string, string>;
  labelOf: (provider: string) => string;
}


function line(request: AccessRequest, data: HomeData): string {
  const link = data.links.get(request.id);
  const id = link ? `<${link}|${request.id}>` : `\`${request.id}\``;
  return `${id} · *${escape(data.labelOf(request.provider))}* for *${escape(request.target)}*`;
}

/**
 * The App Home: what waits for this person's decision, with the same buttons as the request
 * message (the same handlers run), then their own recent requests. At most 100 blocks.
 */
export function homeView(data: HomeData): types.HomeView {
  const blocks: types.KnownBlock[] = [{ type: 'header', text: plain('Account requests', 150) }];
  if (data.toDecide.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Waiting for your approval* (${data.toDecide.length})` } });
    for (const request of data.toDecide.slice(0, 20)) {
      blocks.push(
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: clip(`${line(request, data)}\nAsked by ${user(request.requester)}: _${escape(request.reason)}_`, 3_000),
          },
        },
        {
          type: 'actions',
          block_id: `home:${request.id}`,
          elements: [button('Approve', IDS.approve, request.id, 'primary'), button('Reject', IDS.reject, request.id, 'danger')],
        },
      );
    }
    blocks.push({ type: 'divider' });
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '*Your recent requests*' } });
  if (data.own.length === 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'None yet. Type `/adduser` in any channel to ask for an account.' }] });
  }
  for (const request of data.own.slice(0, 20)) {
    const section: types.SectionBlock = {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`${line(request, data)}\n${STATE_LABEL[request.state]}`, 3_000) },
    };
    if (request.state === 'pending') section.accessory = button('Cancel request', IDS.cancel, request.id);
    blocks.push(section);
  }
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
