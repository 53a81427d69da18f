import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * How versions before sealed values were bound to their place sealed them (`sealed:v1:`):
 * AES-256-GCM without associated data. What an older installation's store holds.
 */
export function legacySeal(base64Key: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), iv);
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return `sealed:v1:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
}
