import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Directory } from '../../domain/policy/model.js';
import type { BotWorkspace } from './identity.js';
import { slackError } from './reachability.js';

interface Cached<T> {
  expires: number;
  value: Promise<T>;
}

/** The fields of users.info that decide whether someone is one of this workspace's admins. */
const slackUser = z.looseObject({
  team_id: z.string().optional(),
  enterprise_user: z.looseObject({ enterprise_id: z.string().optional() }).optional(),
  is_admin: z.boolean().optional(),
  is_owner: z.boolean().optional(),
  is_primary_owner: z.boolean().optional(),
  is_restricted: z.boolean().optional(),
  is_ultra_restricted: z.boolean().optional(),
  is_stranger: z.boolean().optional(),
  deleted: z.boolean().optional(),
});

/**
 * An admin or owner of the bot's own workspace (its enterprise for an org-wide install), and
 * a full member of it: an admin of another workspace reaching a shared channel (Slack Connect,
 * `is_stranger`), a guest, or a deactivated account never approves by default.
 */
export function isWorkspaceAdmin(user: unknown, workspace: BotWorkspace): boolean {
  const parsed = slackUser.safeParse(user);
  if (!parsed.success) return false;
  const person = parsed.data;
  const member = workspace.enterpriseInstall
    ? workspace.enterpriseId !== undefined && person.enterprise_user?.enterprise_id === workspace.enterpriseId
    : workspace.teamId !== undefined && person.team_id === workspace.teamId;
  const full = !person.is_restricted && !person.is_ultra_restricted && !person.is_stranger && !person.deleted;
  return member && full && Boolean(person.is_admin || person.is_owner || person.is_primary_owner);
}

/**
 * Who is an admin and who is in which user group, from Slack, cached briefly: an approver
 * removed from a group loses the right within a minute, and a burst of clicks costs one call.
 * Until auth.test has said which workspace the bot serves, nobody is an admin of it.
 */
export function createSlackDirectory(
  client: webApi.WebClient,
  workspace: () => BotWorkspace | undefined,
  ttlMs = 60_000,
  now = Date.now,
): Directory {
  const cache = new Map<string, Cached<unknown>>();
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key) as Cached<T> | undefined;
    if (hit && hit.expires > now()) return hit.value;
    const value = load();
    cache.set(key, { expires: now() + ttlMs, value });
    value.catch(() => cache.delete(key));
    return value;
  }
  return {
    isAdminOrOwner: async (user) => {
      const ours = workspace();
      if (!ours) return false;
      return cached(`admin:${user}`, async () => {
        try {
          return isWorkspaceAdmin((await client.users.info({ user })).user, ours);
        } catch (error) {
          // A user Slack does not know (deleted, or not of this workspace) is nobody's admin.
          if (slackError(error) === 'user_not_found') return false;
          throw error;
        }
      });
    },
    groupMembers: (group) =>
      cached(`group:${group}`, async () => {
        try {
          const result = await client.usergroups.users.list({ usergroup: group });
          return result.users ?? [];
        } catch (error) {
          // A group deleted (or mistyped) in the settings has no members; it must not stop the other approvers.
          if (slackError(error) === 'no_such_subteam') return [];
          throw error;
        }
      }),
  };
}
