import { createPrivateKey } from 'node:crypto';
import { Secret } from '../../../config/secret.js';
import { describeUnexpectedBody, parseJsonBody, parseRetryAfter } from '../outcome.js';
import type { AuthorizeSpec } from '../types.js';
import type { GoogleSettings } from './settings.js';

/** Creating users, and listing org units for the form. */
export const SCOPES = ['https://www.googleapis.com/auth/admin.directory.user', 'https://www.googleapis.com/auth/admin.directory.orgunit.readonly'];
/** Google refuses an assertion that lives longer than an hour. */
const ASSERTION_SECONDS = 3600;

type TokenAnswer = { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;

export const authorize: AuthorizeSpec<GoogleSettings> = {
  /** RFC 7523 JWT-bearer grant: an RS256 assertion signed with the service account's key, POSTed to its token_uri. */
  async request({ account, subject }, reveal) {
    if (!account || !subject) throw new Error('Google Workspace is not configured');
    // jose is loaded by the first Google sign-in, not at every start.
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPES.join(' ') })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.keyId && { kid: account.keyId }) })
      .setIssuer(account.clientEmail)
      .setSubject(subject)
      .setAudience(account.tokenUri)
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_SECONDS)
      .sign(createPrivateKey(reveal(account.privateKey)));
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    return { method: 'POST', url: account.tokenUri, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body };
  },
  /** {"access_token","expires_in","token_type"} on success; {"error","error_description"} otherwise (RFC 6749 §5). */
  parse({ status, headers, body: text }) {
    const body = parseJsonBody(text) as TokenAnswer;
    if (status >= 200 && status < 300 && typeof body?.access_token === 'string' && body.access_token !== '') {
      const expiresInSeconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : ASSERTION_SECONDS;
      return { kind: 'granted', token: new Secret(body.access_token), expiresInSeconds };
    }
    const message = typeof body?.error === 'string' ? `${String(body.error_description ?? body.error)} (${body.error})` : describeUnexpectedBody(status, text);
    const retryAfterSeconds = parseRetryAfter(headers['retry-after']);
    if (status === 429) return { kind: 'rate_limited', message, status, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
    // invalid_grant (a wrong key, subject or clock), unauthorized_client (delegation or scopes not granted).
    if (status >= 400 && status < 500) return { kind: 'auth', message, status };
    return { kind: 'unavailable', message };
  },
  headers: (token) => ({ authorization: `Bearer ${token}` }),
};
