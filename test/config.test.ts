import { describe, expect, test } from 'vitest';
import { policyFor } from '../src/domain/policy/model.js';
import { loadConfig, secretValues } from '../src/config/load.js';

const minimalHttp = { SLACK_BOT_TOKEN: 'xoxb-test-bot-token', SLACK_SIGNING_SECRET: 'signing-secret-abc123' };

function load(env: Record<string, string>) {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.message);
  return result.config;
}

describe('configuration', () => {
  test('a bot token and a signing secret are enough: every other value has a working default', () => {
    const config = load(minimalHttp);
    expect(config.slack.mode).toBe('http');
    expect(config.port).toBe(3000);
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.policy.defaults.requiredApprovals).toBe(1);
    expect(config.policy.defaults.ttlMs).toBe(72 * 3_600_000);
    expect(config.dryRun).toBe(false);
    expect(config.storeUrl).toBe('sqlite://data/adduser.sqlite');
    expect(config.logLevel).toBe('info');
    expect(config.policy.defaults.approvers).toBeUndefined();
    expect(config.providers.checkcentral?.configured).toBe(false);
    expect(config.providers.smscentral?.configured).toBe(false);
    expect(config.providers.digicert?.configured).toBe(false);
    expect(config.providers.checkcentral?.baseUrl).toBe('https://api.checkcentral.cc');
    expect(config.providers.smscentral?.baseUrl).toBe('https://my.smscentral.com.au/api/v3.2');
    expect(config.providers.digicert?.baseUrl).toBe('https://www.digicert.com/services/v2');
  });

  test('an app token switches to Socket Mode, where no signing secret is needed', () => {
    const config = load({ SLACK_BOT_TOKEN: 'xoxb-test-bot-token', SLACK_APP_TOKEN: 'xapp-test-app-token' });
    expect(config.slack.mode).toBe('socket');
  });

  test('blank values (a copied .env.example) fall back to defaults', () => {
    const config = load({ ...minimalHttp, PORT: '', ADDUSER_REQUEST_TTL: ' ', SLACK_APP_TOKEN: '' });
    expect(config.port).toBe(3000);
    expect(config.policy.defaults.ttlMs).toBe(72 * 3_600_000);
    expect(config.slack.mode).toBe('http');
  });

  test('approvers split into users and user groups, per provider too', () => {
    const config = load({
      ...minimalHttp,
      ADDUSER_APPROVERS: 'U012ABC, S0GROUP1,W0ENTERPRISE',
      ADDUSER_APPROVERS_DIGICERT: 'U0DIGI1',
      ADDUSER_REQUIRED_APPROVALS: '2',
      ADDUSER_REQUEST_TTL: '1d12h',
      ADDUSER_DRY_RUN: 'true',
    });
    expect(config.policy.defaults.approvers).toEqual({ users: ['U012ABC', 'W0ENTERPRISE'], groups: ['S0GROUP1'] });
    expect(policyFor(config.policy, 'digicert').approvers).toEqual({ users: ['U0DIGI1'], groups: [] });
    expect(policyFor(config.policy, 'checkcentral').approvers).toEqual({ users: ['U012ABC', 'W0ENTERPRISE'], groups: ['S0GROUP1'] });
    expect(policyFor(config.policy, 'digicert').requiredApprovals).toBe(2);
    expect(policyFor(config.policy, 'checkcentral').ttlMs).toBe(36 * 3_600_000);
    expect(config.dryRun).toBe(true);
  });

  test('provider credentials make the provider configured; absent ones leave it in dry-run', () => {
    const config = load({
      ...minimalHttp,
      DIGICERT_API_KEY: 'dc-key-123456',
      SMSCENTRAL_USERNAME: 'owner',
      CHECKCENTRAL_API_TOKEN: 'cc-token-123456',
      CHECKCENTRAL_BASE_URL: 'http://127.0.0.1:9999',
    });
    expect(config.providers.digicert?.configured).toBe(true);
    expect(config.providers.checkcentral?.configured).toBe(true);
    expect(config.providers.checkcentral?.baseUrl).toBe('http://127.0.0.1:9999');
    // A username without its password is not a usable credential.
    expect(config.providers.smscentral?.configured).toBe(false);
  });

  test('Slack and provider base URLs must use https, except to this machine', () => {
    const result = loadConfig({
      ...minimalHttp,
      SLACK_API_URL: 'http://slack.example.com/api/',
      CHECKCENTRAL_BASE_URL: 'http://api.checkcentral.cc',
      SMSCENTRAL_BASE_URL: 'ftp://my.smscentral.com.au/api/v3.2',
      DIGICERT_BASE_URL: 'http://10.0.0.8/services/v2',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const name of ['SLACK_API_URL', 'CHECKCENTRAL_BASE_URL', 'SMSCENTRAL_BASE_URL', 'DIGICERT_BASE_URL']) {
      expect(result.message).toContain(`${name} must use https`);
    }
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) {
      const config = load({ ...minimalHttp, SLACK_API_URL: `http://${host}/api/`, DIGICERT_BASE_URL: `http://${host}/v2`, ADDUSER_OPS_PORT: '9100' });
      expect(config.slack.apiUrl).toBe(`http://${host}/api/`);
      expect(config.providers.digicert?.baseUrl).toBe(`http://${host}/v2`);
      expect(config.opsPort).toBe(9100);
    }
  });

  test('every problem is reported at once, by variable name, with no value echoed', () => {
    const result = loadConfig({
      SLACK_BOT_TOKEN: 'xoxp-a-user-token-secret',
      PORT: 'eighty',
      ADDUSER_APPROVERS: 'U123,#it-admins',
      ADDUSER_REQUESTS_CHANNEL: '#requests',
      ADDUSER_REQUIRED_APPROVALS: '0',
      ADDUSER_REQUEST_TTL: 'three days',
      ADDUSER_DRY_RUN: 'maybe',
      STORE_URL: 'mysql://db',
      LOG_LEVEL: 'loud',
      DIGICERT_BASE_URL: 'not a url',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const expected = [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'PORT',
      'ADDUSER_APPROVERS',
      'ADDUSER_REQUESTS_CHANNEL',
      'ADDUSER_REQUIRED_APPROVALS',
      'ADDUSER_REQUEST_TTL',
      'ADDUSER_DRY_RUN',
      'STORE_URL',
      'LOG_LEVEL',
      'DIGICERT_BASE_URL',
    ];
    for (const name of expected) expect(result.message).toContain(name);
    expect(result.message).toMatch(/has 11 problems/);
    expect(result.message).toContain('.env.example');
    expect(result.message).not.toContain('xoxp-a-user-token-secret');
    expect(result.message).not.toMatch(/\n\s+at /);
  });

  test('secrets print as a mask however they are turned into text', () => {
    const config = load({ ...minimalHttp, DIGICERT_API_KEY: 'dc-key-123456' });
    const printed = [JSON.stringify(config), String(config.slack.botToken), `${config.slack.signingSecret}`];
    for (const text of printed) {
      expect(text).not.toContain('xoxb-test-bot-token');
      expect(text).not.toContain('signing-secret-abc123');
      expect(text).not.toContain('dc-key-123456');
    }
    expect(secretValues(config)).toEqual(
      expect.arrayContaining(['xoxb-test-bot-token', 'signing-secret-abc123', 'dc-key-123456']),
    );
  });
});
