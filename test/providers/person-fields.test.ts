import { describe, expect, test } from 'vitest';
import { providers } from '../../src/adapters/providers/registry.js';

/**
 * The workflow step asks for a person once (email, first and last name, username) and each
 * provider names those details its own way: every name must be one of its own form fields,
 * or the detail would be dropped without a word.
 */
const person = { email: 'jill@example.com', first_name: 'Jill', last_name: 'Valentine', username: 'jvalentine' };

describe('person details → each provider’s own fields', () => {
  test.each(providers.map((provider) => [provider.id, provider] as const))('%s: only its own field ids, each holding the person’s details', (_id, provider) => {
    const values = provider.fromPerson(person);
    const ids = new Set(provider.fields.map((field) => field.id));
    const given = Object.entries(values).filter(([, value]) => value !== undefined);
    expect(given.length).toBeGreaterThan(0);
    for (const [key, value] of given) {
      expect(ids.has(key), `${key} is not a ${provider.id} field`).toBe(true);
      // A full name is the two names joined (CheckCentral's `name`).
      for (const part of String(value).split(' ')) expect(Object.values(person)).toContain(part);
    }
    expect(Object.values(values)).toContain(person.email);
  });

  test('the names each new provider uses', () => {
    const byId = Object.fromEntries(providers.map((provider) => [provider.id, provider.fromPerson(person)]));
    expect(byId.okta).toEqual({ firstName: 'Jill', lastName: 'Valentine', email: 'jill@example.com', login: 'jvalentine' });
    expect(byId.google).toEqual({ primaryEmail: 'jill@example.com', givenName: 'Jill', familyName: 'Valentine' });
    expect(byId.github).toEqual({ email: 'jill@example.com' });
  });
});
