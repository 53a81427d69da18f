import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAuditLog } from '../../src/domain/audit.js';
import { CHANNEL, type E2E, type OpenedView, startE2E } from '../support/e2e.js';
import { tempFiles } from '../support/temp-files.js';
import { waitFor } from '../support/wait.js';

const REQUESTER = 'UREQUESTER1';
/** Allowed SMS Central, so the preset's three accounts are all theirs to ask for. */
const SMS_REQUESTER = 'U0SMSONLY';
const POLICY = `version: 1
defaults:
  requests_channel: ${CHANNEL}
  approvers: [UAPPROVER01]
providers:
  smscentral:
    requesters: [${SMS_REQUESTER}]
presets:
  engineer:
    label: New engineer
    accounts:
      checkcentral: { accessLevel: user }
      digicert: { container: "93288", access_roles: ["5"] }
      smscentral: { ACCOUNTS: ["12345"], USERLEVEL: "3" }
  desk:
    label: Shared desk
    accounts:
      checkcentral: { accessLevel: readonly, name: Front Desk }
      github: { role: direct_member }
`;

const temp = tempFiles('adduser-presets-');

const JILL = { 'person:email': 'jill@example.com', 'person:first_name': 'Jill', 'person:last_name': 'Valentine', 'person:username': 'jill.valentine', reason: 'Starts Monday in platform' };

describe('presets: several accounts for one person from one form', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ ADDUSER_POLICY_FILE: temp.write('policy.yml', POLICY), ADDUSER_REQUESTS_CHANNEL: '' });
  });
  afterAll(async () => {
    await e2e.close();
  });

  const requested = async () => (await createAuditLog(e2e.store).read()).filter((record) => record.action === 'requested');
  const inputs = (view: OpenedView) => view.blocks.filter((block) => block.type === 'input').map((block) => block.block_id);

  test('/adduser <preset> opens its form: the details its providers need, the reason, the preset in the metadata', async () => {
    const view = await e2e.openModal(REQUESTER, 'engineer');
    expect(inputs(view)).toEqual(['provider', 'person:email', 'person:first_name', 'person:last_name', 'person:username', 'reason']);
    expect(JSON.parse(view.private_metadata)).toEqual({ channel: 'CTYPEDHERE', preset: 'engineer' });
    const creates = JSON.stringify(view.blocks.find((block) => block.type === 'context'));
    expect(creates).toContain('*Creates:* CheckCentral, DigiCert CertCentral, SMS Central');
    expect(creates).toContain(':test_tube: *Dry run:* DigiCert CertCentral credentials are not configured');

    const desk = await e2e.openModal(REQUESTER, 'desk');
    expect(inputs(desk)).toEqual(['provider', 'person:email', 'reason']);
  });

  test('the form’s select offers the presets next to the providers; an unknown word lists them', async () => {
    const view = await e2e.openModal(SMS_REQUESTER);
    const select = view.blocks[0]!.element as unknown as { option_groups: { label: { text: string }; options: { value: string }[] }[] };
    expect(select.option_groups.map((group) => [group.label.text, group.options.map((option) => option.value)])).toEqual([
      ['One account', ['checkcentral', 'smscentral', 'digicert', 'okta', 'google', 'github']],
      ['Several accounts (preset)', ['preset:engineer', 'preset:desk']],
      ['Many accounts (upload a CSV)', ['csv:checkcentral', 'csv:smscentral', 'csv:digicert', 'csv:okta', 'csv:google', 'csv:github']],
    ]);
    const answer = await e2e.command(REQUESTER, 'enginer');
    expect(JSON.parse(answer.body).text).toContain('several accounts for one person at once (`engineer`, `desk`)');
  });

  test('a preset chosen in the form and “Next”: the form becomes the preset’s', async () => {
    const view = await e2e.openModal(SMS_REQUESTER);
    const answer = JSON.parse((await e2e.submit(SMS_REQUESTER, view, { provider: 'preset:desk' })).body);
    expect(answer.response_action).toBe('update');
    expect(JSON.parse(answer.view.private_metadata)).toEqual({ channel: 'CTYPEDHERE', preset: 'desk' });
    expect(answer.view.blocks.map((block: { block_id?: string }) => block.block_id).filter(Boolean)).toEqual(['provider', 'person:email', 'reason']);
  });

  test('a bad email: one inline error on the email, naming every provider that refused it; nothing stored', async () => {
    const stored = await e2e.store.length('requests:all');
    const view = await e2e.openModal(SMS_REQUESTER, 'engineer');
    const answer = JSON.parse((await e2e.submit(SMS_REQUESTER, view, { ...JILL, 'person:email': 'not-an-email' })).body);
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors)).toEqual(['person:email']);
    for (const label of ['CheckCentral', 'DigiCert CertCentral', 'SMS Central']) expect(answer.errors['person:email']).toContain(label);
    expect(answer.errors['person:email']).toMatch(/^CheckCentral, DigiCert CertCentral, SMS Central: /);
    expect(await e2e.store.length('requests:all')).toBe(stored);
  });

  test('a requester the policy does not let ask for one of the providers: an inline error naming it, nothing stored or audited', async () => {
    const stored = await e2e.store.length('requests:all');
    const before = (await requested()).length;
    const view = await e2e.openModal(REQUESTER, 'engineer');
    const answer = JSON.parse((await e2e.submit(REQUESTER, view, JILL)).body);
    expect(answer).toEqual({
      response_action: 'errors',
      errors: { provider: expect.stringMatching(/^SMS Central: .*not among the people who may ask for SMS Central accounts/) },
    });
    expect(await e2e.store.length('requests:all')).toBe(stored);
    expect(await requested()).toHaveLength(before);
  });

  test('a valid form is acked with no errors: one requested record per account, one batch, in the preset’s order', async () => {
    const before = (await requested()).length;
    const view = await e2e.openModal(SMS_REQUESTER, 'engineer');
    const answer = await e2e.submit(SMS_REQUESTER, view, JILL);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    const records = (await waitFor(async () => {
      const all = await requested();
      return all.length >= before + 3 ? all : undefined;
    }, { what: 'three requested records' })).slice(before);
    expect(records.map((record) => [record.provider, record.target, record.actor])).toEqual([
      ['checkcentral', 'jill@example.com', SMS_REQUESTER],
      ['digicert', 'jill@example.com', SMS_REQUESTER],
      ['smscentral', 'jill.valentine', SMS_REQUESTER],
    ]);
    const batchId = records[0]!.batchId;
    expect(batchId).toMatch(/^AB-/);
    expect(records.map((record) => record.batchId)).toEqual([batchId, batchId, batchId]);
    const requests = await Promise.all(records.map((record) => e2e.request(record.requestId)));
    expect(requests.map((request) => [request?.state, request?.channel, request?.reason])).toEqual(Array(3).fill(['pending', CHANNEL, 'Starts Monday in platform']));

    // Slack delivering the same submission again files nothing more.
    expect((await e2e.submit(SMS_REQUESTER, view, JILL)).body).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await requested()).toHaveLength(before + 3);
  });
});
