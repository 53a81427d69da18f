import { z } from 'zod';
import { fieldFromSchema, integer, list, text } from '../fields.js';
import { addresses, type Choice, type FieldSpec, type FormValues, type PersonDetails } from '../types.js';
import type { Offer, Offered } from './attributes.js';

export type ScimValue = string | boolean | number;

export interface ScimInput {
  /** Field id → value, for the attributes given. */
  values: Readonly<Record<string, ScimValue>>;
  /** Ids of the groups to join after the create. */
  groups: readonly string[];
  /** The form the values were checked against: the create is built from it, whatever a later discovery found. */
  offer: Offer;
}

/** An id the service gave (a group, a manager): it goes into a URL path, so plain characters only. */
const serviceId = (what: string) =>
  z.string({ error: `${what} is required` }).trim().regex(/^[A-Za-z0-9._~:@+-]{1,128}$/, { error: `${what} must be an id the service gave, like 7f3c9a10-2b4e-4d6f-9a8b-1c2d3e4f5a6b` });

function valueSchema(attribute: Offered): z.ZodType {
  const { label } = attribute;
  if (attribute.type === 'boolean') return z.enum(['true', 'false'], { error: `${label} must be true or false` }).transform((value) => value === 'true');
  if (attribute.type === 'integer') return z.number({ error: `${label} must be a whole number` }).int({ error: `${label} must be a whole number` });
  if (attribute.choices) return z.enum(attribute.choices as [string, ...string[]], { error: `${label} must be one of: ${attribute.choices.join(', ')}` });
  if (attribute.kind === 'email') return z.email({ error: `${label} must be a valid email address` });
  if (attribute.lookup) return serviceId(label);
  return z.string({ error: `${label} is required` }).trim().min(1, { error: `${label} is required` });
}

const HINTS: Record<string, string> = {
  manager: 'Type part of their username to search the service, or their id there.',
  groups: 'Type the start of a group’s name to search the service, or a group id. Joined after the account is created.',
};

export interface ScimForm {
  offer: Offer;
  input: z.ZodType<ScimInput>;
  fields: readonly FieldSpec[];
}

/** The input schema and the form fields of one offer: both read from the one zod object. */
export function formFor(offer: Offer): ScimForm {
  const has = (id: string) => offer.attributes.some((attribute) => attribute.id === id);
  const shape = z.strictObject({
    ...Object.fromEntries(offer.attributes.map((attribute) => [attribute.id, attribute.required ? valueSchema(attribute) : valueSchema(attribute).optional()])),
    ...(offer.groupsPath && {
      groups: z.array(serviceId('A group')).default([]).refine((ids) => new Set(ids).size === ids.length, { error: 'Each group can be chosen once' }),
    }),
  });
  const input = shape.transform(({ groups, ...values }) => ({
    values: Object.fromEntries(Object.entries(values).filter((entry): entry is [string, ScimValue] => entry[1] !== undefined)),
    groups: (groups as string[] | undefined) ?? [],
    offer,
  }));
  const fields = offer.attributes.map((attribute): FieldSpec => {
    const field = fieldFromSchema(shape, attribute.id, {
      label: attribute.label,
      // The service's suggested values are the choices.
      kind: attribute.choices ? 'select' : attribute.kind,
      ...(attribute.placeholder && { placeholder: attribute.placeholder }),
      ...(attribute.lookup && { lookup: attribute.lookup, search: true as const }),
      ...(HINTS[attribute.id] && { hint: HINTS[attribute.id] }),
      ...(attribute.type === 'boolean' && { labels: { true: 'Yes', false: 'No' } }),
    });
    // fromForm fills these from other fields, so leaving them empty is fine.
    if (attribute.id === 'userName' && has('emails[primary]')) return { ...field, optional: true, hint: 'Left empty, the email is the username.' };
    if (attribute.id === 'displayName' && has('name.givenName') && has('name.familyName')) return { ...field, optional: true, hint: 'Left empty: the first and last name.' };
    return field;
  });
  if (offer.groupsPath) fields.push({ id: 'groups', label: 'Groups', kind: 'multi_select', optional: true, lookup: 'groups', search: true, hint: HINTS.groups });
  return { offer, input, fields };
}

/** Modal values → the flat input zod judges; a username or display name left empty is made from the fields people give anyway. */
export function fromForm(offer: Offer, values: FormValues): unknown {
  const valueOf = (attribute: Offered) => {
    const typed = text(values, attribute.id);
    return attribute.type === 'integer' ? integer(typed) : attribute.type === 'boolean' ? typed?.toLowerCase() : typed;
  };
  const own: Record<string, string | number | undefined> = Object.fromEntries(offer.attributes.map((attribute) => [attribute.id, valueOf(attribute)]));
  const has = (id: string) => id in own;
  if (has('emails[primary]')) own.userName ??= own['emails[primary]'];
  const names = [own['name.givenName'], own['name.familyName']].filter(Boolean).join(' ');
  if (has('displayName') && names) own.displayName ??= names;
  return { ...own, ...(offer.groupsPath && { groups: list(values, 'groups') }) };
}

/** The person's details in the fields this service asks; the email is the username where no email field exists. */
export function fromPerson(offer: Offer, person: PersonDetails): FormValues {
  const asked = new Set(offer.attributes.map((attribute) => attribute.id));
  const details: FormValues = {
    userName: person.username ?? (asked.has('emails[primary]') ? undefined : person.email),
    'name.givenName': person.first_name,
    'name.familyName': person.last_name,
    'emails[primary]': person.email,
  };
  return Object.fromEntries(Object.entries(details).filter(([id]) => asked.has(id)));
}

export const fieldOf = (path: readonly PropertyKey[]) => String(path[0] ?? 'userName');

const shown = (value: ScimValue) => (typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));

export function summary(input: ScimInput): Choice[] {
  const given = input.offer.attributes.flatMap((attribute) => {
    const value = input.values[attribute.id];
    return value === undefined ? [] : [{ label: attribute.label, value: shown(value) }];
  });
  return [...given, ...(input.groups.length > 0 ? [{ label: 'Groups', value: input.groups.join(', ') }] : [])];
}

const textOf = (input: ScimInput, id: string) => (typeof input.values[id] === 'string' ? (input.values[id] as string) : undefined);

/** userName is REQUIRED in every User resource (RFC 7643 §4.1.1), so the target always has one. */
export const target = (input: ScimInput) => textOf(input, 'userName') ?? '';

export const recipients = (input: ScimInput) => addresses(textOf(input, 'emails[primary]'), textOf(input, 'userName'));

/** A form in one line, for the log, /readyz and `npm run policy -- check`: its size, and what the service has that it leaves out. */
export function describeForm(form: ScimForm): string {
  const required = form.fields.filter((field) => !field.optional).length;
  const left = form.offer.notAsked.length > 0 ? `; not asked: ${form.offer.notAsked.join('; ')}` : '';
  return `${form.offer.discovered ? 'the service’s form' : 'the core User fields'}, ${form.fields.length} fields (${required} required)${left}`;
}
