import { type AnyProvider, passwordFieldIds } from '../adapters/providers/types.js';
import { CannotDecrypt, type SecretBox } from '../adapters/store/sealed.js';
import type { Store } from '../adapters/store/types.js';
import { ALL_REQUESTS_KEY, passwordPlace, REVEAL_TTL_MS, requestKey, revealKey } from '../domain/lifecycle/keys.js';
import type { AccessRequest } from '../domain/request.js';
import { FUNCTION_TOKEN_TTL_MS, functionTokenKey } from '../slack/function-tokens.js';

export interface SealReport {
  /** Values an older version kept in clear (no key then): now sealed. */
  sealed: number;
  /** Values an older version sealed without their place: now bound to it. */
  bound: number;
  /** Values already sealed and bound under this key. */
  current: number;
  /** Where a value this key cannot open is kept (another key, or altered or moved bytes): left as it is. */
  unreadable: string[];
}

const PAGE = 500;

/**
 * Brings every secret the store keeps (the passwords of requests not final yet, generated
 * passwords waiting to be shown, workflow steps' tokens) to what this version opens: sealed
 * under ADDUSER_SECRET_KEY and bound to its place. Each is found from the request that owns it.
 * Running it again changes nothing.
 */
export async function sealStored(store: Store, secrets: SecretBox, providers: readonly AnyProvider[], now = Date.now()): Promise<SealReport> {
  const report: SealReport = { sealed: 0, bound: 0, current: 0, unreadable: [] };

  /** One value brought up to date, counted in `tally`; undefined when it stays as it is. */
  function upgrade(value: string, place: string, tally: SealReport): string | undefined {
    try {
      const next = secrets.upgrade(value, place);
      if (!next) {
        if (value !== '') tally.current += 1;
        return undefined;
      }
      tally[next.was === 'clear' ? 'sealed' : 'bound'] += 1;
      return next.value;
    } catch (error) {
      if (!(error instanceof CannotDecrypt)) throw error;
      tally.unreadable.push(place);
      return undefined;
    }
  }

  const add = (tally: SealReport) => {
    report.sealed += tally.sealed;
    report.bound += tally.bound;
    report.current += tally.current;
    report.unreadable.push(...tally.unreadable);
  };
  const fresh = (): SealReport => ({ sealed: 0, bound: 0, current: 0, unreadable: [] });

  /**
   * The form's passwords, rewritten with a versioned transition: a bot moving the request at the
   * same moment wins, and the request is read again.
   */
  async function sealForm(id: string): Promise<AccessRequest | undefined> {
    for (;;) {
      const request = await store.get<AccessRequest>(requestKey(id));
      const provider = request && providers.find((candidate) => candidate.id === request.provider);
      if (!request || !provider) return request;
      const tally = fresh();
      const form = { ...request.form };
      for (const fieldId of passwordFieldIds(provider)) {
        const value = form[fieldId];
        const next = typeof value === 'string' ? upgrade(value, passwordPlace(id, fieldId), tally) : undefined;
        if (next !== undefined) form[fieldId] = next;
      }
      const version = request.version ?? 0;
      const changed = tally.sealed + tally.bound > 0;
      if (!changed || (await store.transition(requestKey(id), [request.state], { ...request, form, version: version + 1 }, version))) {
        add(tally);
        return request;
      }
    }
  }

  /** A value kept under a key of its own, rewritten with what is left of its time to live. */
  async function sealKept(key: string, keptUntil: number, rewrite: (value: unknown, tally: SealReport) => unknown): Promise<void> {
    const value = await store.get(key);
    if (value === undefined) return;
    const tally = fresh();
    const next = rewrite(value, tally);
    if (next !== undefined) await store.set(key, next, Math.max(1, keptUntil - now));
    add(tally);
  }

  for (let start = 0; ; start += PAGE) {
    const ids = await store.range<string>(ALL_REQUESTS_KEY, start, start + PAGE - 1);
    for (const id of ids) {
      const request = await sealForm(id);
      if (!request) continue;
      // Kept when the request became final, for a week.
      await sealKept(revealKey(id), Date.parse(request.updatedAt) + REVEAL_TTL_MS, (value, tally) => {
        const entries = value as { label: string; value: string }[];
        const next = entries.map((entry) => ({ ...entry, value: upgrade(entry.value, revealKey(id), tally) ?? entry.value }));
        return next.some((entry, i) => entry.value !== entries[i]!.value) ? next : undefined;
      });
      const execution = request.workflow?.functionExecutionId;
      // Kept just before the request was stored, for 30 days.
      if (execution) {
        const key = functionTokenKey(execution);
        await sealKept(key, Date.parse(request.createdAt) + FUNCTION_TOKEN_TTL_MS, (value, tally) => upgrade(value as string, key, tally));
      }
    }
    if (ids.length < PAGE) break;
  }
  return report;
}
