import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Secret } from '../../config/secret.js';

export const CANNOT_DECRYPT = 'cannot decrypt — was ADDUSER_SECRET_KEY changed?';

/** A sealed value that this process cannot open: another key, no key, or altered bytes. */
export class CannotDecrypt extends Error {
  constructor() {
    super(CANNOT_DECRYPT);
    this.name = 'CannotDecrypt';
  }
}

/**
 * Protects secrets the store must keep for a while (a typed password until the create call,
 * a generated one until it is shown). Values that were never sealed open as they are, so a
 * key can be added to a running installation without stranding what is already stored.
 */
export interface SecretBox {
  /** False without ADDUSER_SECRET_KEY: values are then kept as they are. */
  readonly encrypts: boolean;
  seal(value: string): string;
  /** Throws CannotDecrypt when the value was sealed and this key cannot open it. */
  open(value: string): string;
}

// The version names the whole format (algorithm, IV and tag sizes, encoding), so it can change later.
const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const isSealed = (value: string) => /^sealed:v\d+:/.test(value);

export function createSecretBox(key: Secret | undefined): SecretBox {
  const bytes = key && Buffer.from(key.reveal(), 'base64');
  return {
    encrypts: bytes !== undefined,
    seal(value) {
      if (!bytes) return value;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', bytes, iv);
      const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
    },
    open(value) {
      if (!isSealed(value)) return value;
      if (!bytes || !value.startsWith(PREFIX)) throw new CannotDecrypt();
      const packed = Buffer.from(value.slice(PREFIX.length), 'base64url');
      if (packed.length < IV_BYTES + TAG_BYTES) throw new CannotDecrypt();
      try {
        const decipher = createDecipheriv('aes-256-gcm', bytes, packed.subarray(0, IV_BYTES));
        decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new CannotDecrypt();
      }
    },
  };
}
