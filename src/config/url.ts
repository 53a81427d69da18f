import { z } from 'zod';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * A service's base URL. Tokens and passwords travel with every call, so plain http is refused
 * unless the host is this machine (a local fake or simulator, a sidecar proxy).
 */
export const serviceUrl = (name: string, example: string) =>
  z
    .url({ error: `${name} must be a URL like ${example}` })
    .default(example)
    .refine((url) => !URL.canParse(url) || isSecure(new URL(url)), {
      error: `${name} must use https (plain http only to localhost / 127.0.0.1 / [::1])`,
    });

/** This machine: where plain http stays off the network. */
export const isLoopback = (url: URL) => LOOPBACK.test(url.hostname);

const isSecure = (url: URL) => url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
