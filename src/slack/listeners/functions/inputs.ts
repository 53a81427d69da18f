import { z } from 'zod';
import type { AnyProvider, FormValues, PersonDetails } from '../../../adapters/providers/types.js';
import type { Preset } from '../../../domain/policy/model.js';
import { REASON_FIELD } from '../../../domain/requests/request.js';
import { userId } from '../../inbound/payloads/common.js';
import { personForm } from '../../forms/preset-form.js';

/** The step's callback id: manifest.yml's `functions` key. */
export const CREATE_ACCOUNT = 'create_account';

/** Workflow Builder sends an input left empty as nothing, `null` or an empty string: all three mean absent. */
const optionalText = z.preprocess(
  (value) => (value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value),
  z.string({ error: 'must be text' }).trim().optional(),
);

const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))], {
  error: 'each value must be text, a number, true/false or a list of those',
});

/** `fields`: a JSON object, given as one (a workflow variable) or as its text (typed in Workflow Builder). */
const fieldsObject = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  },
  z.record(z.string(), fieldValue, { error: 'must be a JSON object of field ids and values, e.g. {"accessLevel":"user"}' }),
);

/**
 * Slack's `slack#/types/user_context`: set by Slack from whoever ran the workflow (its trigger, or
 * a step they clicked), never typed by the workflow's builder. It is who asks.
 */
const userContext = z.looseObject({ id: userId }, { error: 'is required: map it to the person who runs the workflow (Slack sets it; a builder cannot type it)' });

/** The step's inputs as manifest.yml declares them; which are needed beyond these, the provider's schema decides. */
export const createAccountInputs = z.object({
  provider: optionalText,
  user_context: userContext,
  /** Kept for workflows built before `user_context`: where given it must name the same person. */
  requester: optionalText.pipe(userId.optional()),
  reason: z.string({ error: 'is required: why the account is needed, for the approvers' }),
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  username: optionalText,
  preset: optionalText,
  fields: z.preprocess((value) => (value === null || value === '' ? undefined : value), fieldsObject.optional()),
});
export type CreateAccountInputs = z.infer<typeof createAccountInputs>;

export type StepRequest =
  | { ok: true; requester: string; provider: AnyProvider; form: FormValues }
  | { ok: false; error: string };

const refuse = (input: string, problem: string) => ({ ok: false as const, error: `${input}: ${problem}` });
const asForm = (value: z.infer<typeof fieldValue>) => (Array.isArray(value) ? value.map(String) : String(value));

/** The provider a step asks for: named, or the one account of its preset. */
function chooseProvider(inputs: CreateAccountInputs, providers: readonly AnyProvider[], presets: Readonly<Record<string, Preset>>) {
  const known = providers.map((provider) => provider.id).join(', ');
  const preset = inputs.preset === undefined ? undefined : presets[inputs.preset];
  if (inputs.preset !== undefined && !preset) {
    const names = Object.keys(presets);
    return refuse('preset', `"${inputs.preset}" is not a preset of the policy file (${names.length > 0 ? `its presets: ${names.join(', ')}` : 'it has none'})`);
  }
  const named = inputs.provider?.toLowerCase();
  if (named === undefined && !preset) return refuse('provider', `is required unless a preset is given (one of: ${known})`);
  const accounts = Object.keys(preset?.accounts ?? {});
  const id = named ?? (accounts.length === 1 ? accounts[0]! : undefined);
  if (id === undefined) {
    return refuse('preset', `"${inputs.preset}" has ${accounts.length} accounts (${accounts.join(', ')}); the step files one account and waits for its outcome, so name its provider (or use /adduser ${inputs.preset} for them all)`);
  }
  const provider = providers.find((candidate) => candidate.id === id);
  if (!provider) return refuse('provider', `"${inputs.provider}" is not a provider this bot knows (one of: ${known})`);
  if (preset && !accounts.includes(provider.id)) return refuse('preset', `"${inputs.preset}" has no ${provider.label} account (it has: ${accounts.join(', ')})`);
  return { ok: true as const, provider, presetValues: preset?.accounts[provider.id] ?? {} };
}

/**
 * The step's inputs as the request form a person would have submitted: the preset's values,
 * then the person's details in the provider's own fields, then `fields`, then the reason. The
 * provider's schema and the policy judge the result in `lifecycle.submit`, as for the form.
 */
export function stepRequest(raw: unknown, providers: readonly AnyProvider[], presets: Readonly<Record<string, Preset>>): StepRequest {
  const parsed = createAccountInputs.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'inputs'}: ${issue.message}`);
    return { ok: false, error: problems.join('; ') };
  }
  const inputs = parsed.data;
  const chosen = chooseProvider(inputs, providers, presets);
  if (!chosen.ok) return chosen;
  const { provider, presetValues } = chosen;
  const asker = inputs.user_context.id;
  if (inputs.requester !== undefined && inputs.requester !== asker) {
    return refuse('requester', `names ${inputs.requester}, but ${asker} ran the workflow: a request is always filed as the person who ran it. Leave requester empty, or map it to the person who runs the workflow`);
  }
  const fieldIds = new Set(provider.fields.map((field) => field.id));
  const unknown = Object.keys(inputs.fields ?? {}).filter((id) => !fieldIds.has(id));
  if (unknown.length > 0) return refuse('fields', `${unknown.map((id) => `"${id}"`).join(', ')} ${unknown.length === 1 ? 'is not a field' : 'are not fields'} of ${provider.label} (its fields: ${[...fieldIds].join(', ')})`);
  // Whoever builds the workflow would know the password of an account filed as someone else.
  const passwords = provider.fields.filter((field) => field.kind === 'password' && inputs.fields?.[field.id] !== undefined).map((field) => field.id);
  if (passwords.length > 0) {
    return refuse('fields', `${passwords.map((id) => `"${id}"`).join(', ')} cannot be set by a workflow: leave it out, and the bot generates one shown only to the requester, or ${provider.label} mails an activation link`);
  }
  const person: PersonDetails = { email: inputs.email, first_name: inputs.first_name, last_name: inputs.last_name, username: inputs.username };
  const typed = Object.fromEntries(Object.entries(inputs.fields ?? {}).map(([id, value]) => [id, asForm(value)]));
  return {
    ok: true,
    requester: asker,
    provider,
    form: { ...personForm(provider, presetValues, person), ...typed, [REASON_FIELD]: inputs.reason },
  };
}

/**
 * The errors `lifecycle.submit` returns (by form field) as one line the workflow shows: each
 * field by its label and id, as the README's field table and the `fields` input name them.
 */
export function describeErrors(errors: Record<string, string>, provider: AnyProvider): string {
  const problems = Object.entries(errors).map(([id, message]) => {
    if (id === 'provider') return message;
    if (id === REASON_FIELD) return `reason: ${message}`;
    const label = provider.fields.find((field) => field.id === id)?.label;
    return `${label ? `${label} (${id})` : id}: ${message}`;
  });
  return `The ${provider.label} request is not valid. ${problems.join('; ')}`;
}
