import type { Logger } from 'pino';
import { createUser } from '../adapters/providers/execute.js';
import type { Config } from '../config/schema.js';
import type { Notifier } from '../domain/events.js';
import { createLifecycle } from '../domain/lifecycle/index.js';
import type { Liveness } from '../domain/liveness.js';
import type { Directory } from '../domain/policy/model.js';
import type { RequestReads } from '../domain/requests/reads.js';
import { registerSecretValues } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Adapters } from './adapters.js';
import type { PolicyHolder } from './policy-holder.js';

/** How long a password met at run time stays masked in logs: past its create call and its reveal. */
const RUNTIME_SECRET_LOG_MASK_MS = 15 * 60_000;

/** The request lifecycle, handed its ports: the store and reads, the provider executor behind each provider's limits, the policy, the notifier. */
export function buildLifecycle(deps: {
  config: Config;
  adapters: Adapters;
  policy: PolicyHolder;
  requests: RequestReads;
  directory: Directory;
  notifier: Notifier;
  liveness: Liveness;
  metrics: Metrics;
  botActor: () => string;
  log: Logger;
}) {
  const { config, adapters, metrics, log } = deps;
  const { http, tokens, limiterOf } = adapters;
  return createLifecycle({
    store: adapters.store,
    requests: deps.requests,
    audit: adapters.audit,
    providers: adapters.providers,
    settings: config.providers,
    create: async (provider, settings, input, { log: callLog, dryRun }) => {
      const limiter = limiterOf(provider.id);
      if (limiter.queued() > 0) callLog.info({ provider: provider.id, ahead: limiter.queued() }, 'queued behind the provider’s rate limit');
      const send = () => createUser(provider, settings, input, { http, log: callLog, dryRun, sendingOff: config.dryRun, holdUntil: limiter.holdUntil, tokens });
      // A dry run sends nothing, so it need not wait for a slot under the provider's limits.
      const result = dryRun ? await send() : await limiter.run(send);
      metrics.providerCall(provider.id, result.outcome.kind, result.durationMs / 1000);
      return result;
    },
    policy: deps.policy.now,
    policyAgreed: deps.policy.version.check,
    directory: deps.directory,
    notifier: deps.notifier,
    liveness: deps.liveness,
    dryRun: config.dryRun,
    botActor: deps.botActor,
    maxPending: config.maxPending,
    maxPendingAccounts: config.maxPendingAccounts,
    log,
    secrets: adapters.secrets,
    hideFromLogs: (value) => registerSecretValues([value], RUNTIME_SECRET_LOG_MASK_MS),
  });
}
