import type { AccessRequest } from '../../domain/requests/request.js';

/** What the workflow's step ends with, as functions.completeSuccess / completeError take it. */
export type Completion =
  | { ok: true; outputs: { request_id: string; status: 'succeeded' | 'dry_run'; provider_user_id?: string } }
  | { ok: false; error: string };

/**
 * How a request's outcome ends the step that filed it (SPEC §10); undefined while the request
 * may still change (pending, approved, provisioning, or `unknown`, which waits for an approver's
 * Retry or Mark as done). The error is plain text: Slack shows it as it is in the workflow's activity.
 */
export function completionOf(request: AccessRequest, providerLabel: string): Completion | undefined {
  const what = `Request ${request.id} for a ${providerLabel} account for ${request.target}`;
  switch (request.state) {
    case 'succeeded': {
      const outcome = request.outcome;
      if (outcome?.kind === 'dry_run') return { ok: true, outputs: { request_id: request.id, status: 'dry_run' } };
      const providerUserId = outcome?.kind === 'created' ? outcome.providerUserId : undefined;
      return { ok: true, outputs: { request_id: request.id, status: 'succeeded', ...(providerUserId && { provider_user_id: providerUserId }) } };
    }
    case 'rejected': {
      const reason = request.decision?.reason;
      return { ok: false, error: `${what} was rejected${reason ? `: ${reason}` : '.'}` };
    }
    case 'cancelled':
      return { ok: false, error: `${what} was cancelled by its requester.` };
    case 'expired':
      return { ok: false, error: `${what} expired: nobody approved it in time.` };
    case 'failed': {
      const message = request.outcome && 'message' in request.outcome ? request.outcome.message : undefined;
      return { ok: false, error: `${what} failed at ${providerLabel}${message ? `: ${message}` : '.'}` };
    }
    default:
      return undefined;
  }
}
