import type { Logger } from 'pino';
import { createHttpClient } from '../adapters/http/client.js';
import { createDiscovery } from '../adapters/providers/discovery.js';
import { createLimiter, type ProviderLimits } from '../adapters/providers/limiter.js';
import { createLookupService } from '../adapters/providers/lookups.js';
import { createTokenCache } from '../adapters/providers/tokens.js';
import { openStore } from '../adapters/store/open.js';
import { createSecretBox } from '../adapters/store/sealed.js';
import type { Store } from '../adapters/store/types.js';
import type { Config } from '../config/schema.js';
import { createAuditLog } from '../domain/audit.js';
import { registerSecretValues } from '../logging/logger.js';

/** For providers that publish no limits: a few calls at a time, no window. */
const DEFAULT_LIMITS: ProviderLimits = { concurrency: 4, windows: [] };

/** A start-up the store's state forbids (the audit key): said in one line, without a stack. */
export class StartRefused extends Error {}

/**
 * The audit log, keyed when ADDUSER_AUDIT_KEY is set. A process whose key is not the one the
 * log's records were written with (or that has none) would break the chain for every later
 * `verify`: it does not start.
 */
async function openAuditLog(store: Store, key: Config['audit']['key'], log: Logger) {
  const audit = createAuditLog(store, { key });
  const problem = await audit.keyProblem();
  if (problem) {
    await store.close();
    throw new StartRefused(problem);
  }
  if (!key) log.warn('ADDUSER_AUDIT_KEY is not set: audit records are hashed without a key, so anyone who can write the store can rewrite them undetected');
  return audit;
}

/** Every adapter, built once: the store and what lives in it, the HTTP client and what calls providers through it. */
export async function openAdapters(config: Config, log: Logger) {
  const providers = config.registry;
  const store = await openStore(config.storeUrl, { log });
  const audit = await openAuditLog(store, config.audit.key, log);
  const secrets = createSecretBox(config.secretKey);
  if (!secrets.encrypts) {
    log.warn('ADDUSER_SECRET_KEY is not set: typed and generated passwords are kept in clear in the store until their request is final');
  }
  const http = createHttpClient();
  // One grant per provider serves creates and lookups alike; a granted token is masked in logs while it lives.
  const tokens = createTokenCache({ http, log, hide: (token, ttlMs) => registerSecretValues([token], ttlMs) });
  // The windows live in the store: replicas together keep to what the provider allows.
  const limiters = new Map(
    providers.map((provider) => [
      provider.id,
      createLimiter(provider.limits ?? DEFAULT_LIMITS, {
        take: (windows, member) => store.takeSlot(`provider:${provider.id}`, windows, member),
        settle: (member) => store.settleSlot(`provider:${provider.id}`, member),
      }),
    ]),
  );
  /** Every provider of the registry has one: built above from the same list. */
  const limiterOf = (id: string) => {
    const limiter = limiters.get(id);
    if (!limiter) throw new Error(`no limiter for provider ${id}`);
    return limiter;
  };
  const settingsOf = (provider: { id: string }) => config.providers[provider.id]!;
  const lookups = createLookupService({ http, log, settingsOf, limiterOf: (provider) => limiters.get(provider.id), tokens, timeoutMs: 2_000 });
  const discovery = createDiscovery({ http, log, providers, settingsOf });
  return { providers, store, audit, secrets, http, tokens, limiters, limiterOf, lookups, discovery };
}

export type Adapters = Awaited<ReturnType<typeof openAdapters>>;
