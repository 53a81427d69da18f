import { isAbsolute, resolve } from 'node:path';

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string; prefix?: string };

export const STORE_URL_FORMS =
  'sqlite://PATH (relative to the working directory), sqlite:///PATH (absolute) or redis://HOST:PORT[/DB][?prefix=NAME]';

/** Letters, digits, `_`, `-` and `.`: a prefix never holds Redis glob characters or the `:` that separates it from its keys. */
const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/** STORE_URL → where the store lives, or an error message naming the accepted forms. */
export function parseStoreUrl(url: string, cwd = process.cwd()): StoreLocation | { error: string } {
  const trimmed = url.trim();
  if (/^rediss?:\/\/[^\s/?]+/.test(trimmed)) return parseRedisUrl(trimmed);
  const sqlite = /^sqlite:\/\/(.+)$/.exec(trimmed);
  if (sqlite?.[1] && sqlite[1] !== '/') {
    const path = sqlite[1];
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  return { error: `STORE_URL must be ${STORE_URL_FORMS}` };
}

/**
 * `?prefix=` lets several bots (or test runs) share one Redis database, each under its own
 * keys; it is taken out of the URL, which the Redis client would otherwise reject or ignore.
 */
function parseRedisUrl(url: string): StoreLocation | { error: string } {
  const query = url.indexOf('?');
  if (query === -1) return { kind: 'redis', url };
  const params = new URLSearchParams(url.slice(query + 1));
  const prefix = params.get('prefix');
  const others = [...params.keys()].filter((name) => name !== 'prefix');
  if (others.length > 0) return { error: `STORE_URL: unknown option ${others.map((name) => `"${name}"`).join(', ')} (only ?prefix=NAME)` };
  if (prefix === null || !PREFIX.test(prefix)) return { error: 'STORE_URL: ?prefix= must be 1 to 64 letters, digits, "_", "-" or "."' };
  return { kind: 'redis', url: url.slice(0, query), prefix };
}
