import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { tempFiles } from '../support/temp-files.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'adduser.policy.example.yml');

/** `npm run policy -- …args` from a directory without a .env, with exactly `env` (plus PATH). */
const temp = tempFiles('adduser-policy-cli-');
const policy = (args: string[], env: Record<string, string> = {}) => runCli('policy', args, env, temp.dir());

describe('npm run policy', () => {
  test('check: the example file in words, per provider, exit 0', async () => {
    const run = await policy(['check', example]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Policy file, version [0-9a-f]{12}\.$/m);
    expect(run.stdout).toContain('DigiCert CertCentral:\n  Who may ask: everyone in the workspace.\n  Who approves: members of S0PKI; 2 approvals needed');
    expect(run.stdout).toContain('SMS Central:\n  Who may ask: members of S0BRANCHMGRS.');
    expect(run.stdout).toContain('Still pending after 8h: U0CISO may approve too');
    expect(run.stdout).toContain('Rule "read-only for staff" approves by itself when accessLevel is readonly or disabled');
    expect(run.stdout).toContain('GitHub:\n  Who may ask: everyone in the workspace.');
    expect(run.stdout).toContain('  Privileged: role admin or billing_manager: 2 approvals, never by a rule, never in a CSV or preset.');
  });

  test('check: exit 1 with every problem by line and key', async () => {
    const path = temp.write('bad.yml', 'version: 1\ndefaults:\n  ttl: soon\nproviders:\n  digikert: {}\n');
    const run = await policy(['check', path]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`The policy file ${path} has 2 problems:`);
    expect(run.stderr).toContain('line 3, defaults.ttl: "soon" is not a duration');
    expect(run.stderr).toContain('line 5, providers.digikert: unknown provider "digikert"');
  });

  test('check without a file describes the policy variables', async () => {
    const run = await policy(['check'], { ADDUSER_APPROVERS: 'U0ONE,S0TWO', ADDUSER_REQUIRED_APPROVALS: '2' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Policy from the environment variables');
    expect(run.stdout).toContain('Who approves: U0ONE or members of S0TWO; 2 approvals needed');
  });

  test('explain offline: groups count as empty, and it says so', async () => {
    const run = await policy(['explain', '--provider', 'checkcentral', '--requester', 'U0ANN', '--field', 'accessLevel=readonly', '--email', 'a@example.com', '--file', example]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Rule "read-only for staff" does not apply: the requester is not in the rule's users or groups.`);
    expect(run.stdout).toContain('Note: user groups S0STAFF were not expanded');
  });

  test('explain names every field whose address a rule judges, and the privileged values a request holds', async () => {
    const okta = await policy(['explain', '--provider', 'okta', '--requester', 'U0ANN', '--field', 'login=alice@example.com', '--email', 'mallory@evil.example', '--file', example]);
    expect(okta.stdout).toContain("A rule's email_domain judges every address Okta receives: email, login (here: mallory@evil.example, alice@example.com).");
    const github = await policy(['explain', '--provider', 'github', '--requester', 'U0ANN', '--field', 'role=admin', '--file', example]);
    expect(github.stdout).toContain('Privileged: role admin or billing_manager: 2 approvals, never by a rule, never in a CSV or preset.');
    expect(github.stdout).toContain('This request holds role admin: it waits for people.');
    const checkcentral = await policy(['explain', '--provider', 'checkcentral', '--requester', 'U0ANN', '--field', 'accessLevel=readonly', '--file', example]);
    expect(checkcentral.stdout).toContain('No values are marked privileged for this provider.');
    expect(checkcentral.stdout).toContain('Rule "read-only for staff" does not apply: the account has no email address to judge.');
  });

  test.each([
    [['explain', '--provider', 'nope', '--requester', 'U0ANN'], '--provider must be one of: checkcentral, smscentral, digicert, okta, google, github'],
    [['explain', '--provider', 'digicert', '--requester', 'bob'], '--requester must be a user id'],
    [['explain', '--provider', 'digicert', '--requester', 'U0ANN', '--field', 'colour=red'], 'digicert has no field "colour"'],
    [['frobnicate'], 'Unknown command "frobnicate"'],
  ])('bad arguments: %j → exit 2 and why', async (args, why) => {
    const run = await policy(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(why);
  });

  describe('explain with SLACK_BOT_TOKEN: groups expanded, ids named', () => {
    let slack: FakeSlack;
    beforeAll(async () => {
      slack = await startFakeSlack();
      slack.on('usergroups.users.list', (args) => ({ ok: true, users: args.usergroup === 'S0STAFF' ? ['U0ANN'] : ['U0PKI1', 'U0PKI2'] }));
      slack.on('usergroups.list', () => ({ ok: true, usergroups: [{ id: 'S0PKI', handle: 'pki' }, { id: 'S0BRANCHMGRS', handle: 'branch-managers' }] }));
      slack.on('users.info', (args) => ({ ok: true, user: { id: args.user, name: `name-of-${String(args.user)}` } }));
    });
    afterAll(() => slack.close());

    test.each([
      [
        'auto-approved',
        ['--provider', 'checkcentral', '--requester', 'U0ANN', '--field', 'accessLevel=readonly', '--email', 'new@example.com'],
        'Auto-approved by the rule "read-only for staff"',
      ],
      ['two approvals', ['--provider', 'digicert', '--requester', 'U0ANN'], 'Waits for people. Who approves: members of @pki (S0PKI); 2 approvals needed'],
      ['refused requester', ['--provider', 'smscentral', '--requester', 'U0ANN'], 'Refused: name-of-U0ANN (U0ANN) may not ask for SMS Central accounts'],
    ])('%s', async (_name, args, expected) => {
      const run = await policy(['explain', ...args, '--file', example], { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.url });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(expected);
      expect(run.stdout).not.toContain('were not expanded');
    });
  });
});
