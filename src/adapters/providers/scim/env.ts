import { z } from 'zod';
import { parseDuration } from '../../../config/duration.js';
import { optionalSecret } from '../../../config/secret.js';
import { serviceUrl } from '../../../config/url.js';

/** One instance's variables (SPEC §12): `<NAME>` in lower case is its provider id. */
export interface ScimVariables {
  url: string;
  token: string;
  label: string;
  rateLimit: string;
}

export const variablesOf = (name: string): ScimVariables => ({
  url: `SCIM_${name}_URL`,
  token: `SCIM_${name}_TOKEN`,
  label: `SCIM_${name}_LABEL`,
  rateLimit: `SCIM_${name}_RATE_LIMIT`,
});

/** The variables as the documentation names them. */
export const SCIM_VARIABLES: readonly string[] = Object.values(variablesOf('<NAME>'));

const WINDOW = /^(\d+)\s*\/\s*(\w+)$/;

/** "100/1m" or "10/1s,1000/1h": the calls the service allows per window, as the limiter keeps them. */
export const rateLimit = (variable: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined;
      const windows = value.split(',').map((part) => {
        const [, limit, span] = WINDOW.exec(part.trim()) ?? [];
        const perMs = span === undefined ? undefined : parseDuration(span);
        return perMs === undefined || !(Number(limit) > 0) ? undefined : { limit: Number(limit), perMs };
      });
      if (windows.every((window) => window !== undefined)) return windows;
      ctx.addIssue({ code: 'custom', message: `${variable} takes calls per time span, comma-separated, like 100/1m or 10/1s,1000/1h` });
      return z.NEVER;
    });

export const envShape = (variables: ScimVariables) => ({
  [variables.url]: serviceUrl(variables.url, 'https://api.example.com/scim/v2'),
  [variables.token]: optionalSecret(),
  [variables.label]: z.string().trim().min(1).max(50, { error: `${variables.label} can be at most 50 characters (it is shown in Slack's selects)` }).optional(),
  [variables.rateLimit]: rateLimit(variables.rateLimit),
});
