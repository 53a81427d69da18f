import { fieldFromSchema, list, text } from '../fields.js';
import type { Choice, FieldSpec, FormValues, PersonDetails } from '../types.js';
import { type OktaInput, profile } from './schema.js';

export const fields: readonly FieldSpec[] = [
  fieldFromSchema(profile, 'firstName', { label: 'First name', kind: 'text' }),
  fieldFromSchema(profile, 'lastName', { label: 'Last name', kind: 'text' }),
  fieldFromSchema(profile, 'email', { label: 'Email', kind: 'email', placeholder: 'isaac.brock@example.com' }),
  {
    ...fieldFromSchema(profile, 'login', { label: 'Username', kind: 'text' }),
    optional: true,
    hint: 'Left empty, the email is the username (Okta’s default expects an email address).',
  },
  fieldFromSchema(profile, 'mobilePhone', { label: 'Mobile phone', kind: 'phone', placeholder: '+1 555 415 1337' }),
  {
    id: 'password',
    label: 'Password',
    kind: 'password',
    optional: true,
    hint: 'Left empty, Okta emails the person an activation link. Set, they are active at once, if your password policy accepts it.',
  },
  { id: 'groupIds', label: 'Groups', kind: 'multi_select', optional: true, lookup: 'groups', hint: 'Type a group id if the list does not load.' },
];

/** Modal values → Okta's CreateUserRequest; zod then judges it. */
export function fromForm(values: FormValues): unknown {
  const email = text(values, 'email');
  const password = values.password;
  return {
    profile: {
      firstName: text(values, 'firstName'),
      lastName: text(values, 'lastName'),
      email,
      login: text(values, 'login') ?? email,
      mobilePhone: text(values, 'mobilePhone'),
    },
    // Never trimmed: spaces may be part of a password.
    ...(typeof password === 'string' && password !== '' && { credentials: { password: { value: password } } }),
    groupIds: list(values, 'groupIds') ?? [],
  };
}

export function fromPerson(person: PersonDetails): FormValues {
  return { firstName: person.first_name, lastName: person.last_name, email: person.email, login: person.username };
}

export function fieldOf(path: readonly PropertyKey[]): string {
  if (path[0] === 'profile') return String(path[1] ?? 'email');
  if (path[0] === 'credentials') return 'password';
  return String(path[0] ?? 'email');
}

export function summary(user: OktaInput): Choice[] {
  const { profile: person } = user;
  return [
    { label: 'Username', value: person.login },
    { label: 'Name', value: `${person.firstName} ${person.lastName}` },
    { label: 'Email', value: person.email },
    ...(person.mobilePhone ? [{ label: 'Mobile phone', value: person.mobilePhone }] : []),
    ...(user.groupIds.length > 0 ? [{ label: 'Groups', value: user.groupIds.join(', ') }] : []),
    { label: 'Password', value: user.credentials ? 'set by the requester (never shown)' : 'none: Okta emails an activation link' },
  ];
}
