import type { WireRequest, WireResponse } from '../../http/types.js';
import { describeUnexpectedBody, type Outcome, outcomeForStatus, parseJsonBody } from '../outcome.js';
import { credential } from '../render.js';
import type { Reveal } from '../types.js';
import type { SmsCentralInput } from './schema.js';
import type { SmsCentralSettings } from './settings.js';

/**
 * The USER JSON string. The documentation writes ACCOUNTS as an object with repeated
 * `account` keys, which is not valid JSON; a JSON array of {ID, Userlevel} is what can be
 * sent, and this is the one place that decides it.
 */
function userJson(input: SmsCentralInput, reveal: Reveal): string {
  return JSON.stringify({
    USERNAME: input.USERNAME,
    PASSWORD: reveal(input.PASSWORD),
    FIRSTNAME: input.FIRSTNAME,
    ...(input.LASTNAME && { LASTNAME: input.LASTNAME }),
    ...(input.EMAILADDRESS && { EMAILADDRESS: input.EMAILADDRESS }),
    ...(input.MOBILENUMBER && { MOBILENUMBER: input.MOBILENUMBER }),
    ACCOUNTS: input.ACCOUNTS.map((account) => ({ ID: account.ID, Userlevel: account.Userlevel })),
  });
}

/** POST {base}/user/create, form-encoded: the account owner's USERNAME and PASSWORD, and USER as JSON. */
export function buildCreate(input: SmsCentralInput, settings: SmsCentralSettings, reveal: Reveal): WireRequest {
  const form = new URLSearchParams({
    USERNAME: settings.username ?? '',
    PASSWORD: credential(settings.password, reveal),
    USER: userJson(input, reveal),
  });
  return {
    method: 'POST',
    url: `${settings.baseUrl}/user/create`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  };
}

type CreateOutcome = Exclude<Outcome, { kind: 'dry_run' | 'unavailable' }>;

/** Success {"user":{"username","ID"}}; failure {"error":{"errorcode","errordescription"}}, often with HTTP 200. */
export function parseCreate(response: WireResponse): CreateOutcome {
  const { status, body: text } = response;
  const body = parseJsonBody(text) as { user?: { ID?: unknown }; error?: { errorcode?: unknown; errordescription?: unknown } } | undefined;
  if (body?.error) {
    const description = String(body.error.errordescription ?? 'error');
    const message = body.error.errorcode === undefined ? description : `${description} (error ${String(body.error.errorcode)})`;
    if (/already exists|already in use|taken/i.test(description)) return { kind: 'already_exists', message, status };
    // The account owner's login failing, not a rule about the new user's password.
    if (status === 401 || status === 403 || /invalid (username or password|credentials|login)|authenticat/i.test(description)) {
      return { kind: 'auth', message, status };
    }
    return status >= 200 && status < 300 ? { kind: 'rejected', message, status } : outcomeForStatus(status, message, response.headers['retry-after']);
  }
  if (status < 200 || status >= 300) return outcomeForStatus(status, describeUnexpectedBody(status, text), response.headers['retry-after']);
  const id = body?.user?.ID;
  if (typeof id === 'number' || (typeof id === 'string' && id !== '')) return { kind: 'created', providerUserId: String(id) };
  return { kind: 'unknown', message: describeUnexpectedBody(status, text), status };
}
