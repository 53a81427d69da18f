import type { AccessRequest } from '../../domain/requests/request.js';
import { slackError } from '../workspace/reachability.js';
import type { DeliveryContext } from './context.js';
import { Refused, type StepResult, toSlack } from './outbox.js';

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

/** Slack's answers to a token that no longer works. */
const EXPIRED_TOKEN: ReadonlySet<string> = new Set(['invalid_auth', 'token_expired', 'token_revoked', 'not_authed']);

/**
 * SPEC §10: the step that filed the request completes with its outcome, with the execution's
 * own token. An outbox step like any message, so it happens once whichever replica sends it,
 * and after a restart still.
 */
export async function completeWorkflowStep(ctx: DeliveryContext, request: AccessRequest): Promise<StepResult> {
  const completion = request.workflow && completionOf(request, ctx.labelOf(request.provider));
  if (!request.workflow || !completion) return 'skipped';
  const { client, functionTokens } = ctx;
  const function_execution_id = request.workflow.functionExecutionId;
  const token = await functionTokens.get(function_execution_id);
  const where = `workflow step ${function_execution_id}`;
  try {
    await toSlack(where, () =>
      completion.ok
        ? client.functions.completeSuccess({ token, function_execution_id, outputs: completion.outputs })
        : client.functions.completeError({ token, function_execution_id, error: completion.error }),
    );
  } catch (error) {
    // A refusal for good (the workflow was cancelled, the execution is gone) ends the step as
    // surely as a completion: its token has nothing left to do. How long a token lives Slack
    // does not say, and a request may wait days: a refused token is dropped too, so the retry
    // completes with the bot token, which Slack also takes.
    if (error instanceof Refused || (token !== undefined && EXPIRED_TOKEN.has(slackError(error) ?? ''))) await functionTokens.forget(function_execution_id);
    throw error;
  }
  await functionTokens.forget(function_execution_id);
  return 'delivered';
}
