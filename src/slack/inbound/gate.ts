import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import type { BotWorkspace, SlackIdentity } from '../workspace/identity.js';
import { type Admitted, ADMITTED_KEY } from './payloads/index.js';
import { classify, type PayloadWorkspace } from './payloads/route.js';

/**
 * A payload turned away before any listener saw it. Over HTTP it becomes the answer's status;
 * in Socket Mode the envelope is acknowledged and dropped (Slack has no status to show there).
 */
export class PayloadRefused extends Error {
  constructor(
    readonly status: 400 | 403 | 503,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How long a payload waits for auth.test when the bot does not yet know its workspace. Without
 * it no payload can be told apart from another workspace's, so none is acted on; the wait is
 * short enough that the listener still acks inside Slack's 3 seconds.
 */
const WORKSPACE_WAIT_MS = 1_500;

export function sameWorkspace(payload: PayloadWorkspace, bot: BotWorkspace): boolean {
  if (bot.enterpriseInstall) return bot.enterpriseId !== undefined && payload.enterpriseId === bot.enterpriseId;
  return bot.teamId !== undefined && payload.teamId === bot.teamId;
}

async function botWorkspace(identity: SlackIdentity): Promise<BotWorkspace | undefined> {
  const known = identity.workspace();
  if (known) return known;
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, WORKSPACE_WAIT_MS)));
  await Promise.race([identity.check(), waited]);
  clearTimeout(timer);
  return identity.workspace();
}

/**
 * Decides about one payload before Bolt reads any of it: the listener's schema, then the
 * workspace. Returns what the listener will read, or undefined when nothing here handles the
 * payload (it is acknowledged at once instead of after Bolt's no-ack timeout).
 */
export async function admit(body: unknown, identity: SlackIdentity, log: Logger): Promise<Admitted | undefined> {
  const verdict = classify(body);
  if (verdict.kind === 'unhandled') {
    log.debug({ payloadType: verdict.type }, 'acknowledged a Slack payload nothing here handles');
    return undefined;
  }
  if (verdict.kind === 'invalid') {
    log.warn({ payloadType: verdict.type, problem: verdict.problem }, `refused an invalid ${verdict.type} payload: ${verdict.problem}`);
    throw new PayloadRefused(400, `invalid ${verdict.type} payload: ${verdict.problem}\n`);
  }
  const bot = await botWorkspace(identity);
  if (!bot) {
    log.warn({ payloadType: verdict.type }, 'refused a Slack payload: Slack has not yet confirmed which workspace the bot token belongs to');
    throw new PayloadRefused(503, 'the bot does not know its workspace yet (auth.test has not answered); try again shortly\n');
  }
  if (!sameWorkspace(verdict.workspace, bot)) {
    log.warn({ payloadType: verdict.type, ...verdict.workspace }, 'refused a Slack payload from another workspace than the bot token’s');
    throw new PayloadRefused(403, 'this app serves another workspace\n');
  }
  return { name: verdict.name, payload: verdict.payload };
}

/**
 * Bolt's App with the gate in front of processEvent: both receivers (HTTP and Socket Mode)
 * hand every payload to processEvent, so both pass the same door, before Bolt's own routing
 * reads a field.
 */
export class GatedApp extends App {
  readonly #identity: SlackIdentity;
  readonly #log: Logger;

  constructor(options: AppOptions, identity: SlackIdentity, log: Logger) {
    super(options);
    this.#identity = identity;
    this.#log = log;
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    const admitted = await admit(event.body, this.#identity, this.#log);
    if (!admitted) {
      await event.ack();
      return;
    }
    event.customProperties = { ...event.customProperties, [ADMITTED_KEY]: admitted };
    await super.processEvent(event);
  }
}
