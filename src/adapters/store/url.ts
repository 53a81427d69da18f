import { isAbsolute, resolve } from 'node:path';

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string };

export const STORE_URL_FORMS =
  'sqlite://PATH (relative to the working directory), sqlite:///PATH (absolute) or redis://HOST:PORT';

/** STORE_URL → where the store lives, or an error message naming the accepted forms. */
export function parseStoreUrl(url: string, cwd = process.cwd()): StoreLocation | { error: string } {
  const trimmed = url.trim();
  if (/^rediss?:\/\/[^\s/]+/.test(trimmed)) return { kind: 'redis', url: trimmed };
  const sqlite = /^sqlite:\/\/(.+)$/.exec(trimmed);
  if (sqlite?.[1] && sqlite[1] !== '/') {
    const path = sqlite[1];
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  return { error: `STORE_URL must be ${STORE_URL_FORMS}` };
}
