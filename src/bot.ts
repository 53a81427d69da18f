import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createLiveness } from './domain/liveness.js';
import type { AccessPolicy } from './domain/policy/model.js';
import { createRequestReads } from './domain/requests/reads.js';
import { createMetrics } from './observability/metrics.js';
import { outboxDepth } from './slack/delivery/outbox.js';
import { createSlackClient } from './slack/workspace/client.js';
import { createSlackDirectory } from './slack/workspace/directory.js';
import { createSlackIdentity } from './slack/workspace/identity.js';
import { createSlackReporter } from './slack/workspace/reachability.js';
import { openAdapters } from './bot/adapters.js';
import { buildDelivery } from './bot/delivery.js';
import { buildLifecycle } from './bot/lifecycle.js';
import { startLoops } from './bot/loops.js';
import { holdPolicy } from './bot/policy-holder.js';
import { serve } from './bot/serve.js';

export { StartRefused } from './bot/adapters.js';

/** How long a stop keeps sending what Slack's pace holds back: within the 45 s main.ts allows the whole stop. */
const STOP_DRAIN_MS = 5_000;

export interface RunningBot {
  port: number;
  /** The operations port (/readyz, /metrics) when ADDUSER_OPS_PORT is set. */
  opsPort?: number;
  /** Puts a re-read policy in force (SIGHUP) here and, through the store, on every replica; requests already decided keep the audit of theirs. */
  replacePolicy: (next: AccessPolicy) => Promise<void>;
  /** Asks the services that describe their forms again (SIGHUP); resolves once each answered or gave up. */
  rediscover: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The composition root: builds each part once, in the order they need each other — adapters,
 * the workspace, the policy, the reads, delivery (the lifecycle's Notifier port), the lifecycle,
 * then the servers and the background loops — and starts serving. Nothing waits on Slack before
 * listening, so /healthz answers at once; Slack's verdict on the token arrives in the background.
 */
export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const adapters = await openAdapters(config, log);
  const { store, limiters } = adapters;
  // Off the listener's path: until a service answers (seconds at most), its fallback form stands and /readyz says so.
  const discovering = adapters.discovery.refresh();
  const client = createSlackClient(config, log);
  const reporter = createSlackReporter(log);
  const identity = createSlackIdentity(client, config.slack.botToken, log, reporter);
  const directory = createSlackDirectory(client, identity.workspace);
  const policy = await holdPolicy(config, store, log);
  const requests = createRequestReads(store);
  const metrics = createMetrics({
    pendingRequests: () => requests.pendingCount(),
    outboxDepth: () => outboxDepth(store),
    providerQueue: () => [...limiters].map(([provider, limiter]) => ({ provider, queued: limiter.queued() })),
    storeUp: store.health.up,
  });
  const liveness = createLiveness(store, randomUUID(), undefined, store.health.backAt);
  await liveness.beat();
  // Back from an outage, this process says it is alive before anyone judges by the lapsed keys; the heartbeat retries if this fails.
  store.health.onBack(() => void liveness.beat().catch(() => undefined));
  // The bot's own acts (auto-approval, expiry) name the bot user once Slack has told us who that is.
  const botActor = () => identity.botUserId() ?? 'adduser-bot';
  const delivery = buildDelivery({ config, adapters, policy, requests, directory, liveness, metrics, log });
  const lifecycle = buildLifecycle({ config, adapters, policy, requests, directory, notifier: delivery.notifier, liveness, metrics, botActor, log });
  const { slack, server, opsServer } = await serve({ config, adapters, policy, requests, lifecycle, delivery, directory, identity, reporter, metrics, log });
  const checking = identity.keepChecking();
  const backfilled = await lifecycle.backfillIndexes();
  if (backfilled > 0) log.info({ requests: backfilled }, 'indexed the open requests an earlier version stored');
  const loops = startLoops({ config, adapters, policy, requests, lifecycle, delivery, liveness, botActor, log });

  return {
    port: server.port,
    opsPort: opsServer?.port,
    replacePolicy: (next) => policy.replace(next),
    rediscover: () => adapters.discovery.refresh(),
    async stop() {
      checking.stop();
      for (const loop of loops) loop.stop();
      await server.close();
      await opsServer?.close();
      await slack.disconnect();
      await lifecycle.settled();
      // What waits a moment for Slack's pace still goes; anything later stays in the store for the next start.
      await delivery.notifier.drain(STOP_DRAIN_MS);
      await Promise.all([discovering, ...loops.map((loop) => loop.last())]);
      await liveness.retire();
      await adapters.http.close();
      await store.close();
    },
  };
}
