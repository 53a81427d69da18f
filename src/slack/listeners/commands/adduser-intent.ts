import type { AnyProvider } from '../../../adapters/providers/types.js';

/** What `/adduser …` asks for, read from its text alone. */
export type AdduserIntent =
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'audit'; query: string }
  | { kind: 'csv-usage' }
  | { kind: 'unknown'; word: string }
  /** The request form: at a provider (or its CSV upload), at a preset, or with nothing chosen yet. */
  | { kind: 'form'; provider?: AnyProvider; preset?: string; csv: boolean };

/**
 * The command's first word decides: `help`, `status`, `audit <query>`, `csv <provider>`, a
 * provider, a preset, or nothing. A preset named like a provider is never reached this way: the
 * provider wins (it was there first, and `/adduser <provider>` must keep meaning one account);
 * the preset stays in the form's select.
 */
export function adduserIntent(text: string, providers: readonly AnyProvider[], presetNames: readonly string[]): AdduserIntent {
  const [word = '', ...rest] = text.trim().split(/\s+/);
  const sub = word.toLowerCase();
  if (sub === 'help') return { kind: 'help' };
  if (sub === 'status') return { kind: 'status' };
  if (sub === 'audit') return { kind: 'audit', query: rest.join(' ').trim() };
  const csv = sub === 'csv';
  const named = csv ? (rest[0] ?? '').toLowerCase() : sub;
  const provider = named ? providers.find((candidate) => candidate.id === named) : undefined;
  if (csv) return provider ? { kind: 'form', provider, csv } : { kind: 'csv-usage' };
  if (provider) return { kind: 'form', provider, csv };
  if (!sub) return { kind: 'form', csv };
  return presetNames.includes(sub) ? { kind: 'form', preset: sub, csv } : { kind: 'unknown', word };
}
