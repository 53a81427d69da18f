import { describe, expect, test } from 'vitest';
import { providersIn } from '../src/adapters/providers/registry.js';
import { loadConfig, secretValues } from '../src/config/load.js';
import { policyFor } from '../src/domain/policy/model.js';
import { tempFiles } from './support/temp-files.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-test-bot-token', SLACK_SIGNING_SECRET: 'signing-secret-abc123' };
const TOKEN = 'scim-config-token-Zr8u1';
const temp = tempFiles('adduser-scim-config-');

const problems = (env: Record<string, string>) => {
  const result = loadConfig({ ...base, ...env });
  if (result.ok) throw new Error('expected problems');
  return result.message;
};

const load = (env: Record<string, string>) => {
  const result = loadConfig({ ...base, ...env });
  if (!result.ok) throw new Error(result.message);
  return result.config;
};

describe('SCIM instances from the environment (SPEC §12)', () => {
  test('each SCIM_<NAME>_URL is a provider after the built-ins, its id the name in lower case, its label the name unless SCIM_<NAME>_LABEL says', () => {
    const config = load({ SCIM_ZENDESK_URL: 'https://acme.zendesk.com/api/scim/v2', SCIM_ATLASSIAN_URL: 'https://api.atlassian.com/scim/directory/d1', SCIM_ATLASSIAN_TOKEN: TOKEN, SCIM_ATLASSIAN_LABEL: 'Atlassian Cloud' });
    expect(config.registry.map((provider) => provider.id)).toEqual(['checkcentral', 'smscentral', 'digicert', 'okta', 'google', 'github', 'atlassian', 'zendesk']);
    expect(config.registry.slice(-2).map((provider) => provider.label)).toEqual(['Atlassian Cloud', 'Zendesk']);
    expect(config.providers.atlassian).toMatchObject({ baseUrl: 'https://api.atlassian.com/scim/directory/d1', configured: true });
    // No token: the instance is offered in dry run, never called with empty credentials.
    expect(config.providers.zendesk).toMatchObject({ configured: false, token: undefined });
    expect(secretValues(config)).toContain(TOKEN);
    expect(JSON.stringify(config.providers)).not.toContain(TOKEN);
  });

  test('per-instance approvers and rate limits', () => {
    const config = load({ SCIM_ATLASSIAN_URL: 'https://a.example/scim/v2', ADDUSER_APPROVERS_ATLASSIAN: 'U0ATL,S0ATL', SCIM_ATLASSIAN_RATE_LIMIT: '10/1s, 1000/1h' });
    expect(policyFor(config.policy, 'atlassian').approvers).toEqual({ users: ['U0ATL'], groups: ['S0ATL'] });
    expect(config.registry.at(-1)!.limits).toEqual({ concurrency: 4, windows: [{ limit: 10, perMs: 1_000 }, { limit: 1_000, perMs: 3_600_000 }] });
    expect(load({ SCIM_ATLASSIAN_URL: 'https://a.example/scim/v2' }).registry.at(-1)!.limits).toBeUndefined();
  });

  test('every problem with instance variables is named at start-up, with the others', () => {
    const message = problems({
      SCIM_OKTA_URL: 'https://okta.example/scim/v2',
      SCIM_HELP_URL: 'https://help.example/scim/v2',
      SCIM_ORPHAN_TOKEN: 'x',
      SCIM_MY_TOOL_URL: 'https://tool.example/scim/v2',
      SCIM_PLAIN_URL: 'http://scim.example.com/v2',
      SCIM_BAD_URL: 'https://bad.example/scim',
      SCIM_BAD_RATE_LIMIT: 'lots',
    });
    expect(message).toContain('SCIM_OKTA_URL: "okta" is taken');
    expect(message).toContain('SCIM_HELP_URL: "help" is taken');
    expect(message).toContain('SCIM_ORPHAN_TOKEN is set but SCIM_ORPHAN_URL is not');
    expect(message).toContain('SCIM_MY_TOOL_URL is not a SCIM instance variable');
    expect(message).toContain('SCIM_PLAIN_URL must use https (plain http only to localhost');
    expect(message).toContain('SCIM_BAD_RATE_LIMIT takes calls per time span');
    expect(message).not.toContain('x\n');
  });

  test('a policy file names an instance like any provider: its section, rules and presets over every field the adapter can ask', () => {
    const path = temp.write('scim.yml', [
      'version: 1',
      'providers:',
      '  atlassian:',
      '    approvers: [U0ATL]',
      '    auto_approve:',
      '      - name: support staff',
      '        fields: { department: [Support] }',
      'presets:',
      '  support:',
      '    label: Support engineer',
      '    accounts:',
      '      atlassian:',
      '        department: Support',
      '        groups: [g-1]',
      '',
    ].join('\n'));
    const config = load({ SCIM_ATLASSIAN_URL: 'https://a.example/scim/v2', ADDUSER_POLICY_FILE: path });
    expect(policyFor(config.policy, 'atlassian')).toMatchObject({ approvers: { users: ['U0ATL'], groups: [] }, autoApprove: [{ name: 'support staff', fields: { department: ['Support'] } }] });
    expect(config.policy.presets.support!.accounts.atlassian).toEqual({ department: 'Support', groups: ['g-1'] });

    const typo = temp.write('typo.yml', 'version: 1\npresets:\n  x:\n    label: X\n    accounts:\n      atlassian: { departement: Support }\n');
    expect(problems({ SCIM_ATLASSIAN_URL: 'https://a.example/scim/v2', ADDUSER_POLICY_FILE: typo })).toContain('unknown field "departement" for atlassian; its fields are userName, name.givenName');
    expect(problems({ ADDUSER_POLICY_FILE: path })).toContain('unknown provider "atlassian"');
  });

  test('the registry is built from the variables once: the same names give the same providers, and no SCIM variable gives none', () => {
    expect(providersIn({}).providers.map((provider) => provider.id)).toEqual(['checkcentral', 'smscentral', 'digicert', 'okta', 'google', 'github']);
    expect(providersIn({ SCIM_MIRO_URL: ' ' }).problems).toEqual([]);
  });
});
