import { describe, expect, test } from 'vitest';
import { providers } from '../../src/adapters/providers/registry.js';
import type { AnyProvider, FormValues } from '../../src/adapters/providers/types.js';

/**
 * SPEC §6: the policy judges what the provider will receive. Per provider, a form as people
 * fill it in, then the addresses mail may go to (every one, a login too where it is an
 * address) and the privilege-bearing values as the provider receives them (defaults applied).
 */
const parse = (provider: AnyProvider, form: FormValues) => {
  const parsed = provider.input.safeParse(provider.fromForm(form));
  if (!parsed.success) throw new Error(`${provider.id}: ${parsed.error.message}`);
  return parsed.data as unknown;
};

const byId = (id: string) => providers.find((provider) => provider.id === id)!;

const cases: [id: string, form: FormValues, recipients: string[], privileges: Record<string, string[]>][] = [
  ['checkcentral', { email: 'new@example.com', accessLevel: 'Administrator', userGroups: ['5', '7'] }, ['new@example.com'], { accessLevel: ['administrator'], userGroups: ['5', '7'] }],
  ['checkcentral', { email: 'new@example.com', accessLevel: 'readonly' }, ['new@example.com'], { accessLevel: ['readonly'], userGroups: [] }],
  // The login is an address too: mail about the account may go there.
  ['smscentral', { USERNAME: 'alice.new@example.com', PASSWORD: 'a-Long-passw0rd', FIRSTNAME: 'Alice', EMAILADDRESS: 'mallory@evil.example', ACCOUNTS: ['12345', '678'], USERLEVEL: '1' }, ['mallory@evil.example', 'alice.new@example.com'], { ACCOUNTS: ['12345', '678'], USERLEVEL: ['1'] }],
  ['smscentral', { USERNAME: 'alice', PASSWORD: 'a-Long-passw0rd', FIRSTNAME: 'Alice', ACCOUNTS: ['12345'], USERLEVEL: '3' }, [], { ACCOUNTS: ['12345'], USERLEVEL: ['3'] }],
  ['digicert', { username: 'jill', first_name: 'Jill', last_name: 'V', email: 'jill@example.com', container: '5', access_roles: ['1', '3'], container_id_assignments: ['9'] }, ['jill@example.com'], { container: ['5'], access_roles: ['1', '3'], container_id_assignments: ['9'] }],
  ['digicert', { username: 'jill@evil.example', first_name: 'Jill', last_name: 'V', email: 'jill@example.com', container: '5', access_roles: ['1'] }, ['jill@example.com', 'jill@evil.example'], { container: ['5'], access_roles: ['1'], container_id_assignments: [] }],
  // No password: Okta mails the activation link to `email`, whatever the login says.
  ['okta', { firstName: 'Alice', lastName: 'New', email: 'mallory@evil.example', login: 'alice.new@example.com', groupIds: ['00g1'] }, ['mallory@evil.example', 'alice.new@example.com'], { groupIds: ['00g1'] }],
  ['okta', { firstName: 'Alice', lastName: 'New', email: 'alice@example.com', login: 'alice.new' }, ['alice@example.com'], { groupIds: [] }],
  ['google', { primaryEmail: 'ann@example.com', givenName: 'Ann', familyName: 'Lee', password: 'a-Long-passw0rd', orgUnitPath: '/Admins' }, ['ann@example.com'], { orgUnitPath: ['/Admins'] }],
  ['google', { primaryEmail: 'ann@example.com', givenName: 'Ann', familyName: 'Lee', password: 'a-Long-passw0rd' }, ['ann@example.com'], { orgUnitPath: ['/'] }],
  // The default role is what GitHub receives when none is given.
  ['github', { email: 'sneaky@example.com' }, ['sneaky@example.com'], { role: ['direct_member'], team_ids: [] }],
  ['github', { email: 'sneaky@example.com', role: 'admin', team_ids: ['42'] }, ['sneaky@example.com'], { role: ['admin'], team_ids: ['42'] }],
  ['github', { invitee_id: '1234' }, [], { role: ['direct_member'], team_ids: [] }],
];

describe('what the policy judges, per provider', () => {
  test.each(cases)('%s: %j', (id, form, recipients, privileges) => {
    const provider = byId(id);
    const input = parse(provider, form);
    expect(provider.recipients(input)).toEqual(recipients);
    expect(provider.privileges(input)).toEqual(privileges);
  });

  test.each(providers.map((provider) => [provider.id, provider] as const))('%s declares form fields only, and every privilege field it reports', (_id, provider) => {
    const ids = provider.fields.map((field) => field.id);
    for (const id of [...provider.mailFields, ...provider.privilegeFields]) expect(ids).toContain(id);
    const reported = cases.filter(([id]) => id === provider.id).flatMap(([, form]) => Object.keys(provider.privileges(parse(provider, form))));
    expect(reported.length).toBeGreaterThan(0);
    for (const field of reported) expect(provider.privilegeFields).toContain(field);
  });
});
