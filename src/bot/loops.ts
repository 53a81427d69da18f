import { labelIn } from '../adapters/providers/types.js';
import { expireDue, expirySweepInterval } from '../domain/expiry.js';
import { shortestDeadline } from '../domain/policy/model.js';
import { createAuditAnchors } from '../slack/delivery/audit-anchors.js';
import { remindDue } from '../slack/delivery/reminders.js';
import type { Delivery } from './delivery.js';
import { every, type Loop } from './every.js';
import type { Parts } from './parts.js';

/** How often values past their time to live are deleted from the store (SQLite keeps them otherwise). */
const PURGE_MS = 10 * 60_000;
/** How often the outbox looks for Slack deliveries that are due (each step backs off on its own). */
const OUTBOX_SWEEP_MS = 1_000;
/** How often a service whose form could not be discovered is asked again. */
const DISCOVERY_RETRY_MS = 5 * 60_000;
/** How often, at most, the process looks whether the audit chain's anchor is due. */
const ANCHOR_CHECK_MS = 60_000;

/**
 * The background work every replica does, each loop on its own timer: the outbox, the store's
 * purge, liveness and the policy version, recovery, form discovery, the audit anchor, and the
 * reminder, escalation and expiry sweep. Every one is safe on several replicas at once.
 */
export function startLoops(deps: Pick<Parts, 'config' | 'adapters' | 'policy' | 'requests' | 'lifecycle' | 'liveness' | 'botActor' | 'log'> & { delivery: Delivery }): Loop[] {
  const { config, adapters, lifecycle, delivery, liveness, log } = deps;
  const { store, audit } = adapters;
  const anchors = createAuditAnchors({ store, audit, everyMs: config.audit.anchorEveryMs, post: delivery.notifier.anchor });
  const sweep = async () => {
    await remindDue({ requests: deps.requests, lifecycle, store, threads: delivery.threads, client: delivery.client, approversText: delivery.approversText, labelOf: labelIn(adapters.providers), log });
    await lifecycle.escalateDue();
    // Expiry is the bot's own act; the audit names the bot user once Slack has told us who that is.
    await expireDue(deps.requests, lifecycle, deps.botActor());
  };
  return [
    every(OUTBOX_SWEEP_MS, () => delivery.notifier.sweep(), log, 'outbox sweep'),
    every(PURGE_MS, () => store.purgeExpired(), log, 'expired-value purge'),
    // The policy check rides along, so a replica left on another version says so in /readyz without waiting for a click.
    every(liveness.ttlMs / 3, () => Promise.all([liveness.beat(), deps.policy.version.check()]), log, 'heartbeat'),
    every(liveness.ttlMs, () => lifecycle.recover(deps.botActor()), log, 'recovery'),
    every(DISCOVERY_RETRY_MS, () => adapters.discovery.refresh({ failedOnly: true }), log, 'form discovery'),
    every(expirySweepInterval(shortestDeadline(deps.policy.now())), sweep, log, 'reminder, escalation and expiry sweep'),
    // Without an audit channel there is nowhere outside the store to anchor to.
    ...(config.auditChannel ? [every(Math.min(config.audit.anchorEveryMs, ANCHOR_CHECK_MS), () => anchors.due(), log, 'audit anchor')] : []),
  ];
}
