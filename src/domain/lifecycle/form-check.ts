import { randomInt } from 'node:crypto';
import type { FormValues } from '../../adapters/providers/types.js';
import type { RuleInput } from '../policy/admission.js';
import { REASON_FIELD, REASON_MAX } from '../requests/request.js';
import { type Core, providerOf } from './core.js';

/** 20 characters from an unambiguous alphabet with every class present: ~115 bits. */
function generatePassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-=?@_'];
  const all = sets.join('');
  const chars = sets.map((set) => set[randomInt(set.length)]!);
  while (chars.length < 20) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** What the policy judges of a checked account; the requester completes it. */
export type Judged = Omit<RuleInput, 'requester'>;

/** The provider's own fields, checked by its schema (blank generated fields filled in). */
function checkFields(core: Core, providerId: string, form: FormValues) {
  const provider = providerOf(core, providerId);
  if (!provider) return { ok: false as const, errors: { provider: 'Choose a provider.' } as Record<string, string> };
  const values: Record<string, string | string[]> = {};
  const generated: string[] = [];
  for (const [key, value] of Object.entries(form)) {
    if (value !== undefined && key !== REASON_FIELD) values[key] = typeof value === 'string' ? value : [...value];
  }
  for (const field of provider.fields) {
    const value = values[field.id];
    if (field.generateIfBlank && (value === undefined || (typeof value === 'string' && value.trim() === ''))) {
      values[field.id] = generatePassword();
      generated.push(field.id);
    }
  }
  const parsed = provider.input.safeParse(provider.fromForm(values));
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[provider.fieldOf(issue.path)] ??= issue.message;
    return { ok: false as const, errors };
  }
  const input = parsed.data as unknown;
  // What the policy judges is what the provider will receive, not what the form happened to hold.
  const judged: Judged = { fields: { ...values, ...provider.privileges(input) }, recipients: provider.recipients(input) };
  return { ok: true as const, provider, values, generated, input, judged };
}

export function validate(core: Core, providerId: string, form: FormValues) {
  const errors: Record<string, string> = {};
  const reason = typeof form[REASON_FIELD] === 'string' ? form[REASON_FIELD].trim() : '';
  if (reason.length < 3) errors[REASON_FIELD] = 'Give a reason approvers can judge (at least 3 characters).';
  else if (reason.length > REASON_MAX) errors[REASON_FIELD] = `Keep the reason under ${REASON_MAX} characters.`;
  const fields = checkFields(core, providerId, form);
  if (!fields.ok) {
    // An unknown provider is the only problem worth saying then.
    if ('provider' in fields.errors && !providerOf(core, providerId)) return { ok: false as const, errors: fields.errors };
    Object.assign(errors, fields.errors);
  }
  if (Object.keys(errors).length > 0 || !fields.ok) return { ok: false as const, errors };
  return { ...fields, reason };
}

/** A form its provider's schema and the reason check accept. */
export type Checked = Extract<ReturnType<typeof validate>, { ok: true }>;

/** One account's fields as its provider checks them, without storing anything (a CSV's rows). */
export function checkAccount(core: Core, providerId: string, form: FormValues): { ok: true; target: string } | { ok: false; errors: Record<string, string> } {
  const fields = checkFields(core, providerId, form);
  return fields.ok ? { ok: true, target: fields.provider.target(fields.input) } : { ok: false, errors: fields.errors };
}
