import { z } from 'zod';
import { id, userId } from './common.js';

/** `/adduser …`: a form-encoded slash command. `response_url` backs `respond` (status, audit). */
export const adduserCommand = z.looseObject({
  command: z.literal('/adduser'),
  text: z.string(),
  user_id: userId,
  channel_id: id,
  trigger_id: id,
  response_url: z.string(),
  team_id: id,
  enterprise_id: z.string().optional(),
});
