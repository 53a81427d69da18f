import type { AnyProvider, FormValues, PersonDetails } from '../../adapters/providers/types.js';
import type { Preset, PresetAccount } from '../../domain/policy/model.js';
import type { BatchProblem } from '../../domain/lifecycle/submit-batch.js';
import { REASON_FIELD } from '../../domain/requests/request.js';
import { IDS } from '../blocks/ids.js';

/** The person's details a preset form may ask, in the order it asks them. */
export const PERSON_KEYS = ['email', 'first_name', 'last_name', 'username'] as const satisfies readonly (keyof PersonDetails)[];
export type PersonKey = (typeof PERSON_KEYS)[number];

export const PERSON_LABELS: Readonly<Record<PersonKey, string>> = {
  email: 'Email',
  first_name: 'First name',
  last_name: 'Last name',
  username: 'Username',
};

/** block_id (and action_id) of a person detail's input in the preset form. */
export const personBlock = (key: PersonKey) => `person:${key}`;

/** Values left empty in a form or a workflow (absent, or blank text) say nothing. */
const withoutBlanks = (values: FormValues): FormValues =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined && !(typeof value === 'string' && value.trim() === '')));

/**
 * One account's form from a preset and a person: the preset's values, then the person's details
 * in the provider's own fields (`fromPerson`), so a detail given wins over the preset's value.
 * The workflow step and the preset form both build their forms here.
 */
export function personForm(provider: AnyProvider, presetValues: PresetAccount, person: PersonDetails): FormValues {
  return { ...presetValues, ...withoutBlanks(provider.fromPerson(person)) };
}

/** Stands for any value of a detail when asking a provider where it puts that detail. */
const SAMPLE: Readonly<Record<PersonKey, string>> = {
  email: 'sample@example.com',
  first_name: 'Sample',
  last_name: 'Person',
  username: 'sample.person',
};

/** The provider's fields a person detail ends up in, found by asking its `fromPerson` with that detail alone. */
export function fieldsOfDetail(provider: AnyProvider, key: PersonKey): string[] {
  return Object.keys(withoutBlanks(provider.fromPerson({ [key]: SAMPLE[key] })));
}

/** One account of a preset: its provider and the values the preset fixes. */
export interface PresetAccountOf {
  provider: AnyProvider;
  values: PresetAccount;
}

/** The preset's accounts in the order the policy file lists them; providers this bot does not know are left out. */
export function presetAccounts(preset: Preset, providers: readonly AnyProvider[]): PresetAccountOf[] {
  return Object.entries(preset.accounts).flatMap(([id, values]) => {
    const provider = providers.find((candidate) => candidate.id === id);
    return provider ? [{ provider, values }] : [];
  });
}

/** A detail to ask: the accounts that use it, and whether one of them must have it. */
export interface PersonQuestion {
  key: PersonKey;
  label: string;
  /** The providers whose fields this detail fills. */
  providers: AnyProvider[];
  optional: boolean;
}

/**
 * The details the form asks: those some account's provider puts in a field the preset does not
 * already fix. A detail is optional when every field it fills is optional for its provider.
 */
export function personQuestions(accounts: readonly PresetAccountOf[]): PersonQuestion[] {
  return PERSON_KEYS.flatMap((key) => {
    const uses = accounts.flatMap(({ provider, values }) => {
      const open = fieldsOfDetail(provider, key).filter((field) => values[field] === undefined);
      return open.length > 0 ? [{ provider, open }] : [];
    });
    if (uses.length === 0) return [];
    const optional = uses.every(({ provider, open }) => open.every((id) => provider.fields.find((field) => field.id === id)?.optional ?? true));
    return [{ key, label: PERSON_LABELS[key], providers: uses.map((use) => use.provider), optional }];
  });
}

/** The accounts to file: each provider's form from the preset and the person, in the preset's order. */
export function presetForms(accounts: readonly PresetAccountOf[], person: PersonDetails): { provider: string; form: FormValues }[] {
  return accounts.map(({ provider, values }) => ({ provider: provider.id, form: personForm(provider, values, person) }));
}

/** "Jill Valentine", else the email: who a preset's accounts are for, as the batch names them. */
export function personName(person: PersonDetails): string | undefined {
  const name = [person.first_name, person.last_name].filter((part) => part?.trim()).join(' ');
  return name || person.email || undefined;
}

/**
 * `submitBatch`'s problems as the preset form's inline errors (one text per block, as Slack
 * shows one error per block). A field the person filled goes on that detail's input, prefixed
 * by the providers that refused it; the reason on the reason; the rest (the policy, a preset
 * value a provider refuses, too many requests waiting) on the top select, naming provider and field.
 */
export function presetErrors(problems: readonly BatchProblem[], accounts: readonly PresetAccountOf[], asked: readonly PersonKey[], person: PersonDetails): Record<string, string> {
  /** block → message → the providers that said it, in order. */
  const grouped = new Map<string, Map<string, string[]>>();
  const add = (block: string, message: string, who?: string) => {
    const messages = grouped.get(block) ?? new Map<string, string[]>();
    grouped.set(block, messages);
    const names = messages.get(message) ?? [];
    messages.set(message, names);
    if (who && !names.includes(who)) names.push(who);
  };

  for (const problem of problems) {
    if (problem.field === REASON_FIELD) {
      add(IDS.reasonBlock, problem.message);
      continue;
    }
    const account = problem.account === undefined ? undefined : accounts[problem.account];
    if (!account) {
      add(IDS.providerBlock, problem.message);
      continue;
    }
    const { provider, values } = account;
    const detail = asked.find(
      (key) => fieldsOfDetail(provider, key).includes(problem.field) && (values[problem.field] === undefined || Boolean(person[key]?.trim())),
    );
    if (detail) {
      add(personBlock(detail), problem.message, provider.label);
    } else if (problem.field === 'provider') {
      add(IDS.providerBlock, problem.message, provider.label);
    } else {
      const label = provider.fields.find((field) => field.id === problem.field)?.label;
      add(IDS.providerBlock, `${label ? `${label} (${problem.field})` : problem.field}: ${problem.message}`, provider.label);
    }
  }

  const errors: Record<string, string> = {};
  for (const [block, messages] of grouped) {
    errors[block] = [...messages].map(([message, who]) => (who.length > 0 ? `${who.join(', ')}: ${message}` : message)).join(' ');
  }
  return errors;
}
