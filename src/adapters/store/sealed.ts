import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Secret } from '../../config/secret.js';

export const CANNOT_DECRYPT = 'cannot decrypt — was ADDUSER_SECRET_KEY changed?';
export const NOT_SEALED = 'kept unencrypted although ADDUSER_SECRET_KEY is set, so it is not used (npm run audit -- seal encrypts what an older version kept)';
export const NOT_BOUND = 'encrypted by an older version without its place in the store, so it is not used (npm run audit -- seal binds it)';

/** A kept value this process will not use: another key, altered or moved bytes, or (with a key) a value never sealed or sealed unbound. */
export class CannotDecrypt extends Error {
  constructor(message = CANNOT_DECRYPT) {
    super(message);
    this.name = 'CannotDecrypt';
  }
}

/**
 * Protects secrets the store must keep for a while (a typed password until the create call,
 * a generated one until it is shown, a workflow step's token until the step completes). Each
 * value is bound to its `place` (its store key and field, as AES-GCM associated data), so a
 * value copied to another request or key does not open there. With a key, only values sealed
 * and bound under it open: a clear one could have been written by anyone with the store.
 */
export interface SecretBox {
  /** False without ADDUSER_SECRET_KEY: values are then kept as they are. */
  readonly encrypts: boolean;
  seal(value: string, place: string): string;
  /** Throws CannotDecrypt when the value does not open at `place` with this key (or, with a key, was never sealed there). */
  open(value: string, place: string): string;
  /**
   * `npm run audit -- seal`: the value sealed and bound at `place`, when an older version kept it
   * clear or sealed it unbound (`was` says which); undefined when it already is (or is empty).
   * Throws CannotDecrypt when this key cannot open it.
   */
  upgrade(value: string, place: string): { value: string; was: 'clear' | 'unbound' } | undefined;
}

// A version names the whole format (algorithm, IV and tag sizes, encoding, associated data).
const BOUND = 'sealed:v2:';
/** The format before values were bound to their place: the same, without associated data. */
const UNBOUND = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const isSealed = (value: string) => /^sealed:v\d+:/.test(value);

function decrypt(key: Buffer, packed: Buffer, place: string | undefined): string {
  if (packed.length < IV_BYTES + TAG_BYTES) throw new CannotDecrypt();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, IV_BYTES));
    if (place !== undefined) decipher.setAAD(Buffer.from(place, 'utf8'));
    decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new CannotDecrypt();
  }
}

export function createSecretBox(key: Secret | undefined): SecretBox {
  const bytes = key && Buffer.from(key.reveal(), 'base64');
  const unpack = (value: string, prefix: string) => Buffer.from(value.slice(prefix.length), 'base64url');

  function seal(value: string, place: string): string {
    if (!bytes) return value;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', bytes, iv).setAAD(Buffer.from(place, 'utf8'));
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return `${BOUND}${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
  }

  function open(value: string, place: string): string {
    if (value === '') return value;
    if (!bytes) {
      if (isSealed(value)) throw new CannotDecrypt();
      return value;
    }
    if (value.startsWith(BOUND)) return decrypt(bytes, unpack(value, BOUND), place);
    if (value.startsWith(UNBOUND)) throw new CannotDecrypt(NOT_BOUND);
    throw new CannotDecrypt(isSealed(value) ? CANNOT_DECRYPT : NOT_SEALED);
  }

  function upgrade(value: string, place: string): ReturnType<SecretBox['upgrade']> {
    if (!bytes || value === '') return undefined;
    if (value.startsWith(BOUND)) {
      open(value, place);
      return undefined;
    }
    if (value.startsWith(UNBOUND)) return { value: seal(decrypt(bytes, unpack(value, UNBOUND), undefined), place), was: 'unbound' };
    if (isSealed(value)) throw new CannotDecrypt();
    return { value: seal(value, place), was: 'clear' };
  }

  return { encrypts: bytes !== undefined, seal, open, upgrade };
}
