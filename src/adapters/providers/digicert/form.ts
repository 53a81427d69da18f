import { fieldFromSchema, integer, list, text } from '../fields.js';
import type { Choice, FieldSpec, FormValues, PersonDetails } from '../types.js';
import { type DigiCertInput, input } from './schema.js';

export const fields: readonly FieldSpec[] = [
  fieldFromSchema(input, 'username', { label: 'Username', kind: 'text', hint: 'Letters, digits and @ - _ + . only.', placeholder: 'jill.valentine' }),
  fieldFromSchema(input, 'first_name', { label: 'First name', kind: 'text' }),
  fieldFromSchema(input, 'last_name', { label: 'Last name', kind: 'text' }),
  fieldFromSchema(input, 'email', { label: 'Email', kind: 'email', placeholder: 'jill@example.com' }),
  fieldFromSchema(input, 'job_title', { label: 'Job title', kind: 'text', hint: 'Needed, with the telephone, for an EV approver.' }),
  fieldFromSchema(input, 'telephone', { label: 'Telephone', kind: 'phone', hint: 'Needed, with the job title, for an EV approver.' }),
  {
    id: 'container',
    label: 'Container',
    kind: 'select',
    optional: false,
    lookup: 'containers',
    hint: 'The division the user is created in. Type its id if the list does not load.',
  },
  {
    id: 'access_roles',
    label: 'Access roles',
    kind: 'multi_select',
    optional: false,
    lookup: 'roles',
    dependsOn: 'container',
    hint: 'Roles available in the chosen container.',
  },
  {
    id: 'container_id_assignments',
    label: 'Containers the user can view',
    kind: 'multi_select',
    optional: true,
    lookup: 'containers',
    hint: 'Leave empty for the user’s own container.',
  },
  {
    id: 'is_saml_sso_only',
    label: 'Sign-in',
    kind: 'checkboxes',
    optional: true,
    options: [{ value: 'true', label: 'SAML SSO only' }],
  },
];

const ids = (values: FormValues, field: string) => list(values, field)?.map((value) => integer(value));

/** Modal values → the documented request shape; zod then judges it. */
export function fromForm(values: FormValues): unknown {
  const container = integer(text(values, 'container'));
  const roles = ids(values, 'access_roles');
  return {
    username: text(values, 'username'),
    first_name: text(values, 'first_name'),
    last_name: text(values, 'last_name'),
    email: text(values, 'email'),
    job_title: text(values, 'job_title'),
    telephone: text(values, 'telephone'),
    container: container === undefined ? undefined : { id: container },
    access_roles: roles?.map((id) => ({ id })) ?? [],
    container_id_assignments: ids(values, 'container_id_assignments'),
    is_saml_sso_only: (list(values, 'is_saml_sso_only') ?? []).includes('true'),
  };
}

export function fromPerson(person: PersonDetails): FormValues {
  return { username: person.username, first_name: person.first_name, last_name: person.last_name, email: person.email };
}

export const fieldOf = (path: readonly PropertyKey[]) => String(path[0] ?? 'username');

export function summary(user: DigiCertInput): Choice[] {
  return [
    { label: 'Username', value: user.username },
    { label: 'Name', value: `${user.first_name} ${user.last_name}` },
    { label: 'Email', value: user.email },
    ...(user.job_title ? [{ label: 'Job title', value: user.job_title }] : []),
    ...(user.telephone ? [{ label: 'Telephone', value: user.telephone }] : []),
    { label: 'Container', value: String(user.container.id) },
    { label: 'Access roles', value: user.access_roles.map((role) => role.id).join(', ') },
    ...(user.container_id_assignments ? [{ label: 'Can view containers', value: user.container_id_assignments.join(', ') }] : []),
    ...(user.is_saml_sso_only ? [{ label: 'Sign-in', value: 'SAML SSO only' }] : []),
  ];
}
