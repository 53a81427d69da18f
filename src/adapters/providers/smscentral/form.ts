import { fieldFromSchema, integer, list, text } from '../fields.js';
import type { Choice, FieldSpec, FormValues, PersonDetails } from '../types.js';
import { input, type SmsCentralInput, USER_LEVELS } from './schema.js';

export const fields: readonly FieldSpec[] = [
  fieldFromSchema(input, 'USERNAME', { label: 'Username', kind: 'text', hint: 'The new user’s SMS Central login.' }),
  {
    ...fieldFromSchema(input, 'PASSWORD', { label: 'Password', kind: 'password' }),
    optional: true,
    generateIfBlank: true,
    hint: 'Leave empty to have a strong one generated and shown once, only to you, after the account is created.',
  },
  fieldFromSchema(input, 'FIRSTNAME', { label: 'First name', kind: 'text' }),
  fieldFromSchema(input, 'LASTNAME', { label: 'Last name', kind: 'text' }),
  fieldFromSchema(input, 'EMAILADDRESS', { label: 'Email', kind: 'email' }),
  fieldFromSchema(input, 'MOBILENUMBER', { label: 'Mobile number', kind: 'phone', placeholder: '+61412345678', hint: 'International format.' }),
  { id: 'ACCOUNTS', label: 'Accounts', kind: 'multi_select', optional: false, lookup: 'accounts', hint: 'Type account ids if they are not listed.' },
  {
    id: 'USERLEVEL',
    label: 'User level',
    kind: 'select',
    optional: false,
    options: Object.entries(USER_LEVELS).map(([value, label]) => ({ value, label: `${label} (${value})` })),
    initial: '3',
    hint: 'Applies to every account chosen above.',
  },
];

export function fromForm(values: FormValues): unknown {
  const level = integer(text(values, 'USERLEVEL'));
  return {
    USERNAME: text(values, 'USERNAME'),
    PASSWORD: typeof values.PASSWORD === 'string' && values.PASSWORD !== '' ? values.PASSWORD : undefined,
    FIRSTNAME: text(values, 'FIRSTNAME'),
    LASTNAME: text(values, 'LASTNAME'),
    EMAILADDRESS: text(values, 'EMAILADDRESS'),
    MOBILENUMBER: text(values, 'MOBILENUMBER'),
    ACCOUNTS: (list(values, 'ACCOUNTS') ?? []).map((id) => ({ ID: integer(id), Userlevel: level })),
  };
}

export function fromPerson(person: PersonDetails): FormValues {
  return { USERNAME: person.username, FIRSTNAME: person.first_name, LASTNAME: person.last_name, EMAILADDRESS: person.email };
}

export function fieldOf(path: readonly PropertyKey[]): string {
  if (path[0] === 'ACCOUNTS' && path[2] === 'Userlevel') return 'USERLEVEL';
  return String(path[0] ?? 'USERNAME');
}

export function summary(user: SmsCentralInput): Choice[] {
  return [
    { label: 'Username', value: user.USERNAME },
    { label: 'Name', value: [user.FIRSTNAME, user.LASTNAME].filter(Boolean).join(' ') },
    ...(user.EMAILADDRESS ? [{ label: 'Email', value: user.EMAILADDRESS }] : []),
    ...(user.MOBILENUMBER ? [{ label: 'Mobile', value: user.MOBILENUMBER }] : []),
    {
      label: 'Accounts',
      value: user.ACCOUNTS.map((account) => `${account.ID} (${USER_LEVELS[account.Userlevel]})`).join(', '),
    },
    { label: 'Password', value: String(user.PASSWORD) },
  ];
}
