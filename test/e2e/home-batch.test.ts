import type { types } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Batch } from '../../src/domain/batch/batch.js';
import { type DigiCertSimulator, startDigiCertSimulator } from '../simulators/digicert.js';
import { CHANNEL, type E2E, startE2E } from '../support/e2e.js';
import type { SlackCall } from '../support/fake-slack.js';
import { homeOpenedPayload } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const DC_KEY = 'dc-home-batch-key-5820';
const REQUESTER = 'UREQUESTER1';
const APPROVER = 'UAPPROVER01';
const HEADER = 'username,first_name,last_name,email,container,access_roles';
const row = (n: number) => `batch.home${n},Bea,Home,batch.home${n}@example.com,93288,5`;

let dc: DigiCertSimulator;
let e2e: E2E;

beforeAll(async () => {
  dc = await startDigiCertSimulator({ apiKey: DC_KEY });
  e2e = await startE2E({ DIGICERT_API_KEY: DC_KEY, DIGICERT_BASE_URL: dc.url, ADDUSER_APPROVERS: APPROVER });
});
afterAll(async () => {
  await e2e.close();
  await dc.close();
});

/** app_home_opened: the user opening the Home is a member of the workspace. */
const openHome = (user: string) => (e2e.slack.addUser(user), e2e.send(JSON.stringify(homeOpenedPayload(user)), { headers: { 'content-type': 'application/json' } }));
const homesOf = (user: string) => e2e.slack.callsTo('views.publish').filter((call) => call.args.user_id === user);
const blocksOf = (call: SlackCall | undefined) => ((call?.args.view as types.HomeView | undefined)?.blocks ?? []) as types.KnownBlock[];

/** `/adduser status` signed as Slack sends it, and the private answer it gets. */
async function status(user: string): Promise<string> {
  const before = e2e.slack.calls.length;
  expect((await e2e.command(user, 'status')).status).toBe(200);
  const answer = await waitFor(() => e2e.slack.calls.slice(before).find((call) => call.method.startsWith('/respond/')), { what: 'the status answer' });
  return String(answer.args.text);
}

/** A three-row CSV of DigiCert accounts filed as one batch; its id and record once its thread is known. */
async function fileBatch(): Promise<{ batchId: string; batch: Batch; permalink: string }> {
  const view = await e2e.openModal(REQUESTER, 'csv digicert');
  const before = e2e.slack.calls.length;
  const file = e2e.slack.addFile({ user: REQUESTER, name: 'people.csv', content: [HEADER, row(1), row(2), row(3)].join('\n') });
  expect((await e2e.submitCsv(REQUESTER, view, file, 'Branch office opens Monday')).body).toBe('');
  const posted = await waitFor(
    () => e2e.slack.calls.slice(before).find((call) => call.method === 'chat.postMessage' && call.args.channel === CHANNEL && !call.args.thread_ts && String(call.args.text).includes('AB-')),
    { what: 'the batch request message' },
  );
  const batchId = /AB-[0-9A-Z]+/.exec(String(posted.args.text))![0];
  const thread = await waitFor(async () => (await e2e.store.get<{ permalink?: string }>(`slack:thread:${batchId}`))?.permalink, { what: 'the batch thread’s permalink' });
  await e2e.waitForAccountsListed(batchId);
  return { batchId, batch: (await e2e.store.get<Batch>(`batch:${batchId}`))!, permalink: thread };
}

describe('a batch in /adduser status and the App Home', () => {
  test('status shows one line for the batch; the approver’s Home one entry whose Approve (the batch id) approves all three', { timeout: 30_000 }, async () => {
    const { batchId, batch, permalink } = await fileBatch();
    expect(batch.members).toHaveLength(3);

    expect((await status(REQUESTER)).split('\n')).toEqual(['*Your recent requests*', `• <${permalink}|${batchId}> *3 new DigiCert CertCentral accounts*: Pending approval`]);

    expect((await openHome(APPROVER)).status).toBe(200);
    const home = await waitFor(() => homesOf(APPROVER).find((call) => JSON.stringify(call.args.view).includes(batchId)), { what: 'the approver’s Home with the batch' });
    const blocks = blocksOf(home);
    expect((blocks[1] as types.SectionBlock).text!.text).toBe('*Waiting for your approval* (1)');
    expect((blocks[2] as types.SectionBlock).text!.text).toBe(
      `<${permalink}|${batchId}> · *3 new DigiCert CertCentral accounts* · 3 waiting for approval\nAsked by <@${REQUESTER}>: _Branch office opens Monday_\nYou approve: DigiCert CertCentral`,
    );
    const buttons = blocks.find((block) => block.block_id === `home:${batchId}`) as types.ActionsBlock;
    expect(buttons.elements.map((element) => [(element as types.Button).action_id, (element as types.Button).value])).toEqual([
      ['request_approve', batchId],
      ['request_reject', batchId],
    ]);
    expect(blocks.filter((block) => block.type === 'actions')).toHaveLength(1);
    for (const id of batch.members) expect(JSON.stringify(blocks)).not.toContain(id);

    await e2e.click(APPROVER, 'request_approve', (buttons.elements[0] as types.Button).value!, 'home');
    for (const id of batch.members) await e2e.waitForState(id, 'succeeded', 15_000);
    expect(new Set(dc.users.map((user) => user.username))).toEqual(new Set(['batch.home1', 'batch.home2', 'batch.home3']));

    await waitFor(() => !JSON.stringify(homesOf(APPROVER).at(-1)?.args.view).includes(`home:${batchId}`), { what: 'the approver’s Home to drop the decided batch' });
    expect((await status(REQUESTER)).split('\n')).toEqual(['*Your recent requests*', `• <${permalink}|${batchId}> *3 new DigiCert CertCentral accounts*: 3 created`]);

    await openHome(REQUESTER);
    const own = await waitFor(() => homesOf(REQUESTER).find((call) => JSON.stringify(call.args.view).includes('3 created')), { what: 'the requester’s Home' });
    const ownBlocks = blocksOf(own);
    expect(ownBlocks.map((block) => block.type)).toEqual(['header', 'section', 'section']);
    expect((ownBlocks[2] as types.SectionBlock).text!.text).toBe(`<${permalink}|${batchId}> · *3 new DigiCert CertCentral accounts*\n3 created`);
    expect((ownBlocks[2] as types.SectionBlock).accessory).toBeUndefined();
  });
});
