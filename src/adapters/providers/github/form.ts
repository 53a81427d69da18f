import { fieldFromSchema, integer, list, text } from '../fields.js';
import type { Choice, FieldSpec, FormValues, PersonDetails } from '../types.js';
import { type GitHubInput, input } from './schema.js';

const ROLE_LABELS: Record<string, string> = {
  direct_member: 'Member',
  admin: 'Owner (admin)',
  billing_manager: 'Billing manager',
  reinstate: 'Reinstate their previous role',
};

export const fields: readonly FieldSpec[] = [
  fieldFromSchema(input, 'email', { label: 'Email', kind: 'email', placeholder: 'person@example.com', hint: 'Or the GitHub user id below: one of the two.' }),
  fieldFromSchema(input, 'invitee_id', {
    label: 'GitHub user id',
    kind: 'text',
    placeholder: '583231',
    hint: 'The numeric id, not the login: api.github.com/users/LOGIN shows it.',
  }),
  fieldFromSchema(input, 'role', { label: 'Role', kind: 'select', labels: ROLE_LABELS }),
  { id: 'team_ids', label: 'Teams', kind: 'multi_select', optional: true, lookup: 'teams', hint: 'Type team ids if the list does not load.' },
];

export function fromForm(values: FormValues): unknown {
  return {
    email: text(values, 'email'),
    invitee_id: integer(text(values, 'invitee_id')),
    role: text(values, 'role'),
    team_ids: list(values, 'team_ids')?.map((value) => integer(value)) ?? [],
  };
}

/** An invitation goes to an email (or a GitHub user id, which only `fields` can give). */
export function fromPerson(person: PersonDetails): FormValues {
  return { email: person.email };
}

export const fieldOf = (path: readonly PropertyKey[]) => String(path[0] ?? 'email');

export const target = (invite: GitHubInput) => invite.email ?? `GitHub user ${invite.invitee_id}`;

export function summary(invite: GitHubInput): Choice[] {
  return [
    invite.email ? { label: 'Email', value: invite.email } : { label: 'GitHub user id', value: String(invite.invitee_id) },
    { label: 'Role', value: ROLE_LABELS[invite.role] ?? invite.role },
    ...(invite.team_ids.length > 0 ? [{ label: 'Teams', value: invite.team_ids.join(', ') }] : []),
  ];
}
