import { z } from 'zod';

/**
 * Every provider answer maps into one of these classes (shared/providers/NOTES.md). The
 * class, not the provider, decides what the lifecycle does next: only `unavailable` and a
 * `rate_limited` with a wait were certainly not acted on by the provider.
 */
export const outcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('created'),
    providerUserId: z.string().min(1),
    /** The provider sent an invitation the person must accept (GitHub): the id is the invitation's, and no account exists until then. */
    invited: z.literal(true).optional(),
    /** What failed after the account was made (a group the service would not join), each naming its object. */
    warnings: z.array(z.string()).min(1).optional(),
  }),
  z.object({ kind: z.literal('already_exists'), message: z.string(), status: z.number().optional() }),
  z.object({ kind: z.literal('rejected'), message: z.string(), status: z.number().optional() }),
  z.object({ kind: z.literal('auth'), message: z.string(), status: z.number().optional() }),
  z.object({
    kind: z.literal('rate_limited'),
    message: z.string(),
    status: z.number().optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
  }),
  z.object({ kind: z.literal('unavailable'), message: z.string() }),
  z.object({ kind: z.literal('unknown'), message: z.string(), status: z.number().optional() }),
  z.object({ kind: z.literal('dry_run'), message: z.string() }),
]);

export type Outcome = z.infer<typeof outcomeSchema>;
export type OutcomeKind = Outcome['kind'];

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The class an HTTP status implies when the body said nothing more specific. A 5xx on a
 * create is `unknown`: the provider may have committed the user before failing.
 */
export function outcomeForStatus(
  status: number,
  message: string,
  retryAfter?: string,
): Exclude<Outcome, { kind: 'created' | 'dry_run' | 'unavailable' }> {
  if (status === 401 || status === 403) return { kind: 'auth', message, status };
  if (status === 409) return { kind: 'already_exists', message, status };
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(retryAfter);
    return retryAfterSeconds === undefined
      ? { kind: 'rate_limited', message, status }
      : { kind: 'rate_limited', message, status, retryAfterSeconds };
  }
  if (status >= 500) return { kind: 'unknown', message, status };
  return { kind: 'rejected', message, status };
}

/** A header holding a whole number of zero or more, else undefined. */
export const headerInteger = (value: string | undefined) => (value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined);

/**
 * The rate budget an answer's headers report (calls left; the reset in epoch seconds), for a
 * provider's `budget`. A reset further out than the provider's window is not trusted beyond
 * it: a wrong clock must not park every create for hours.
 */
export function budgetFromHeaders(
  headers: Record<string, string>,
  names: { remaining: string; reset: string },
  windowMs: number,
  now = Date.now(),
): { remaining: number; resetAt: number } | undefined {
  const remaining = headerInteger(headers[names.remaining]);
  const reset = headerInteger(headers[names.reset]);
  if (remaining === undefined || reset === undefined) return undefined;
  return { remaining, resetAt: Math.min(reset * 1000, now + windowMs) };
}

/** Parses a body as JSON, or gives undefined for HTML error pages, empty bodies and other garbage. */
export function parseJsonBody(body: string): unknown {
  if (!body.trim()) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** A short, single-line excerpt of a body that was not what the provider documents. */
export function describeUnexpectedBody(status: number, body: string): string {
  const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  if (!text) return `HTTP ${status} with an empty body`;
  return `HTTP ${status}: unexpected response: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}
