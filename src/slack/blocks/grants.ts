import type { AccessRequest } from '../../domain/requests/request.js';
import { joinMd, md, type Mrkdwn } from './text.js';

/** A privilege-bearing value the policy marks (`privileged:`), by its field. */
export interface Marked {
  field: string;
  value: string;
}

/** How a request message names providers, fields and the values the policy marks. */
export interface GrantWords {
  labelOf: (provider: string) => string;
  fieldLabel: (provider: string, field: string) => string;
  /** The values of a request the policy in force marks as privileged. */
  privileged: (request: AccessRequest) => readonly Marked[];
}

/** What an account with no value in a field counts as. */
const NONE = '(none)';

/** Distinct values shown per field; the accounts file in the thread has every one. */
const SHOWN_VALUES = 12;
/** Privileged accounts named one by one; the rest are counted (the file names them all). */
const NAMED_PRIVILEGED = 10;

const countsOf = (values: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  // Rare values first: they are the ones an approver must not miss.
  return [...counts].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
};

/**
 * SPEC §6, approvers see what they grant: each privilege-bearing field across every account,
 * as value counts (`Role: admin ×1, direct_member ×47`), an account with none counted as
 * `none`. One line per provider and field; marked values in bold with a warning sign.
 */
export function grantLines(members: readonly AccessRequest[], words: GrantWords): Mrkdwn[] {
  const byField = new Map<string, { provider: string; field: string; values: string[] }>();
  for (const member of members) {
    for (const [field, values] of Object.entries(member.privileges ?? {})) {
      const key = `${member.provider}\u0000${field}`;
      const entry = byField.get(key) ?? { provider: member.provider, field, values: [] };
      entry.values.push(...(values.length > 0 ? values : [NONE]));
      byField.set(key, entry);
    }
  }
  const providers = new Set(members.map((member) => member.provider));
  return [...byField.values()]
    .filter((entry) => entry.values.some((value) => value !== NONE))
    .map(({ provider, field, values }) => {
      const marked = new Set(members.filter((member) => member.provider === provider).flatMap((member) => words.privileged(member).filter((one) => one.field === field).map((one) => one.value)));
      const counts = countsOf(values);
      const shown = counts.slice(0, SHOWN_VALUES).map(([value, count]) => (marked.has(value) ? md`:warning: *${value}* ×${count}` : md`${value} ×${count}`));
      if (counts.length > SHOWN_VALUES) shown.push(md`${counts.length - SHOWN_VALUES} more values (in the accounts file)`);
      const label = providers.size > 1 ? md`${words.labelOf(provider)} ${words.fieldLabel(provider, field)}` : md`${words.fieldLabel(provider, field)}`;
      return md`*${label}*: ${joinMd(shown, ', ')}`;
    });
}

/** Each account holding a value the policy marks, by its row (a CSV's) or its provider, with the values. */
export function privilegedLines(members: readonly AccessRequest[], words: GrantWords, rowOf: (member: AccessRequest) => number | undefined): Mrkdwn[] {
  const held = members.flatMap((member) => {
    const marked = words.privileged(member);
    return marked.length > 0 ? [{ member, marked }] : [];
  });
  const lines = held.slice(0, NAMED_PRIVILEGED).map(({ member, marked }) => {
    const row = rowOf(member);
    const where = row === undefined ? md`${words.labelOf(member.provider)}` : md`row ${row}`;
    const values = joinMd(marked.map((one) => md`${words.fieldLabel(member.provider, one.field)} *${one.value}*`), ', ');
    return md`:warning: ${where} · *${member.target}* · ${values}`;
  });
  if (held.length > NAMED_PRIVILEGED) lines.push(md`:warning: …and ${held.length - NAMED_PRIVILEGED} more accounts with privileged values (each is in the accounts file)`);
  return lines;
}
