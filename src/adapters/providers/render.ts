import { SECRET_MASK } from '../../config/secret.js';
import type { Secret } from '../../config/secret.js';
import type { WireRequest } from '../http/types.js';
import type { Reveal } from './types.js';

export const mask: Reveal = () => SECRET_MASK;

/** A credential for the wire; an unconfigured one only ever reaches a dry-run rendering, where it says so. */
export const credential = (secret: Secret | undefined, show: Reveal) => (secret ? show(secret) : 'NOT_CONFIGURED');
export const reveal: Reveal = (secret) => secret.reveal();

/** The request as it would go on the wire, built with masked secrets: what a dry run shows. */
export function renderRequest(wire: WireRequest): string {
  const headers = Object.entries(wire.headers).map(([name, value]) => `${name}: ${value}`);
  const text = [`${wire.method} ${wire.url}`, ...headers, ...(wire.body === undefined ? [] : ['', wire.body])].join('\n');
  // The mask is URL-encoded in query strings and form bodies; show it as people read it.
  return text.split(encodeURIComponent(SECRET_MASK)).join(SECRET_MASK);
}

/**
 * Removes secret values from text that came back from outside (a provider's error message
 * might echo a password), in the encodings they travel in.
 */
export function scrub(text: string, secrets: readonly Secret[]): string {
  let result = text;
  for (const secret of secrets) {
    const value = secret.reveal();
    if (value.length < 4) continue;
    const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
    forms.add(encodeURIComponent(value).replace(/%20/g, '+'));
    for (const form of forms) result = result.split(form).join(SECRET_MASK);
  }
  return result;
}
