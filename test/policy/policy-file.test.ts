import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parsePolicy, readPolicyFile } from '../../src/config/policy-file.js';
import { policyFor } from '../../src/domain/policy/model.js';
import { tempFiles } from '../support/temp-files.js';

const EXAMPLE = `version: 1
defaults:
  requests_channel: C0REQUESTS
  approvers: [U0LEAD, S0ITADMINS]
  required_approvals: 1
  ttl: 72h
providers:
  digicert:
    approvers: [S0PKI]
    required_approvals: 2
    escalate: { after: 8h, to: [U0CISO] }
  checkcentral:
    auto_approve:
      - name: read-only for staff
        requester_in: [S0STAFF]
        fields: { accessLevel: [readonly, disabled] }
        email_domain: [Example.com]
presets:
  engineer:
    label: New engineer
    accounts:
      checkcentral: { accessLevel: user }
      digicert: { container: "93288", access_roles: ["5"] }
`;

const problemsOf = (text: string) => {
  const result = parsePolicy(text);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
};

describe('policy file', () => {
  test("SPEC §8's example: defaults apply to every provider unless it says otherwise", () => {
    const result = parsePolicy(EXAMPLE);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const { policy } = result;
    expect(policy.source).toBe('file');
    expect(policy.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(policyFor(policy, 'digicert')).toEqual({
      requestsChannel: 'C0REQUESTS',
      approvers: { users: [], groups: ['S0PKI'] },
      requiredApprovals: 2,
      ttlMs: 72 * 3_600_000,
      requesters: undefined,
      autoApprove: [],
      escalate: { afterMs: 8 * 3_600_000, to: { users: ['U0CISO'], groups: [] } },
    });
    expect(policyFor(policy, 'smscentral')).toMatchObject({ approvers: { users: ['U0LEAD'], groups: ['S0ITADMINS'] }, requiredApprovals: 1 });
    expect(policyFor(policy, 'checkcentral').autoApprove).toEqual([
      { name: 'read-only for staff', requesterIn: { users: [], groups: ['S0STAFF'] }, fields: { accessLevel: ['readonly', 'disabled'] }, emailDomains: ['example.com'] },
    ]);
    expect(policy.presets.engineer).toEqual({ label: 'New engineer', accounts: { checkcentral: { accessLevel: 'user' }, digicert: { container: '93288', access_roles: ['5'] } } });
  });

  test("a preset's accounts keep the file's order, which its form and its request follow", () => {
    const result = parsePolicy('version: 1\npresets:\n  hire:\n    label: Hire\n    accounts:\n      github: {}\n      digicert: { container: "93288", access_roles: ["5"] }\n      checkcentral: { accessLevel: user }\n');
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(Object.keys(result.policy.presets.hire!.accounts)).toEqual(['github', 'digicert', 'checkcentral']);
  });

  test("a preset that leaves a required field to nobody (no preset value, no person detail) is a problem at its line, naming the fields", () => {
    const problems = problemsOf('version: 1\npresets:\n  hire:\n    label: Hire\n    accounts:\n      checkcentral: { accessLevel: user }\n      digicert: { access_roles: ["5"] }\n      smscentral: { USERLEVEL: "3" }\n');
    expect(problems).toEqual([
      { line: 7, key: 'presets.hire.accounts.digicert', message: 'DigiCert CertCentral needs container (Container), which no person detail gives: set it in the preset' },
      { line: 8, key: 'presets.hire.accounts.smscentral', message: 'SMS Central needs ACCOUNTS (Accounts), which no person detail gives: set it in the preset' },
    ]);
  });

  test('requesters: [] is a problem at its line, never "everyone": a typo must not loosen the policy', () => {
    expect(problemsOf('version: 1\ndefaults:\n  requesters: [U0LEAD]\nproviders:\n  github:\n    requesters: []\n')).toEqual([
      { line: 6, key: 'providers.github.requesters', message: 'names nobody: list who may ask, or leave the key out for everyone' },
    ]);
  });

  test('email_domain is compared in IDNA form; what is not a domain is a problem', () => {
    const result = parsePolicy('version: 1\nproviders:\n  okta:\n    auto_approve:\n      - name: staff\n        fields: { groupIds: [00g1] }\n        email_domain: [Bücher.Example, example.com.]\n');
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(policyFor(result.policy, 'okta').autoApprove[0]!.emailDomains).toEqual(['xn--bcher-kva.example', 'example.com']);
    expect(problemsOf('version: 1\nproviders:\n  okta:\n    auto_approve:\n      - name: staff\n        fields: { groupIds: [00g1] }\n        email_domain: ["@example.com", localhost]\n').map((problem) => problem.message)).toEqual([
      '"@example.com" is not a domain like example.com',
      '"localhost" is not a domain like example.com',
    ]);
  });

  test('privileged: per provider, the values and what they need; one approval more by default; a rule that names one is a problem', () => {
    const text = (extra: string) => `version: 1\ndefaults:\n  approvers: [S0ADMINS]\nproviders:\n  github:\n    required_approvals: 2\n    privileged:\n      values: { role: [admin, billing_manager] }\n${extra}`;
    const result = parsePolicy(text(''));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(policyFor(result.policy, 'github').privileged).toEqual({ values: { role: ['admin', 'billing_manager'] }, requiredApprovals: 3, inBulk: 'allow' });
    const refusing = parsePolicy(text('      required_approvals: 4\n      in_bulk: refuse\n'));
    expect(refusing.ok && policyFor(refusing.policy, 'github').privileged).toEqual({ values: { role: ['admin', 'billing_manager'] }, requiredApprovals: 4, inBulk: 'refuse' });
    expect(problemsOf(text('      in_bulk: maybe\n'))).toEqual([{ line: 9, key: 'providers.github.privileged.in_bulk', message: 'must be allow or refuse' }]);
    // Only privilege-bearing fields, with the field's own values.
    expect(problemsOf('version: 1\nproviders:\n  github:\n    privileged:\n      values: { email: [a@b.c], role: [owner] }\n').map((problem) => problem.key).sort()).toEqual(['providers.github.privileged.values.email', 'providers.github.privileged.values.role.0']);
    expect(problemsOf(`${text('')}    auto_approve:\n      - name: members\n        fields: { role: [direct_member, admin] }\n`)).toEqual([
      { line: 11, key: 'providers.github.auto_approve.0.fields', message: 'rule "members" approves role admin, which privileged marks: privileged values always wait for people' },
    ]);
  });

  test('the hash names the content: one changed byte changes it', () => {
    const one = parsePolicy(EXAMPLE);
    const two = parsePolicy(EXAMPLE.replace('72h', '71h'));
    expect(one.ok && two.ok && one.policy.hash !== two.policy.hash).toBe(true);
  });

  test('every problem at once, each with its line and key', () => {
    const problems = problemsOf(`version: 1
defaults:
  approvers: [U0LEAD, bob]
  required_approvals: -1
  ttl: -1h
  requestors: [U0X]
providers:
  digikert: {}
  checkcentral:
    auto_approve:
      - name: typo
        fields: { acessLevel: [readonly] }
      - name: wildcard
        fields: { accessLevel: ["*"] }
presets:
  engineer:
    label: New engineer
    accounts:
      checkcentral: { accessLevel: god }
`);
    const seen = problems.map((problem) => [problem.line, problem.key]);
    expect(seen).toEqual([
      [3, 'defaults.approvers.1'],
      [4, 'defaults.required_approvals'],
      [5, 'defaults.ttl'],
      [6, 'defaults.requestors'],
      [8, 'providers.digikert'],
      [12, 'providers.checkcentral.auto_approve.0.fields.acessLevel'],
      [12, 'providers.checkcentral.auto_approve.0.fields'],
      [14, 'providers.checkcentral.auto_approve.1.fields.accessLevel.0'],
      [19, 'presets.engineer.accounts.checkcentral.accessLevel'],
    ]);
    const text = problems.map((problem) => problem.message).join('\n');
    expect(text).toContain('"bob" is not a user id');
    expect(text).toContain('unknown key "requestors"');
    expect(text).toContain('unknown provider "digikert"; the providers are checkcentral, smscentral, digicert, okta, google, github');
    expect(text).toContain('unknown field "acessLevel" for checkcentral');
    expect(text).toContain('wildcards are not allowed');
    expect(text).toContain('must be one of: disabled, custom, readonly');
  });

  test.each([
    ['unreadable YAML', 'version: 1\ndefaults: {unclosed: 1\nproviders: 2\n', 3, '(yaml)'],
    ['a duplicate key', 'version: 1\ndefaults:\n  ttl: 1h\n  ttl: 2h\n', 4, '(yaml)'],
    ['a group where a user list is expected to hold ids', 'version: 1\ndefaults:\n  requesters: [S0X, "#staff"]\n', 3, 'defaults.requesters.1'],
    ['a channel name instead of an id', 'version: 1\ndefaults:\n  requests_channel: "#it"\n', 3, 'defaults.requests_channel'],
    ['a wrong version', 'version: 2\n', 1, 'version'],
    ['a rule without a name', 'version: 1\nproviders:\n  checkcentral:\n    auto_approve:\n      - fields: { accessLevel: [user] }\n', 5, 'providers.checkcentral.auto_approve.0.name'],
    ['a rule that names no field', 'version: 1\nproviders:\n  checkcentral:\n    auto_approve:\n      - name: all\n        fields: {}\n', 6, 'providers.checkcentral.auto_approve.0.fields'],
    ['an escalation to nobody', 'version: 1\nproviders:\n  digicert:\n    escalate: { after: 1h, to: [] }\n', 4, 'providers.digicert.escalate.to'],
    ['more approvals than approvers', 'version: 1\nproviders:\n  smscentral:\n    approvers: [U0A]\n    required_approvals: 2\n', 5, 'providers.smscentral.required_approvals'],
    ['an escalation after expiry', 'version: 1\ndefaults:\n  ttl: 2h\nproviders:\n  digicert:\n    escalate: { after: 3h, to: [U0B] }\n', 6, 'providers.digicert.escalate.after'],
    ['a preset typed wrong', 'version: 1\npresets:\n  New Hire:\n    label: x\n    accounts: { checkcentral: { accessLevel: user } }\n', 3, 'presets.New Hire'],
    ['a preset for an unknown provider', 'version: 1\npresets:\n  hire:\n    label: x\n    accounts: { nosuchprovider: {} }\n', 5, 'presets.hire.accounts.nosuchprovider'],
  ])('%s is reported with its line and key', (_name, text, line, key) => {
    const problems = problemsOf(text);
    expect(problems).toContainEqual(expect.objectContaining({ line, key }));
  });

  test('a missing file says so', () => {
    const result = readPolicyFile('/nonexistent/adduser.policy.yml');
    expect(result).toEqual({ ok: false, problems: [{ key: '(file)', message: '/nonexistent/adduser.policy.yml: no such file' }] });
  });
});

describe('policy file in the configuration', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };
  const temp = tempFiles('adduser-policy-');
  const write = (text: string) => temp.write('adduser.policy.yml', text);

  test('without a file the variables make the policy, as before', () => {
    const loaded = loadConfig({ ...base, ADDUSER_APPROVERS_DIGICERT: 'U0A,S0B', ADDUSER_REQUIRED_APPROVALS: '2', ADDUSER_REQUEST_TTL: '5h' });
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.config.policy.source).toBe('environment');
    expect(policyFor(loaded.config.policy, 'digicert')).toMatchObject({ approvers: { users: ['U0A'], groups: ['S0B'] }, requiredApprovals: 2, ttlMs: 5 * 3_600_000 });
    expect(policyFor(loaded.config.policy, 'checkcentral').approvers).toBeUndefined();
  });

  test('a valid file is the policy', () => {
    const loaded = loadConfig({ ...base, ADDUSER_POLICY_FILE: write(EXAMPLE) });
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.config.policy.source).toBe('file');
    expect(policyFor(loaded.config.policy, 'digicert').requiredApprovals).toBe(2);
  });

  test('the file and the policy variables together stop start-up, naming the variables', () => {
    const loaded = loadConfig({ ...base, ADDUSER_POLICY_FILE: write(EXAMPLE), ADDUSER_APPROVERS_DIGICERT: 'U0A', ADDUSER_REQUEST_TTL: '1h' });
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.message).toContain('ADDUSER_POLICY_FILE replaces ADDUSER_REQUEST_TTL, ADDUSER_APPROVERS_DIGICERT');
  });

  test("an invalid file stops start-up with the file's problems among the others", () => {
    const path = write('version: 1\ndefaults:\n  ttl: soon\n');
    const loaded = loadConfig({ ...base, PORT: 'x', ADDUSER_POLICY_FILE: path });
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.message).toContain(`ADDUSER_POLICY_FILE ${path} line 3, defaults.ttl: "soon" is not a duration`);
    expect(!loaded.ok && loaded.message).toContain('PORT');
  });
});
