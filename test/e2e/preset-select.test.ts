import { expect, test } from 'vitest';
import { CHANNEL, startE2E } from '../support/e2e.js';
import { tempFiles } from '../support/temp-files.js';

const temp = tempFiles('adduser-preset-select-');
test('choosing a preset in the select rebuilds the form as the preset form; choosing a provider again keeps the presets offered', async () => {
  const path = temp.write('p.yml', `version: 1\ndefaults:\n  requests_channel: ${CHANNEL}\n  approvers: [UAPPROVER01]\npresets:\n  desk:\n    label: Desk\n    accounts:\n      checkcentral: { accessLevel: readonly, name: Front Desk }\n      github: { role: direct_member }\n`);
  const e2e = await startE2E({ ADDUSER_POLICY_FILE: path, ADDUSER_REQUESTS_CHANNEL: '' });
  try {
    const view = await e2e.openModal('UREQ00001');
    const updated = await e2e.chooseProvider('UREQ00001', view, 'preset:desk');
    expect(updated.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(['provider', 'person:email', 'reason']);
    const back = await e2e.chooseProvider('UREQ00001', updated, 'github');
    expect(JSON.stringify(back.blocks.find((b) => b.block_id === 'provider'))).toContain('preset:desk');
    expect(JSON.parse(back.private_metadata)).toEqual({ channel: 'CTYPEDHERE', provider: 'github' });
  } finally { await e2e.close(); }
});
