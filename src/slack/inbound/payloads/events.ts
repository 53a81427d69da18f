import { z } from 'zod';
import { id, userId } from './common.js';

/**
 * An Events API callback. Bolt reads `authorizations[0]` (team, enterprise, org-wide install)
 * and, for the conversation, `event.channel`: a null entry or a non-string channel would make
 * it throw before its error handling.
 */
const eventEnvelope = {
  type: z.literal('event_callback'),
  team_id: z.string().optional(),
  enterprise_id: z.string().nullish(),
  authorizations: z
    .array(z.looseObject({ team_id: z.string().nullish(), enterprise_id: z.string().nullish(), is_enterprise_install: z.boolean().optional() }))
    .optional(),
};

export const homeOpenedEvent = z.looseObject({
  ...eventEnvelope,
  event: z.looseObject({ type: z.literal('app_home_opened'), user: userId, channel: z.string(), tab: z.string() }),
});

/**
 * A workflow ran one of the app's steps (SPEC §10). Any callback id passes, so a step this app
 * no longer has still fails visibly instead of hanging; the inputs are the step's to judge,
 * since a bad one must fail the step with the problem, not be dropped here.
 */
export const functionExecutedEvent = z.looseObject({
  ...eventEnvelope,
  event: z.looseObject({
    type: z.literal('function_executed'),
    function: z.looseObject({ callback_id: z.string() }),
    inputs: z.record(z.string(), z.unknown()).optional(),
    function_execution_id: id,
    workflow_execution_id: id.optional(),
    /** The execution's own token: Bolt's client for the step uses it, and so does the completion. */
    bot_access_token: id,
  }),
});
