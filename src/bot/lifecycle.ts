import { createUser } from '../adapters/providers/execute.js';
import type { Notifier } from '../domain/events.js';
import { createLifecycle } from '../domain/lifecycle/index.js';
import { registerSecretValues } from '../logging/logger.js';
import type { Parts } from './parts.js';

/** How long a password met at run time stays masked in logs: past its create call and its reveal. */
const RUNTIME_SECRET_LOG_MASK_MS = 15 * 60_000;

/** The request lifecycle, handed its ports: the store and reads, the provider executor behind each provider's limits, the policy, the notifier. */
export function buildLifecycle(deps: Pick<Parts, 'config' | 'adapters' | 'policy' | 'requests' | 'directory' | 'liveness' | 'metrics' | 'botActor' | 'log'> & { notifier: Notifier }) {
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
