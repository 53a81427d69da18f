import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ScimSimulator, startScimSimulator } from '../simulators/scim.js';
import { runCli } from '../support/cli.js';
import { tempFiles } from '../support/temp-files.js';

const TOKEN = 'scim-cli-token-2Wd7r';
const temp = tempFiles('adduser-policy-cli-scim-');
let sim: ScimSimulator;

beforeAll(async () => {
  sim = await startScimSimulator({ token: TOKEN, schema: { required: ['emails'], readOnly: ['title'] }, enterprise: false });
});
afterAll(async () => {
  await sim.close();
});

const policy = (args: string[], env: Record<string, string>) => runCli('policy', args, env, temp.dir());

describe('npm run policy with SCIM instances', () => {
  test('check: each instance’s policy like any provider’s, then its fields as its service describes them (its CSV columns)', async () => {
    const run = await policy(['check'], { SCIM_ATLASSIAN_URL: sim.url, SCIM_ATLASSIAN_TOKEN: TOKEN, ADDUSER_APPROVERS_ATLASSIAN: 'U0ATL', SCIM_MIRO_URL: 'https://miro.example/scim/v2' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Atlassian:\n  Who may ask: everyone in the workspace.\n  Who approves: U0ATL; 1 approval needed');
    expect(run.stdout).toContain('Atlassian (atlassian): discovered: the service’s form, 8 fields (1 required); not asked: title: read-only.\n');
    expect(run.stdout).toContain('  Its fields, which are its CSV columns: userName, name.givenName, name.familyName, displayName, emails[primary] (required), phoneNumbers[primary], active, groups.\n');
    expect(run.stdout).toContain('Miro (miro): not configured: no credentials, so not asked; asking the core User fields (RFC 7643 §4.1).');
    expect(run.stdout).not.toContain(TOKEN);
  });

  test('explain takes an instance’s fields, and bad instance variables stop it with every problem', async () => {
    const run = await policy(['explain', '--provider', 'atlassian', '--requester', 'U0ANN', '--field', 'department=Support'], { SCIM_ATLASSIAN_URL: sim.url });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Waits for people.');
    const bad = await policy(['check'], { SCIM_GITHUB_URL: 'https://github.example/scim/v2' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('SCIM_GITHUB_URL: "github" is taken');
  });
});
