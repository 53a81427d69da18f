import { inspect } from 'node:util';
import { z } from 'zod';

const MASK = '[redacted]';

/**
 * A credential that refuses to be printed: string conversion, JSON, util.inspect and
 * template literals all give a mask. The value leaves only through `reveal()`, so every
 * place that sends a secret over the wire is greppable.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}

/** A required non-empty environment secret. Messages never echo the value. */
export const secret = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, { error: `${what} is required` })
    .transform((value) => new Secret(value));

/** An optional secret: empty or absent both mean "not configured". */
export const optionalSecret = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? new Secret(value) : undefined));

/** An optional key of 32 random bytes in base64 (`openssl rand -base64 32`). Messages never echo it. */
export const optionalKey = (name: string) =>
  optionalSecret().refine((key) => key === undefined || /^[A-Za-z0-9+/]{43}=?$/.test(key.reveal()), {
    error: `${name} must be 32 bytes in base64 (make one with: openssl rand -base64 32)`,
  });

export { MASK as SECRET_MASK };
