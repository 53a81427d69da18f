import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { CANNOT_DECRYPT, CannotDecrypt, createSecretBox } from '../../src/adapters/store/sealed.js';
import { loadConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';

const key = () => new Secret(randomBytes(32).toString('base64'));
const PASSWORD = 'Typed-Pässword-61x!';

describe('secrets at rest (ADDUSER_SECRET_KEY)', () => {
  test('a sealed value opens to itself, is versioned, and never holds the clear text', () => {
    const box = createSecretBox(key());
    const sealed = box.seal(PASSWORD);
    expect(box.encrypts).toBe(true);
    expect(sealed).toMatch(/^sealed:v1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(PASSWORD);
    expect(Buffer.from(sealed.slice('sealed:v1:'.length), 'base64url').toString('latin1')).not.toContain('Typed');
    expect(box.open(sealed)).toBe(PASSWORD);
  });

  test('each sealing draws a fresh IV: the same password never seals to the same text', () => {
    const box = createSecretBox(key());
    const sealed = new Set(Array.from({ length: 50 }, () => box.seal(PASSWORD)));
    expect(sealed.size).toBe(50);
  });

  test('a tampered value, a wrong key, no key or an unknown version fail with CannotDecrypt', () => {
    const box = createSecretBox(key());
    const sealed = box.seal(PASSWORD);
    const bytes = Buffer.from(sealed.slice('sealed:v1:'.length), 'base64url');
    for (const at of [0, 12, 20, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[at]! ^= 1;
      expect(() => box.open(`sealed:v1:${tampered.toString('base64url')}`)).toThrow(CannotDecrypt);
    }
    expect(() => box.open('sealed:v1:AAAA')).toThrow(CannotDecrypt);
    expect(() => createSecretBox(key()).open(sealed)).toThrow(CANNOT_DECRYPT);
    expect(() => createSecretBox(undefined).open(sealed)).toThrow(CannotDecrypt);
    expect(() => box.open(sealed.replace('sealed:v1:', 'sealed:v2:'))).toThrow(CannotDecrypt);
  });

  test('without a key values are kept as they are, and values stored before a key was set still open', () => {
    const clear = createSecretBox(undefined);
    expect(clear.encrypts).toBe(false);
    expect(clear.seal(PASSWORD)).toBe(PASSWORD);
    expect(clear.open(PASSWORD)).toBe(PASSWORD);
    expect(createSecretBox(key()).open(PASSWORD)).toBe(PASSWORD);
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
