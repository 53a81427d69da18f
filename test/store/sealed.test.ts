import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { CANNOT_DECRYPT, CannotDecrypt, createSecretBox, NOT_BOUND, NOT_SEALED } from '../../src/adapters/store/sealed.js';
import { loadConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { legacySeal } from '../support/legacy-seal.js';

const key = () => new Secret(randomBytes(32).toString('base64'));
const PASSWORD = 'Typed-Pässword-61x!';


describe('secrets at rest (ADDUSER_SECRET_KEY)', () => {
  const PLACE = 'request:AR-1#form.PASSWORD';

  test('a sealed value opens to itself at its place, is versioned, and never holds the clear text', () => {
    const box = createSecretBox(key());
    const sealed = box.seal(PASSWORD, PLACE);
    expect(box.encrypts).toBe(true);
    expect(sealed).toMatch(/^sealed:v2:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(PASSWORD);
    expect(Buffer.from(sealed.slice('sealed:v2:'.length), 'base64url').toString('latin1')).not.toContain('Typed');
    expect(box.open(sealed, PLACE)).toBe(PASSWORD);
  });

  test('each sealing draws a fresh IV: the same password never seals to the same text', () => {
    const box = createSecretBox(key());
    const sealed = new Set(Array.from({ length: 50 }, () => box.seal(PASSWORD, PLACE)));
    expect(sealed.size).toBe(50);
  });

  test('a tampered value, a wrong key, no key or an unknown version fail with CannotDecrypt', () => {
    const box = createSecretBox(key());
    const sealed = box.seal(PASSWORD, PLACE);
    const bytes = Buffer.from(sealed.slice('sealed:v2:'.length), 'base64url');
    for (const at of [0, 12, 20, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[at]! ^= 1;
      expect(() => box.open(`sealed:v2:${tampered.toString('base64url')}`, PLACE)).toThrow(CannotDecrypt);
    }
    expect(() => box.open('sealed:v2:AAAA', PLACE)).toThrow(CannotDecrypt);
    expect(() => createSecretBox(key()).open(sealed, PLACE)).toThrow(CANNOT_DECRYPT);
    expect(() => createSecretBox(undefined).open(sealed, PLACE)).toThrow(CannotDecrypt);
    expect(() => box.open(sealed.replace('sealed:v2:', 'sealed:v3:'), PLACE)).toThrow(CANNOT_DECRYPT);
  });

  test('a sealed value copied to another place (another request, field or key) does not open there', () => {
    const box = createSecretBox(key());
    const sealed = box.seal(PASSWORD, PLACE);
    for (const elsewhere of ['request:AR-2#form.PASSWORD', 'request:AR-1#form.password', 'request:AR-1:reveal', 'slack:function-token:Fx1']) {
      expect(() => box.open(sealed, elsewhere)).toThrow(CANNOT_DECRYPT);
    }
  });

  test('with a key, a clear value or one sealed unbound by an older version is refused, never used; without a key clear values are kept as they are', () => {
    const secret = key();
    const box = createSecretBox(secret);
    expect(() => box.open(PASSWORD, PLACE)).toThrow(new CannotDecrypt(NOT_SEALED));
    expect(() => box.open(legacySeal(secret.reveal(), PASSWORD), PLACE)).toThrow(new CannotDecrypt(NOT_BOUND));
    expect(NOT_SEALED).toContain('npm run audit -- seal');
    expect(box.open('', PLACE)).toBe('');
    const clear = createSecretBox(undefined);
    expect(clear.encrypts).toBe(false);
    expect(clear.seal(PASSWORD, PLACE)).toBe(PASSWORD);
    expect(clear.open(PASSWORD, PLACE)).toBe(PASSWORD);
  });

  test('upgrade seals a clear value, binds an unbound one, leaves a bound one alone, and refuses what this key cannot open', () => {
    const secret = key();
    const box = createSecretBox(secret);
    for (const [old, was] of [[PASSWORD, 'clear'], [legacySeal(secret.reveal(), PASSWORD), 'unbound']] as const) {
      const upgraded = box.upgrade(old, PLACE)!;
      expect(upgraded.was).toBe(was);
      expect(upgraded.value).toMatch(/^sealed:v2:/);
      expect(box.open(upgraded.value, PLACE)).toBe(PASSWORD);
      expect(box.upgrade(upgraded.value, PLACE)).toBeUndefined();
    }
    expect(box.upgrade('', PLACE)).toBeUndefined();
    expect(() => box.upgrade(createSecretBox(key()).seal(PASSWORD, PLACE), PLACE)).toThrow(CannotDecrypt);
    expect(() => box.upgrade(legacySeal(key().reveal(), PASSWORD), PLACE)).toThrow(CannotDecrypt);
    expect(createSecretBox(undefined).upgrade(PASSWORD, PLACE)).toBeUndefined();
  });

  test('ADDUSER_AUDIT_KEY takes 32 bytes of base64 too, and not the same key as ADDUSER_SECRET_KEY', () => {
    const base = { SLACK_BOT_TOKEN: 'xoxb-config-test', SLACK_SIGNING_SECRET: 'sealed-config-signing' };
    const one = randomBytes(32).toString('base64');
    const loaded = loadConfig({ ...base, ADDUSER_SECRET_KEY: one, ADDUSER_AUDIT_KEY: randomBytes(32).toString('base64') });
    expect(loaded.ok && loaded.config.audit.key instanceof Secret).toBe(true);
    const same = loadConfig({ ...base, ADDUSER_SECRET_KEY: one, ADDUSER_AUDIT_KEY: one });
    expect(same.ok).toBe(false);
    expect(!same.ok && same.message).toContain('ADDUSER_AUDIT_KEY must be another key than ADDUSER_SECRET_KEY');
    const short = loadConfig({ ...base, ADDUSER_AUDIT_KEY: 'c2hvcnQ=' });
    expect(!short.ok && short.message).toContain('ADDUSER_AUDIT_KEY must be 32 bytes in base64');
    for (const refused of [same, short]) expect(!refused.ok && refused.message).not.toContain(one);
  });

  test('the configuration takes 32 bytes of base64 and names the variable otherwise, never echoing it', () => {
    const base = { SLACK_BOT_TOKEN: 'xoxb-config-test', SLACK_SIGNING_SECRET: 'sealed-config-signing' };
    const good = randomBytes(32).toString('base64');
    const loaded = loadConfig({ ...base, ADDUSER_SECRET_KEY: good });
    expect(loaded.ok && loaded.config.secretKey?.reveal()).toBe(good);
    const unset = loadConfig(base);
    expect(unset.ok && unset.config.secretKey).toBeUndefined();
    for (const bad of [randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), 'not base64 at all, but long enough to be 44!']) {
      const refused = loadConfig({ ...base, ADDUSER_SECRET_KEY: bad });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.message).toContain('ADDUSER_SECRET_KEY must be 32 bytes in base64');
        expect(refused.message).not.toContain(bad);
      }
    }
  });
});
