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

export { MASK as SECRET_MASK };
