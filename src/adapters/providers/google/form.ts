import { fieldFromSchema, list, text } from '../fields.js';
import type { Choice, FieldSpec, FormValues, PersonDetails } from '../types.js';
import { type GoogleInput, input, userName } from './schema.js';

const GENERATED = 'Leave empty to have a strong one generated and shown once, only to you, after the account is created.';

export const fields: readonly FieldSpec[] = [
  fieldFromSchema(input, 'primaryEmail', { label: 'Email', kind: 'email', placeholder: 'liz@example.com', hint: 'The new account’s primary address, in one of your Workspace domains.' }),
  fieldFromSchema(userName, 'givenName', { label: 'First name', kind: 'text' }),
  fieldFromSchema(userName, 'familyName', { label: 'Last name', kind: 'text' }),
  { ...fieldFromSchema(input, 'password', { label: 'Password', kind: 'password' }), optional: true, generateIfBlank: true, hint: GENERATED },
  { id: 'orgUnitPath', label: 'Organizational unit', kind: 'select', optional: true, lookup: 'orgUnits', hint: 'Leave empty for the top-level unit. If the list does not load, type a unit’s path, e.g. Engineering.' },
  // Google's default is false; a password passed on by someone else is better replaced at once.
  { id: 'changePasswordAtNextLogin', label: 'First sign-in', kind: 'checkboxes', optional: true, options: [{ value: 'true', label: 'Ask for a new password at first sign-in' }], initial: ['true'] },
];

export function fromForm(values: FormValues): unknown {
  return {
    primaryEmail: text(values, 'primaryEmail'),
    name: { givenName: text(values, 'givenName'), familyName: text(values, 'familyName') },
    password: typeof values.password === 'string' && values.password !== '' ? values.password : undefined,
    // A typed fallback cannot hold the leading slash (the modal offers letters, digits and . @ + - _ only).
    orgUnitPath: text(values, 'orgUnitPath')?.replace(/^(?!\/)/, '/'),
    // Unticked in the form is an empty list; absent (a CSV, preset or workflow that does not say) takes the schema's default.
    changePasswordAtNextLogin: values.changePasswordAtNextLogin === undefined ? undefined : (list(values, 'changePasswordAtNextLogin') ?? []).includes('true'),
  };
}

export const fromPerson = (person: PersonDetails): FormValues => ({ primaryEmail: person.email, givenName: person.first_name, familyName: person.last_name });

/** Name issues sit under `name`; the form has a field for each part. */
export const fieldOf = (path: readonly PropertyKey[]) => String((path[0] === 'name' ? path[1] : path[0]) ?? 'primaryEmail');

export const summary = (user: GoogleInput): Choice[] => [
  { label: 'Email', value: user.primaryEmail },
  { label: 'Name', value: `${user.name.givenName} ${user.name.familyName}` },
  { label: 'Organizational unit', value: user.orgUnitPath ?? '/ (top level)' },
  { label: 'Password', value: String(user.password) },
  { label: 'New password at first sign-in', value: user.changePasswordAtNextLogin ? 'yes' : 'no' },
];
