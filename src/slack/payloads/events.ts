import { z } from 'zod';
import { userId } from './common.js';

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
