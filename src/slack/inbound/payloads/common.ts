import { z } from 'zod';

/** Slack's ids are opaque, but never empty. */
export const id = z.string().min(1);

/** A Slack user id: it ends up in store keys, audit records and `<@…>` mentions, so its form is checked. */
export const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected a Slack user id');

/**
 * What every interactive payload (block_actions, block_suggestion, view_submission) carries
 * about its sender, including what Bolt itself reads before any listener runs: `channel.id`
 * for the conversation, `user.id`, `team.id` / `user.team_id` and `enterprise.id` for the
 * workspace. A null `channel` or `user` would make Bolt throw before its error handling.
 */
export const interactiveEnvelope = {
  user: z.looseObject({ id: userId, team_id: z.string().optional() }),
  team: z.looseObject({ id, enterprise_id: z.string().nullish() }).nullish(),
  enterprise: z.looseObject({ id }).nullish(),
  channel: z.looseObject({ id }).optional(),
};

const selected = z.looseObject({ value: z.string() });

/** A file as Slack describes it (a file_input's value): what deciding and downloading need; url_private needs the bot token and files:read. */
export const slackFile = z.looseObject({
  id,
  name: z.string().optional(),
  size: z.number().optional(),
  filetype: z.string().optional(),
  mimetype: z.string().optional(),
  url_private: z.string().optional(),
  url_private_download: z.string().optional(),
});

/** view.state.values: block id → action id → what the element holds (only what formValues reads). */
export const viewState = z.looseObject({
  values: z.record(
    z.string(),
    z.record(
      z.string(),
      z.looseObject({
        value: z.string().nullish(),
        selected_option: selected.nullish(),
        selected_options: z.array(selected).optional(),
        /** A file_input's uploads. */
        files: z.array(slackFile).optional(),
      }),
    ),
  ),
});

/** A modal as a view payload carries it; Bolt reads `app_installed_team_id` for the workspace. */
export const viewEnvelope = {
  id,
  callback_id: z.string(),
  private_metadata: z.string(),
  state: viewState,
  app_installed_team_id: z.string().optional(),
};

/** Bolt builds `respond` from the first of these on a view submission. */
export const responseUrls = z.array(z.looseObject({ response_url: z.string() })).optional();
