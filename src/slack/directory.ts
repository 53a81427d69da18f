import type { webApi } from '@slack/bolt';
import type { Directory } from '../domain/policy.js';

interface Cached<T> {
  expires: number;
  value: Promise<T>;
}

/**
 * Who is an admin and who is in which user group, from Slack, cached briefly: an approver
 * removed from a group loses the right within a minute, and a burst of clicks costs one call.
 */
export function createSlackDirectory(client: webApi.WebClient, ttlMs = 60_000, now = Date.now): Directory {
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
    isAdminOrOwner: (user) =>
      cached(`admin:${user}`, async () => {
        const info = await client.users.info({ user });
        return Boolean(info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner);
      }),
    groupMembers: (group) =>
      cached(`group:${group}`, async () => {
        const result = await client.usergroups.users.list({ usergroup: group });
        return result.users ?? [];
      }),
  };
}
