import { type AnyProvider, passwordFieldIds } from '../adapters/providers/types.js';
import { CannotDecrypt, type SecretBox } from '../adapters/store/sealed.js';
import type { Store } from '../adapters/store/types.js';
import { ALL_REQUESTS_KEY, passwordPlace, REVEAL_TTL_MS, requestKey, revealKey } from '../domain/requests/keys.js';
import type { AccessRequest } from '../domain/requests/request.js';
import { FUNCTION_TOKEN_TTL_MS, functionTokenKey } from '../slack/delivery/function-tokens.js';

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

/** What one kept value becomes: `value` is the one to keep (unchanged when current or unreadable). */
interface Upgraded {
  value: string;
  was: 'clear' | 'unbound' | 'current' | 'unreadable';
  place: string;
}

const PAGE = 500;

function upgrade(secrets: SecretBox, value: string, place: string): Upgraded[] {
  if (value === '') return [];
  try {
    const next = secrets.upgrade(value, place);
    return [next ? { ...next, place } : { value, was: 'current', place }];
  } catch (error) {
    if (!(error instanceof CannotDecrypt)) throw error;
    return [{ value, was: 'unreadable', place }];
  }
}

const changed = (values: readonly Upgraded[]) => values.some((value) => value.was === 'clear' || value.was === 'unbound');

function count(report: SealReport, values: readonly Upgraded[]): void {
  for (const { was, place } of values) {
    if (was === 'unreadable') report.unreadable.push(place);
    else report[was === 'clear' ? 'sealed' : was === 'unbound' ? 'bound' : 'current'] += 1;
  }
}

/**
 * A request's form passwords, rewritten with a versioned transition: a bot moving the request
 * at the same moment wins, and the request is read again.
 */
async function sealForm(store: Store, secrets: SecretBox, providers: readonly AnyProvider[], id: string) {
  for (;;) {
    const request = await store.get<AccessRequest>(requestKey(id));
    const provider = request && providers.find((candidate) => candidate.id === request.provider);
    if (!request || !provider) return request && { request, values: [] };
    const form = { ...request.form };
    const values = passwordFieldIds(provider).flatMap((fieldId) => {
      const value = form[fieldId];
      const done = typeof value === 'string' ? upgrade(secrets, value, passwordPlace(id, fieldId)) : [];
      if (done[0]) form[fieldId] = done[0].value;
      return done;
    });
    const version = request.version ?? 0;
    if (!changed(values) || (await store.transition(requestKey(id), [request.state], { ...request, form, version: version + 1 }, version))) {
      return { request, values };
    }
  }
}

/** A value kept under a key of its own (`rewrite` gives what it becomes), kept again for what is left of its time to live. */
async function sealKept<T>(store: Store, key: string, keptUntil: number, rewrite: (value: T) => { next: T; values: Upgraded[] }): Promise<Upgraded[]> {
  const value = await store.get<T>(key);
  if (value === undefined) return [];
  const { next, values } = rewrite(value);
  if (changed(values)) await store.set(key, next, Math.max(1, keptUntil - Date.now()));
  return values;
}

/**
 * Brings every secret the store keeps (the passwords of requests not final yet, generated
 * passwords waiting to be shown, workflow steps' tokens) to what this version opens: sealed
 * under ADDUSER_SECRET_KEY and bound to its place. Each is found from the request that owns it.
 * Running it again changes nothing.
 */
export async function sealStored(store: Store, secrets: SecretBox, providers: readonly AnyProvider[]): Promise<SealReport> {
  const report: SealReport = { sealed: 0, bound: 0, current: 0, unreadable: [] };
  for (let start = 0; ; start += PAGE) {
    const ids = await store.range<string>(ALL_REQUESTS_KEY, start, start + PAGE - 1);
    for (const id of ids) {
      const found = await sealForm(store, secrets, providers, id);
      if (!found) continue;
      const { request } = found;
      count(report, found.values);
      // Kept when the request became final, for a week.
      const revealUntil = Date.parse(request.updatedAt) + REVEAL_TTL_MS;
      count(report, await sealKept<{ label: string; value: string }[]>(store, revealKey(id), revealUntil, (entries) => {
        const done = entries.map((entry) => upgrade(secrets, entry.value, revealKey(id)));
        return { next: entries.map((entry, i) => ({ ...entry, value: done[i]![0]?.value ?? entry.value })), values: done.flat() };
      }));
      const execution = request.workflow?.functionExecutionId;
      if (!execution) continue;
      // Kept just before the request was stored, for 30 days.
      const key = functionTokenKey(execution);
      count(report, await sealKept<string>(store, key, Date.parse(request.createdAt) + FUNCTION_TOKEN_TTL_MS, (token) => {
        const values = upgrade(secrets, token, key);
        return { next: values[0]?.value ?? token, values };
      }));
    }
    if (ids.length < PAGE) break;
  }
  return report;
}
