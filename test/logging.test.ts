import { App, LogLevel } from '@slack/bolt';
import { describe, expect, test } from 'vitest';
import { boltLogger, summariseLibraryLine } from '../src/logging/bolt-logger.js';
import { registerSecretValues, scrubLine } from '../src/logging/logger.js';
import { captureLogs } from './support/logs.js';
import { startFakeSlack } from './support/fake-slack.js';

describe('logging', () => {
  test('secret-named fields are redacted at any of the first three levels', () => {
    const { log, text } = captureLogs();
    log.info({
      token: 'tok-top-level-1',
      config: { signingSecret: 'sig-nested-2', SLACK_BOT_TOKEN: 'env-bot-3' },
      request: { headers: { 'x-dc-devkey': 'dc-header-4', authorization: 'Bearer auth-5' } },
      form: { USERNAME: 'owner', PASSWORD: 'sms-pass-6', USER: '{"PASSWORD":"new-pass-7"}' },
    });
    const out = text();
    for (const leaked of ['tok-top-level-1', 'sig-nested-2', 'env-bot-3', 'dc-header-4', 'auth-5', 'sms-pass-6', 'new-pass-7']) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain('"USERNAME":"owner"');
    expect(out).toContain('[redacted]');
  });

  test('Slack tokens, apiToken query strings and registered secrets are masked wherever they appear', () => {
    const { log, text } = captureLogs();
    registerSecretValues(['registered-secret-value-9']);
    log.warn('calling https://api.checkcentral.cc/createUser/?apiToken=cc-query-token-8&x=1');
    log.error({ err: new Error('bad token xoxb-1234-5678-abcdefghij and xapp-fake-not-a-token') }, 'failed');
    log.info({ deep: { deeper: { deepest: { note: 'registered-secret-value-9' } } } });
    const out = text();
    expect(out).not.toContain('cc-query-token-8');
    expect(out).toContain('apiToken=[redacted]&x=1');
    expect(out).not.toContain('xoxb-1234');
    expect(out).not.toContain('xapp-fake-not-a-token');
    expect(out).not.toContain('registered-secret-value-9');
  });

  test('Bolt and its WebClient log through pino at the configured level, despite Bolt calling setLevel', async () => {
    const slack = await startFakeSlack();
    try {
      const captured = captureLogs('debug');
      const logger = boltLogger(captured.log);
      const app = new App({
        token: 'xoxb-bolt-logger-test',
        signingSecret: 'bolt-logger-signing',
        logger,
        logLevel: LogLevel.INFO,
        convoStore: false,
        clientOptions: { slackApiUrl: slack.url, logger },
      });
      await app.client.auth.test();
      logger.debug('debug line from bolt');
      const lines = captured.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.some((line) => line.msg === 'debug line from bolt' && line.level === 20)).toBe(true);
      // The WebClient's own debug output reached pino too.
      expect(lines.some((line) => String(line.msg).includes('auth.test'))).toBe(true);
      expect(captured.text()).not.toContain('xoxb-bolt-logger-test');
    } finally {
      await slack.close();
    }
  });

  test('library lines keep their words but never the payload, body or result they carry, whatever the wording', () => {
    const secret = 'Typed-In-A-Modal-9x';
    const envelope = JSON.stringify({ envelope_id: 'e1', payload: { view: { state: { values: { PASSWORD: { v: { value: secret } } } } } } });
    const lines = [
      `Received a message on the WebSocket: ${envelope}`,
      `Sending a WebSocket message: ${envelope}`,
      `Calling ack() - type: interactive, envelope_id: e1, data: ${envelope}`,
      `ack() response sent (body: ${envelope})`,
      `ack() call begins (body: ${secret})`,
      `http request body: ${envelope}`,
      `http request result: {"ok":true,"message":{"text":"${secret}"}}`,
      `Unable to parse an incoming WebSocket message (will ignore): SyntaxError: bad, ${secret}`,
      `Error details: Error: boom, storedResponse: ${secret}`,
      `a line no one has seen yet: [${envelope}]`,
    ];
    for (const line of lines) {
      const summary = summariseLibraryLine(line);
      expect(summary).not.toContain(secret);
      expect(summary).toMatch(/\[\d+ bytes of content not logged\]\)?$/);
    }
    expect(summariseLibraryLine(`Received a message on the WebSocket: ${envelope}`)).toBe(`Received a message on the WebSocket: [${Buffer.byteLength(envelope)} bytes of content not logged]`);
    expect(summariseLibraryLine("apiCall('chat.postMessage') start")).toBe("apiCall('chat.postMessage') start");
    expect(summariseLibraryLine('ack() call begins (body: )')).toBe('ack() call begins (body: )');
    expect(summariseLibraryLine(`ack() response sent (body: ${envelope})`)).toBe(`ack() response sent (body: [${Buffer.byteLength(envelope)} bytes of content not logged])`);
  });

  test('passwords met at run time are masked for a while, then leave the set', async () => {
    registerSecretValues(['runtime-password-1a'], 60_000);
    registerSecretValues(['runtime-password-2b'], 1);
    expect(scrubLine('x runtime-password-1a y runtime-password-2b')).toBe('x [redacted] y [redacted]');
    await new Promise((resolve) => setTimeout(resolve, 5));
    registerSecretValues(['runtime-password-3c'], 60_000);
    expect(scrubLine('runtime-password-1a runtime-password-2b')).toBe('[redacted] runtime-password-2b');
  });
});
