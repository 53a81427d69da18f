import { z } from 'zod';
import { IDS } from '../../blocks/ids.js';
import { type PayloadName, payloadSchemas } from './index.js';

/** Which workspace or enterprise a payload comes from, read the way Bolt reads it. */
export interface PayloadWorkspace {
  teamId?: string;
  enterpriseId?: string;
}

export type Verdict =
  | { kind: 'ok'; type: string; name: PayloadName; payload: unknown; workspace: PayloadWorkspace }
  /** A payload Slack may send that nothing here acts on: acknowledged at once, then dropped. */
  | { kind: 'unhandled'; type: string }
  | { kind: 'invalid'; type: string; problem: string };

const commands = new Map<string, PayloadName>([['/adduser', 'adduserCommand']]);
const actions = new Map<string, PayloadName>([
  [IDS.approve, 'decisionAction'],
  [IDS.cancel, 'decisionAction'],
  [IDS.retry, 'decisionAction'],
  [IDS.markDone, 'decisionAction'],
  [IDS.reject, 'dialogAction'],
  [IDS.reveal, 'dialogAction'],
  [IDS.providerSelect, 'providerSelectAction'],
]);
const views = new Map<string, PayloadName>([
  [IDS.requestModal, 'requestSubmission'],
  [IDS.csvModal, 'csvSubmission'],
  [IDS.rejectModal, 'rejectSubmission'],
]);
const events = new Map<string, PayloadName>([
  ['app_home_opened', 'homeOpenedEvent'],
  ['function_executed', 'functionExecutedEvent'],
]);

/** Kinds Slack sends that carry none of the fields below and that this app does not act on. */
const OTHER_KINDS = new Set(['shortcut', 'message_action', 'view_closed', 'dialog_cancellation', 'app_rate_limited']);

const keyed = {
  event: z.looseObject({ type: z.literal('event_callback'), event: z.looseObject({ type: z.string() }) }),
  command: z.looseObject({ command: z.string() }),
  actions: z.looseObject({ type: z.literal('block_actions'), actions: z.tuple([z.looseObject({ action_id: z.string() })], z.unknown()) }),
  view: z.looseObject({ type: z.literal('view_submission'), view: z.looseObject({ callback_id: z.string() }) }),
};

const clip = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The first problem zod found, as "path: message" (zod's messages name types, never values). */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map((key) => clip(String(key), 40)).join('.');
  return `${path || '(root)'}: ${clip(issue.message, 160)}`;
}

function parseAs(type: string, name: PayloadName, body: unknown): Verdict {
  const parsed = payloadSchemas[name].safeParse(body);
  if (!parsed.success) return { kind: 'invalid', type, problem: firstProblem(parsed.error) };
  return { kind: 'ok', type, name, payload: parsed.data, workspace: workspaceOf(name, parsed.data) };
}

function route(type: string, key: z.ZodType, body: unknown, pick: (value: never) => string, table: Map<string, PayloadName>): Verdict {
  const parsed = key.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', type, problem: firstProblem(parsed.error) };
  const found = pick(parsed.data as never);
  const name = table.get(found);
  return name ? parseAs(`${type} ${found}`, name, body) : { kind: 'unhandled', type: `${type} ${clip(found)}` };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Classifies a Slack payload in the order Bolt does (event, command, options, action, view),
 * so that whatever passes here reaches the listener it was validated for, and parses it with
 * that listener's schema.
 */
export function classify(body: unknown): Verdict {
  if (!isObject(body)) return { kind: 'invalid', type: 'unknown', problem: '(root): not an object' };
  const type = typeof body.type === 'string' ? clip(body.type) : 'unknown';
  if (body.event !== undefined) {
    return route('event_callback', keyed.event, body, (value: z.infer<typeof keyed.event>) => value.event.type, events);
  }
  if (body.command !== undefined) {
    return route('slash command', keyed.command, body, (value: z.infer<typeof keyed.command>) => value.command, commands);
  }
  if (body.name !== undefined || body.type === 'block_suggestion') {
    return body.type === 'block_suggestion' ? parseAs('block_suggestion', 'lookupSuggestion', body) : { kind: 'unhandled', type };
  }
  if (body.actions !== undefined || body.type === 'dialog_submission') {
    if (body.type !== 'block_actions') return { kind: 'unhandled', type };
    return route('block_actions', keyed.actions, body, (value: z.infer<typeof keyed.actions>) => value.actions[0].action_id, actions);
  }
  if (body.type === 'view_submission') {
    return route('view_submission', keyed.view, body, (value: z.infer<typeof keyed.view>) => value.view.callback_id, views);
  }
  if (OTHER_KINDS.has(type)) return { kind: 'unhandled', type };
  return { kind: 'invalid', type, problem: 'type: not a Slack payload this app knows' };
}

type Interactive = { user: { team_id?: string }; team?: { id: string; enterprise_id?: string | null } | null; enterprise?: { id: string } | null; view?: unknown };
type Callback = { team_id?: string; enterprise_id?: string | null; authorizations?: { team_id?: string | null; enterprise_id?: string | null }[] };

/** Mirrors Bolt's own reading (buildSource), so the check and Bolt's client agree on the workspace. */
function workspaceOf(name: PayloadName, payload: unknown): PayloadWorkspace {
  if (name === 'adduserCommand') {
    const command = payload as { team_id: string; enterprise_id?: string };
    return { teamId: command.team_id, enterpriseId: command.enterprise_id };
  }
  if (name === 'homeOpenedEvent' || name === 'functionExecutedEvent') {
    const callback = payload as Callback;
    const first = callback.authorizations?.[0];
    if (first) return { teamId: first.team_id ?? callback.team_id, enterpriseId: first.enterprise_id ?? undefined };
    return { teamId: callback.team_id, enterpriseId: callback.enterprise_id ?? undefined };
  }
  const interactive = payload as Interactive;
  const installedIn = isObject(interactive.view) && typeof interactive.view.app_installed_team_id === 'string' ? interactive.view.app_installed_team_id : undefined;
  return {
    teamId: installedIn || interactive.team?.id || interactive.user.team_id,
    enterpriseId: interactive.enterprise?.id ?? interactive.team?.enterprise_id ?? undefined,
  };
}
