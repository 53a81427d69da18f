import type { Logger } from 'pino';
import type { Secret } from '../../config/secret.js';
import type { HttpClient, HttpTimeouts, WireRequest } from '../http/types.js';
import type { Outcome } from './outcome.js';
import { reveal } from './render.js';
import type { AnyProvider } from './types.js';

export type Authorized =
  | { ok: true; headers: Record<string, string>; token: Secret }
  | { ok: false; outcome: Extract<Outcome, { kind: 'auth' | 'rate_limited' | 'unavailable' }> };

export interface TokenCache {
  /** Headers for a provider's next call; undefined for a provider that needs no token. */
  authorize(provider: AnyProvider, settings: ReturnType<AnyProvider['settings']>, timeouts?: Partial<HttpTimeouts>): Promise<Authorized | undefined>;
  /** Drops a token the provider refused, so the next call asks for a new one. */
  forget(provider: AnyProvider): void;
}

/** Applies a token's headers to a built request. */
export const withHeaders = (wire: WireRequest, headers: Record<string, string> | undefined): WireRequest =>
  headers ? { ...wire, headers: { ...wire.headers, ...headers } } : wire;

/**
 * Tokens per provider, per process: one grant serves every call until shortly before it
 * expires, and callers arriving while a grant is in flight share it. A refusal is not kept,
 * so fixing the provider's side needs no restart.
 */
export function createTokenCache(options: {
  http: HttpClient;
  log: Logger;
  now?: () => number;
  /** Renew this long before expiry, so a token never lapses during a call. */
  refreshMarginMs?: number;
  /** Masks a granted token in logs for as long as it lives. */
  hide?: (token: string, ttlMs: number) => void;
}): TokenCache {
  const { http, log } = options;
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  const cache = new Map<string, { expires: number; pending: Promise<Authorized> }>();

  async function grant(provider: AnyProvider, settings: ReturnType<AnyProvider['settings']>, timeouts?: Partial<HttpTimeouts>) {
    const spec = provider.authorize!;
    const refused = (outcome: Extract<Authorized, { ok: false }>['outcome']) => {
      log.warn({ provider: provider.id, outcome: outcome.kind }, 'provider token refused');
      return { ok: false as const, outcome: { ...outcome, message: `${provider.label}: no access token: ${outcome.message}` } };
    };
    let wire: WireRequest;
    try {
      wire = await spec.request(settings, reveal);
    } catch {
      // The signing library's error could quote key material: say only what failed.
      return { ...refused({ kind: 'auth', message: 'the token request could not be signed with the configured key' }), lifetimeMs: 0 };
    }
    const result = await http.send(wire, timeouts);
    if (!result.ok) return { ...refused({ kind: 'unavailable', message: result.failure.message }), lifetimeMs: 0 };
    const answer = spec.parse(result.response);
    if (answer.kind !== 'granted') return { ...refused(answer), lifetimeMs: 0 };
    const lifetimeMs = answer.expiresInSeconds * 1000;
    options.hide?.(answer.token.reveal(), lifetimeMs);
    log.info({ provider: provider.id, expiresInSeconds: answer.expiresInSeconds }, 'provider token granted');
    return { ok: true as const, token: answer.token, headers: spec.headers(answer.token.reveal()), lifetimeMs };
  }

  return {
    async authorize(provider, settings, timeouts) {
      if (!provider.authorize) return undefined;
      const hit = cache.get(provider.id);
      if (hit && hit.expires > now()) return hit.pending;
      const granting = grant(provider, settings, timeouts);
      const entry = { expires: Infinity, pending: granting.then(({ lifetimeMs: _, ...authorized }) => authorized as Authorized) };
      cache.set(provider.id, entry);
      const { lifetimeMs } = await granting;
      if (lifetimeMs > 0) entry.expires = now() + lifetimeMs - Math.min(margin, lifetimeMs / 2);
      else if (cache.get(provider.id) === entry) cache.delete(provider.id);
      return entry.pending;
    },
    forget(provider) {
      cache.delete(provider.id);
    },
  };
}
