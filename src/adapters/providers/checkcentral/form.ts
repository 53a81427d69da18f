import { fieldFromSchema, list, text } from '../fields.js';
import type { Choice, FieldSpec, FormValues, PersonDetails } from '../types.js';
import { type CheckCentralInput, input, NOTIFICATION_TYPES, SERVICES } from './schema.js';

const ACCESS_LABELS: Record<string, string> = {
  disabled: 'Disabled',
  custom: 'Custom',
  readonly: 'Read only',
  user: 'User',
  editor: 'Editor',
  manager: 'Manager',
  administrator: 'Administrator',
};
const SERVICE_LABELS: Record<string, string> = { email: 'Email', sms: 'SMS', push: 'Push', pushbullet: 'Pushbullet', pushover: 'Pushover' };
const notificationField = (type: string) => `notify_${type}`;

export const fields: readonly FieldSpec[] = [
  fieldFromSchema(input, 'email', { label: 'Email', kind: 'email', placeholder: 'person@example.com' }),
  fieldFromSchema(input, 'name', { label: 'Name', kind: 'text', hint: 'Left empty, CheckCentral uses the email as the name.' }),
  fieldFromSchema(input, 'accessLevel', { label: 'Access level', kind: 'select', labels: ACCESS_LABELS }),
  { id: 'userGroups', label: 'User groups', kind: 'multi_select', optional: true, lookup: 'userGroups', hint: 'Type a group id if the list does not load.' },
  {
    id: 'sendWelcomeEmail',
    label: 'Welcome email',
    kind: 'checkboxes',
    optional: true,
    options: [{ value: 'true', label: 'Send CheckCentral’s introductory email' }],
  },
  ...NOTIFICATION_TYPES.map(
    (type): FieldSpec => ({
      id: notificationField(type),
      label: `Notify about ${type}`,
      kind: 'checkboxes',
      optional: true,
      options: SERVICES.map((service) => ({ value: service, label: SERVICE_LABELS[service] ?? service })),
      hint: type === 'digest' ? 'Services left unticked are disabled for that notification type.' : undefined,
    }),
  ),
];

export function fromForm(values: FormValues): unknown {
  return {
    email: text(values, 'email'),
    accessLevel: text(values, 'accessLevel'),
    name: text(values, 'name'),
    sendWelcomeEmail: (list(values, 'sendWelcomeEmail') ?? []).includes('true'),
    userGroups: list(values, 'userGroups') ?? [],
    // Only types with a ticked service are sent; the rest keep CheckCentral's default.
    notifications: NOTIFICATION_TYPES.flatMap((type) => {
      const services = list(values, notificationField(type));
      return services ? [{ type, services }] : [];
    }),
  };
}

/** CheckCentral has one name field: the person's full name. */
export function fromPerson(person: PersonDetails): FormValues {
  const name = [person.first_name, person.last_name].filter(Boolean).join(' ');
  return { email: person.email, name: name || undefined };
}

export function fieldOf(path: readonly PropertyKey[]): string {
  if (path[0] === 'notifications') return notificationField(NOTIFICATION_TYPES[0]);
  return String(path[0] ?? 'email');
}

export function summary(user: CheckCentralInput): Choice[] {
  return [
    { label: 'Email', value: user.email },
    { label: 'Name', value: user.name ?? user.email },
    { label: 'Access level', value: ACCESS_LABELS[user.accessLevel] ?? user.accessLevel },
    ...(user.userGroups.length > 0 ? [{ label: 'User groups', value: user.userGroups.join(', ') }] : []),
    ...user.notifications.map((entry) => ({ label: `Notify: ${entry.type}`, value: entry.services.join(', ') || 'none' })),
    { label: 'Welcome email', value: user.sendWelcomeEmail ? 'yes' : 'no' },
  ];
}
