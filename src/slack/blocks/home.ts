import type { types } from '@slack/bolt';
import type { Batch } from '../../domain/batch/batch.js';
import { batchCounts } from '../../domain/batch/batch.js';
import type { AccessRequest } from '../../domain/requests/request.js';
import { batchStateText, batchTitle, progressText } from './batch-message.js';
import { IDS } from './ids.js';
import type { ShownLine } from './recent.js';
import { button, stateLabel } from './request-message.js';
import { code, joinMd, link, md, type Mrkdwn, mrkdwn, plain, user } from './text.js';

/**
 * Something waiting for this person's decision: a request, or a batch whose pending members
 * include at least one they may approve (`providers`: those members' providers).
 */
export type DecideLine =
  | { kind: 'request'; request: AccessRequest }
  | { kind: 'batch'; batch: Batch; members: readonly AccessRequest[]; providers: readonly string[] };

export interface HomeData {
  /** Pending requests and batches this person may decide (approver for a provider, not the requester). */
  toDecide: readonly DecideLine[];
  /** Their own recent requests, a batch as one line. */
  own: readonly ShownLine[];
  /** Thread permalinks by request or batch id. */
  links: ReadonlyMap<string, string>;
  labelOf: (provider: string) => string;
}

/** Entries shown in each part of the Home: 1 + 2 + 20 × 2 + 1 + 1 + 20 blocks stay within Slack's 100. */
export const HOME_ENTRIES = 20;

const idOf = (id: string, data: HomeData): Mrkdwn => {
  const permalink = data.links.get(id);
  return permalink ? link(permalink, id) : code(id);
};

function line(request: AccessRequest, data: HomeData): Mrkdwn {
  return md`${idOf(request.id, data)} · *${data.labelOf(request.provider)}* for *${request.target}*`;
}

/** One entry of "Waiting for your approval": its text, and the id its Approve / Reject buttons carry. */
function decideEntry(entry: DecideLine, data: HomeData): { id: string; text: Mrkdwn } {
  if (entry.kind === 'request') {
    const { request } = entry;
    return { id: request.id, text: md`${line(request, data)}\nAsked by ${user(request.requester)}: _${request.reason}_` };
  }
  const { batch, members } = entry;
  const title = batchTitle(batch, members, data.labelOf);
  const yours = joinMd(entry.providers.map((provider) => md`${data.labelOf(provider)}`), ', ');
  return {
    id: batch.id,
    text: md`${idOf(batch.id, data)} · *${title}* · ${progressText(batchCounts(members))}\nAsked by ${user(batch.requester)}: _${batch.reason}_\nYou approve: ${yours}`,
  };
}

/** One of the person's own lines, with Cancel while a request (or any member of a batch) is pending. */
function ownSection(entry: ShownLine, data: HomeData): types.SectionBlock {
  if (entry.kind === 'request') {
    const { request } = entry;
    const section: types.SectionBlock = { type: 'section', text: mrkdwn(md`${line(request, data)}\n${stateLabel(request)}`) };
    if (request.state === 'pending') section.accessory = button('Cancel request', IDS.cancel, request.id);
    return section;
  }
  const { batch, members } = entry;
  const section: types.SectionBlock = {
    type: 'section',
    text: mrkdwn(md`${idOf(batch.id, data)} · *${batchTitle(batch, members, data.labelOf)}*\n${batchStateText(members)}`),
  };
  if (members.some((member) => member.state === 'pending')) section.accessory = button('Cancel request', IDS.cancel, batch.id);
  return section;
}

/**
 * The App Home: what waits for this person's decision, with the same buttons as the request
 * message (the same handlers run; a batch's carry its batch id), then their own recent
 * requests, a batch as one line with its counts. At most 100 blocks.
 */
export function homeView(data: HomeData): types.HomeView {
  const blocks: types.KnownBlock[] = [{ type: 'header', text: plain('Account requests', 150) }];
  if (data.toDecide.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(md`*Waiting for your approval* (${data.toDecide.length})`) });
    for (const entry of data.toDecide.slice(0, HOME_ENTRIES)) {
      const { id, text } = decideEntry(entry, data);
      blocks.push(
        { type: 'section', text: mrkdwn(text) },
        {
          type: 'actions',
          block_id: `home:${id}`,
          elements: [button('Approve', IDS.approve, id, 'primary'), button('Reject', IDS.reject, id, 'danger')],
        },
      );
    }
    blocks.push({ type: 'divider' });
  }
  blocks.push({ type: 'section', text: mrkdwn(md`*Your recent requests*`) });
  if (data.own.length === 0) {
    blocks.push({ type: 'context', elements: [mrkdwn(md`None yet. Type \`/adduser\` in any channel to ask for an account.`)] });
  }
  for (const entry of data.own.slice(0, HOME_ENTRIES)) blocks.push(ownSection(entry, data));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
