import type { types } from '@slack/bolt';
import type { AccessRequest } from '../../domain/request.js';
import { IDS } from './ids.js';
import { button, stateLabel } from './request-message.js';
import { code, link, md, type Mrkdwn, mrkdwn, plain, user } from './text.js';

export interface HomeData {
  /** Pending requests this person may decide (approver for the provider, not the requester). */
  toDecide: readonly AccessRequest[];
  own: readonly AccessRequest[];
  links: ReadonlyMap<string, string>;
  labelOf: (provider: string) => string;
}

function line(request: AccessRequest, data: HomeData): Mrkdwn {
  const permalink = data.links.get(request.id);
  const id = permalink ? link(permalink, request.id) : code(request.id);
  return md`${id} · *${data.labelOf(request.provider)}* for *${request.target}*`;
}

/**
 * The App Home: what waits for this person's decision, with the same buttons as the request
 * message (the same handlers run), then their own recent requests. At most 100 blocks.
 */
export function homeView(data: HomeData): types.HomeView {
  const blocks: types.KnownBlock[] = [{ type: 'header', text: plain('Account requests', 150) }];
  if (data.toDecide.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(md`*Waiting for your approval* (${data.toDecide.length})`) });
    for (const request of data.toDecide.slice(0, 20)) {
      blocks.push(
        {
          type: 'section',
          text: mrkdwn(md`${line(request, data)}\nAsked by ${user(request.requester)}: _${request.reason}_`),
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
  blocks.push({ type: 'section', text: mrkdwn(md`*Your recent requests*`) });
  if (data.own.length === 0) {
    blocks.push({ type: 'context', elements: [mrkdwn(md`None yet. Type \`/adduser\` in any channel to ask for an account.`)] });
  }
  for (const request of data.own.slice(0, 20)) {
    const section: types.SectionBlock = {
      type: 'section',
      text: mrkdwn(md`${line(request, data)}\n${stateLabel(request)}`),
    };
    if (request.state === 'pending') section.accessory = button('Cancel request', IDS.cancel, request.id);
    blocks.push(section);
  }
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
