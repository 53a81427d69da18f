import type { WireRequest, WireResponse } from '../../http/types.js';
import { describeUnexpectedBody, type Outcome, outcomeForStatus, parseJsonBody } from '../outcome.js';
import { credential } from '../render.js';
import type { Choice, Reveal } from '../types.js';
import type { DigiCertInput } from './schema.js';
import type { DigiCertSettings } from './settings.js';

const headers = (settings: DigiCertSettings, reveal: Reveal) => ({
  'x-dc-devkey': credential(settings.apiKey, reveal),
  'content-type': 'application/json',
  accept: 'application/json',
});

/**
 * POST {base}/user. The documentation's table marks container_id_assignments required but
 * describes it as "if set, overrides the default containers" and its example omits it; we
 * always send it, defaulting to the user's own container, which satisfies either reading.
 */
export function buildCreate(input: DigiCertInput, settings: DigiCertSettings, reveal: Reveal): WireRequest {
  const body = {
    username: input.username,
    first_name: input.first_name,
    last_name: input.last_name,
    email: input.email,
    ...(input.job_title && { job_title: input.job_title }),
    ...(input.telephone && { telephone: input.telephone }),
    container: { id: input.container.id },
    access_roles: input.access_roles.map((role) => ({ id: role.id })),
    container_id_assignments: input.container_id_assignments ?? [input.container.id],
    is_saml_sso_only: input.is_saml_sso_only,
  };
  return { method: 'POST', url: `${settings.baseUrl}/user`, headers: headers(settings, reveal), body: JSON.stringify(body) };
}

interface DigiCertError {
  code?: unknown;
  message?: unknown;
}

function errorsOf(body: unknown): DigiCertError[] | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? (errors as DigiCertError[]) : undefined;
}

/**
 * DigiCert documents no code for a taken username (NOTES.md). Only an error that names the
 * username AND says it is taken counts: "Username contains invalid characters" is a
 * validation failure, and calling it "already exists" would tell the approver a lie.
 */
function isDuplicateUsername(error: DigiCertError): boolean {
  const words = `${String(error.code ?? '')} ${String(error.message ?? '')}`;
  return /user\s*_?name/i.test(words) && /already|exists|duplicate|taken|in use/i.test(words) && !/not exist|doesn.t exist/i.test(words);
}

type CreateOutcome = Exclude<Outcome, { kind: 'dry_run' | 'unavailable' }>;

/** 201 {"id": n} on success; {"errors":[{code, message}]} with 4xx/5xx otherwise (NOTES.md). */
export function parseCreate(response: WireResponse): CreateOutcome {
  const { status, body: text, headers: responseHeaders } = response;
  const body = parseJsonBody(text);
  if (status >= 200 && status < 300) {
    const id = (body as { id?: unknown } | undefined)?.id;
    if (typeof id === 'number' || (typeof id === 'string' && id !== '')) return { kind: 'created', providerUserId: String(id) };
    // The create may have happened, but nothing proves it: an approver has to look.
    return { kind: 'unknown', message: describeUnexpectedBody(status, text), status };
  }
  const errors = errorsOf(body);
  if (!errors || errors.length === 0) {
    const message = describeUnexpectedBody(status, text);
    return status >= 500 || status === 429 || status === 401 || status === 403
      ? outcomeForStatus(status, message, responseHeaders['retry-after'])
      : { kind: 'rejected', message, status };
  }
  const codes = errors.map((error) => String(error.code ?? ''));
  const message = errors.map((error) => `${String(error.message ?? error.code ?? 'error')}${error.code ? ` (${String(error.code)})` : ''}`).join('; ');
  // No Retry-After is documented; the shortest published window (100 per 5 s) is the wait.
  if (codes.includes('request_limit_exceeded')) return outcomeForStatus(429, message, responseHeaders['retry-after'] ?? '5');
  if (codes.some((code) => code === 'access_denied' || code === 'missing_permission')) return { kind: 'auth', message, status };
  if (status === 400 && errors.some(isDuplicateUsername)) return { kind: 'already_exists', message, status };
  return outcomeForStatus(status, message, responseHeaders['retry-after']);
}

export function containersRequest(settings: DigiCertSettings, reveal: Reveal): WireRequest {
  return { method: 'GET', url: `${settings.baseUrl}/container`, headers: headers(settings, reveal) };
}

export function rolesRequest(settings: DigiCertSettings, reveal: Reveal, containerId?: string): WireRequest {
  const id = encodeURIComponent(containerId ?? '');
  return { method: 'GET', url: `${settings.baseUrl}/container/${id}/role`, headers: headers(settings, reveal) };
}

export function parseContainers(response: WireResponse): Choice[] {
  const list = (parseJsonBody(response.body) as { containers?: unknown } | undefined)?.containers;
  if (!Array.isArray(list)) throw new Error('DigiCert sent no container list');
  return (list as { id?: unknown; name?: unknown; is_active?: unknown }[])
    .filter((container) => container.is_active !== false && container.id !== undefined)
    .map((container) => ({ value: String(container.id), label: `${String(container.name ?? container.id)} (${String(container.id)})` }));
}

export function parseRoles(response: WireResponse): Choice[] {
  const list = (parseJsonBody(response.body) as { access_roles?: unknown } | undefined)?.access_roles;
  if (!Array.isArray(list)) throw new Error('DigiCert sent no access role list');
  return (list as { id?: unknown; name?: unknown }[])
    .filter((role) => role.id !== undefined)
    .map((role) => ({ value: String(role.id), label: String(role.name ?? role.id) }));
}
