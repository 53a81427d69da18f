import { sameWorkspace } from '../../src/slack/inbound/gate.js';
import { classify } from '../../src/slack/inbound/payloads/route.js';
import { BOT } from '../support/fake-slack.js';
import { clickPayload, type OpenedView, selectPayload, submissionPayload } from '../support/driver.js';
import { homeOpenedPayload, suggestionPayload } from '../support/slack-requests.js';

/** A real payload the e2e suite sends, and how it travels. */
export interface Seed {
  type: string;
  transport: 'form' | 'json' | 'payload';
  build: (marks: Marks) => Record<string, unknown>;
}

/** Ids unique to one case, so anything the bot did for it can be found in Slack's calls and the store. */
export interface Marks {
  user: string;
  trigger: string;
  view: string;
}

export const marksOf = (n: number): Marks => ({ user: `UFZ${n}X`, trigger: `trigger-fz-${n}x`, view: `VFZ${n}X` });

/** Deterministic and fast: the same seed replays the same cases. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (max: number) => Math.floor(next() * max), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

/**
 * Every payload type the e2e suite sends, built from the same builders the driver uses. They
 * are inert on purpose: the form is invalid in several ways (no single mutation makes it
 * valid) and clicks name a request that does not exist, so an accepted case never stores one.
 */
export function seeds(view: OpenedView, responseUrl: string): Seed[] {
  const invalidForm = { username: '', first_name: '', email: 'not-an-email', container: 'x', reason: '' };
  const at = (m: Marks) => ({ ...view, id: m.view });
  const withTrigger = <T extends Record<string, unknown>>(payload: T, m: Marks) => ({ ...payload, trigger_id: m.trigger });
  const thread = { channel: 'CREQUESTS1', ts: '1700000000.000001' };
  const clicks: Seed[] = ['request_approve', 'request_reject', 'request_cancel', 'request_retry', 'request_mark_done'].flatMap((action) => [
    { type: `block_actions ${action}`, transport: 'payload' as const, build: (m: Marks) => withTrigger(clickPayload(m.user, action, 'AR-NOPE', thread, responseUrl), m) },
    { type: `block_actions ${action} (App Home)`, transport: 'payload' as const, build: (m: Marks) => withTrigger(clickPayload(m.user, action, 'AR-NOPE', undefined, responseUrl), m) },
  ]);
  return [
    {
      type: 'slash command /adduser',
      transport: 'form',
      build: (m) => ({
        token: 'deprecated-verification-token', team_id: 'TTEAM0001', team_domain: 'example', channel_id: 'CTYPEDHERE', channel_name: 'it-requests',
        user_id: m.user, user_name: 'fuzz', command: '/adduser', text: 'digicert', api_app_id: 'AAPP00001', response_url: responseUrl, trigger_id: m.trigger,
      }),
    },
    ...clicks,
    { type: 'block_actions provider_select', transport: 'payload', build: (m) => withTrigger(selectPayload(m.user, at(m), 'digicert'), m) },
    { type: 'view_submission adduser_request', transport: 'payload', build: (m) => withTrigger(submissionPayload(m.user, at(m), invalidForm), m) },
    {
      type: 'view_submission adduser_reject',
      transport: 'payload',
      build: (m) => {
        const submission = submissionPayload(m.user, at(m), {});
        return withTrigger({ ...submission, view: { ...submission.view, callback_id: 'adduser_reject', private_metadata: 'AR-NOPE', state: { values: { reject_reason: { 'field:reject_reason': { type: 'plain_text_input', value: 'Not needed' } } } } } }, m);
      },
    },
    { type: 'block_suggestion', transport: 'payload', build: (m) => suggestionPayload(m.user, at(m), 'container', '93') },
    { type: 'event_callback app_home_opened', transport: 'json', build: (m) => homeOpenedPayload(m.user) },
    { type: 'view_closed (unhandled)', transport: 'payload', build: (m) => ({ ...submissionPayload(m.user, at(m), {}), type: 'view_closed', is_cleared: false }) },
  ];
}

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

const JUNK: unknown[] = ['', ' ', '<!channel>', '\u0000', 'x'.repeat(5_000), -1, 0, 1e308, true, [], {}, [null], { id: {} }];

function retype(value: unknown): unknown {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return { 0: value[0] };
  if (typeof value === 'object' && value !== null) return Object.values(value);
  return 'null';
}

export const OPS = ['delete', 'null', 'retype', 'stringify', 'nest', 'junk'] as const;

/** One field, at any depth, deleted, nulled, retyped, stringified, nested deeply or replaced by junk. */
export function mutate(payload: Record<string, unknown>, random: ReturnType<typeof prng>, skip: (path: Path) => boolean = () => false) {
  const copy = structuredClone(payload);
  const candidates = pathsOf(copy).filter((path) => !skip(path));
  const path = random.pick(candidates);
  const op = random.pick(OPS);
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
  const key = path.at(-1)!;
  const value = parent[key];
  if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (op === 'null') parent[key] = null;
  else if (op === 'retype') parent[key] = retype(value);
  else if (op === 'stringify') parent[key] = JSON.stringify(value) ?? 'undefined';
  else if (op === 'nest') {
    let nested: unknown = value;
    for (let depth = 1 + random.int(400); depth > 0; depth--) nested = { a: nested };
    parent[key] = nested;
  } else parent[key] = random.pick(JUNK);
  return { payload: copy, op, path: path.join('.') };
}

/** The body as Slack would send it, and the object Bolt parses back out of it. */
export function encode(seed: Seed, payload: Record<string, unknown>): { body: string; contentType: string; parsed: unknown } {
  if (seed.transport === 'json') {
    const body = JSON.stringify(payload);
    return { body, contentType: 'application/json', parsed: JSON.parse(body) };
  }
  if (seed.transport === 'payload') {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return { body, contentType: 'application/x-www-form-urlencoded', parsed: JSON.parse(JSON.stringify(payload)) };
  }
  const fields = Object.entries(payload).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : (JSON.stringify(value) ?? '')]);
  const body = new URLSearchParams(fields).toString();
  return { body, contentType: 'application/x-www-form-urlencoded', parsed: Object.fromEntries(new URLSearchParams(body)) };
}

/** What the door must answer, from the same schemas: 400 invalid, 403 another workspace, else 200. */
export function expectedStatus(parsed: unknown): number {
  const verdict = classify(parsed);
  if (verdict.kind === 'invalid') return 400;
  if (verdict.kind === 'ok' && !sameWorkspace(verdict.workspace, { teamId: BOT.teamId, enterpriseInstall: false })) return 403;
  return 200;
}
