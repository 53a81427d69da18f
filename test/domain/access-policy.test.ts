import { describe, expect, test } from 'vitest';
import { type AccessPolicy, policyFor, type ProviderPolicy } from '../../src/domain/policy/model.js';
import { admit, escalationDueAt, mayAsk, normalDomain, ruleMismatch } from '../../src/domain/policy/admission.js';

const groups: Record<string, string[]> = { S0STAFF: ['U0ANN', 'U0BOB'], S0PKI: ['U0PKI1', 'U0PKI2'], S0EMPTY: [] };
const directory = { groupMembers: async (group: string) => groups[group] ?? [] };

const base: ProviderPolicy = { requiredApprovals: 1, ttlMs: 72 * 3_600_000, autoApprove: [] };
const staffReadOnly = {
  name: 'read-only for staff',
  requesterIn: { users: [], groups: ['S0STAFF'] },
  fields: { accessLevel: ['readonly', 'disabled'] },
  emailDomains: ['example.com'],
};

describe('who may ask', () => {
  test.each([
    ['no requesters list: everyone', undefined, 'U0ZED', true],
    ['listed user', { users: ['U0ZED'], groups: [] }, 'U0ZED', true],
    ['member of a listed group', { users: [], groups: ['S0STAFF'] }, 'U0BOB', true],
    ['neither', { users: ['U0ANN'], groups: ['S0PKI'] }, 'U0ZED', false],
    ['an empty group admits nobody', { users: [], groups: ['S0EMPTY'] }, 'U0ANN', false],
  ])('%s', async (_name, requesters, user, allowed) => {
    const verdict = await mayAsk({ ...base, requesters }, directory, user, 'DigiCert');
    expect(verdict.ok).toBe(allowed);
    if (!verdict.ok) expect(verdict.why).toContain('may ask for DigiCert accounts');
  });
});

