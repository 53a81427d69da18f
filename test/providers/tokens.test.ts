import { describe, expect, test } from 'vitest';
import type { HttpClient, WireRequest } from '../../src/adapters/http/types.js';
import { createUser } from '../../src/adapters/providers/execute.js';
import { createTokenCache } from '../../src/adapters/providers/tokens.js';
import type { AnyProvider } from '../../src/adapters/providers/types.js';
import { checkcentral } from '../../src/adapters/providers/checkcentral/index.js';
import { Secret } from '../../src/config/secret.js';
import { captureLogs } from '../support/logs.js';

const KEY_MATERIAL = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';

/** An HTTP client that records what it is asked to send and answers 200 with `body`. */
function fakeHttp(body: string) {
  const sent: WireRequest[] = [];
  const http: HttpClient = {
    send: async (request) => {
      sent.push(request);
      return { ok: true, response: { status: 200, headers: {}, body }, durationMs: 1 };
    },
    close: async () => undefined,
  };
  return { http, sent };
}

describe('the token cache is optional and provider-agnostic', () => {
  test('a provider without authorize gets no token and its request is sent as built', async () => {
    const { http, sent } = fakeHttp('{}');
    const logs = captureLogs();
    expect(await createTokenCache({ http, log: logs.log }).authorize(checkcentral, checkcentral.settings({ CHECKCENTRAL_BASE_URL: 'https://api.checkcentral.cc', CHECKCENTRAL_API_TOKEN: undefined }))).toBeUndefined();
    expect(sent).toEqual([]);
  });

  test('a token request that cannot be signed → auth with a fixed message: the signer’s error (key material) is never passed on', async () => {
    const { http, sent } = fakeHttp('{"userId":"u1"}');
    const logs = captureLogs();
    const provider: AnyProvider = {
      ...(checkcentral as AnyProvider),
      id: 'signed',
      authorize: {
        request: async () => {
          throw new Error(`cannot parse key ${KEY_MATERIAL}`);
        },
        parse: () => ({ kind: 'granted', token: new Secret('never'), expiresInSeconds: 60 }),
        headers: (token) => ({ authorization: `Bearer ${token}` }),
      },
    };
    const settings = { ...checkcentral.settings({ CHECKCENTRAL_BASE_URL: 'https://api.checkcentral.cc', CHECKCENTRAL_API_TOKEN: new Secret('cc-token-1234') }), configured: true };
    const input = checkcentral.input.parse(checkcentral.fromForm({ email: 'x@example.com', accessLevel: 'user' }));
    const result = await createUser(provider, settings, input, { http, log: logs.log, dryRun: false });
    expect(result.outcome).toEqual({ kind: 'auth', message: expect.stringContaining('could not be signed with the configured key') });
    expect(result.attempts).toBe(0);
    expect(sent).toEqual([]);
    expect(JSON.stringify(result) + logs.text()).not.toContain(KEY_MATERIAL);
  });
});