describe('auto-approval rules', () => {
  const input = { requester: 'U0ANN', fields: { accessLevel: 'readonly', email: 'new@example.com' }, recipients: ['new@Example.COM'] };

  test.each([
    ['every condition holds', input, undefined],
    ['a value outside the list', { ...input, fields: { accessLevel: 'administrator' } }, 'accessLevel is administrator, not one of readonly, disabled'],
    ['the field left empty', { ...input, fields: {} }, 'accessLevel is empty'],
    ['a multi-value field with one value outside', { ...input, fields: { accessLevel: ['readonly', 'user'] } }, 'accessLevel is user, not one of readonly, disabled'],
    ['another email domain', { ...input, recipients: ['new@evil.example'] }, 'new@evil.example is not at example.com'],
    ['a look-alike subdomain', { ...input, recipients: ['new@example.com.evil.io'] }, 'new@example.com.evil.io is not at example.com'],
    ['a look-alike suffix', { ...input, recipients: ['new@evil-example.com'] }, 'new@evil-example.com is not at example.com'],
    ['a subdomain of an allowed domain', { ...input, recipients: ['new@mail.example.com'] }, 'new@mail.example.com is not at example.com'],
    ['one allowed address and one outside: every address counts', { ...input, recipients: ['alice@example.com', 'mallory@evil.example'] }, 'mallory@evil.example is not at example.com'],
    ['no address at all', { ...input, recipients: [] }, 'the account has no email address to judge'],
    ['nothing before the @', { ...input, recipients: ['@example.com'] }, '@example.com is not at example.com'],
    ['a trailing dot is the same domain', { ...input, recipients: ['new@example.com.'] }, undefined],
    ['a requester outside the groups', { ...input, requester: 'U0ZED' }, "the requester is not in the rule's users or groups"],
  ])('%s', async (_name, candidate, why) => {
    expect(await ruleMismatch(staffReadOnly, directory, candidate)).toBe(why);
  });

  test('several allowed domains are named with "or"', async () => {
    const rule = { ...staffReadOnly, emailDomains: ['example.com', 'example.org'] };
    expect(await ruleMismatch(rule, directory, { ...input, recipients: ['new@evil.example'] })).toBe('new@evil.example is not at example.com or example.org');
    expect(await ruleMismatch(rule, directory, { ...input, recipients: ['new@EXAMPLE.org', 'two@example.com'] })).toBeUndefined();
  });

  test('domains compare in IDNA form: a Unicode address matches its xn-- domain, a homograph does not', async () => {
    const rule = { ...staffReadOnly, emailDomains: [normalDomain('bücher.example')!] };
    expect(rule.emailDomains).toEqual(['xn--bcher-kva.example']);
    expect(await ruleMismatch(rule, directory, { ...input, recipients: ['anna@BÜCHER.example'] })).toBeUndefined();
    expect(await ruleMismatch(rule, directory, { ...input, recipients: ['anna@xn--bcher-kva.example'] })).toBeUndefined();
    // A Cyrillic "е" in place of the Latin "e".
    expect(await ruleMismatch({ ...staffReadOnly }, directory, { ...input, recipients: ['anna@\u0435xample.com'] })).toMatch(/is not at example\.com/);
  });

  test('a privileged value is never approved by a rule, whatever its conditions', async () => {
    const rules: ProviderPolicy = {
      ...base,
      autoApprove: [{ name: 'staff', fields: { accessLevel: ['readonly', 'administrator'] } }],
      privileged: { values: { accessLevel: ['administrator'] }, requiredApprovals: 2, inBulk: 'allow' },
    };
    expect(await admit(rules, directory, input, 'CheckCentral')).toMatchObject({ kind: 'auto' });
    expect(await admit(rules, directory, { ...input, fields: { accessLevel: 'administrator' } }, 'CheckCentral')).toEqual({
      kind: 'approval',
      misses: [{ rule: 'staff', why: 'accessLevel administrator is privileged: people approve it' }],
    });
  });

  test('the first matching rule in file order approves; misses say why', async () => {
    const rules: ProviderPolicy = {
      ...base,
      autoApprove: [
        { name: 'disabled only', fields: { accessLevel: ['disabled'] } },
        { name: 'readonly', fields: { accessLevel: ['readonly'] } },
        { name: 'readonly again', fields: { accessLevel: ['readonly'] } },
      ],
    };
    expect(await admit(rules, directory, input, 'CheckCentral')).toEqual({ kind: 'auto', rule: rules.autoApprove[1] });
    expect(await admit(rules, directory, { ...input, fields: { accessLevel: 'user' } }, 'CheckCentral')).toEqual({
      kind: 'approval',
      misses: [
        { rule: 'disabled only', why: 'accessLevel is user, not one of disabled' },
        { rule: 'readonly', why: 'accessLevel is user, not one of readonly' },
        { rule: 'readonly again', why: 'accessLevel is user, not one of readonly' },
      ],
    });
  });

  test('a refused requester is refused before any rule is looked at', async () => {
    const rules: ProviderPolicy = { ...base, requesters: { users: ['U0BOB'], groups: [] }, autoApprove: [staffReadOnly] };
    expect(await admit(rules, directory, input, 'CheckCentral')).toMatchObject({ kind: 'refused' });
  });
});

describe('escalation timing and policy lookup', () => {
  test('due `after` past creation, only when the provider escalates', () => {
    const rules: ProviderPolicy = { ...base, escalate: { afterMs: 8 * 3_600_000, to: { users: ['U0CISO'], groups: [] } } };
    expect(escalationDueAt(rules, '2026-12-01T00:00:00.000Z')).toBe(Date.parse('2026-12-01T08:00:00.000Z'));
    expect(escalationDueAt(base, '2026-12-01T00:00:00.000Z')).toBeUndefined();
  });

  test("a provider without its own section gets the defaults", () => {
    const digicert: ProviderPolicy = { ...base, requiredApprovals: 2 };
    const policy: AccessPolicy = { source: 'file', defaults: base, providers: { digicert }, presets: {} };
    expect(policyFor(policy, 'digicert')).toBe(digicert);
    expect(policyFor(policy, 'okta')).toBe(base);
  });
});
