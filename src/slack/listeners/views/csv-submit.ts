import { randomUUID } from 'node:crypto';
import type { AllMiddlewareArgs, App, Context, SlackViewMiddlewareArgs } from '@slack/bolt';
import { policyFor } from '../../../domain/policy/model.js';
import { parseAccountsCsv } from '../../../domain/batch/csv.js';
import { REASON_FIELD } from '../../../domain/requests/request.js';
import { IDS } from '../../blocks/ids.js';
import { metadataOf } from '../../blocks/modal.js';
import { formValues } from '../../forms/state.js';
import { createChannelAccess } from '../../workspace/channel-access.js';
import type { SlackDeps } from '../deps.js';
import { fileOrigins, readUploadedCsv } from '../../workspace/files.js';
import { inlineErrors, savedOrSaidSo } from '../reply/inline-errors.js';
import { payloadOf } from '../../inbound/payloads/index.js';
import { type AnyProvider, fieldLabel } from '../../../adapters/providers/types.js';
import type { BatchProblem } from '../../../domain/lifecycle/index.js';

/** At most this many problems are listed on a field; the rest are counted. */
const SHOWN_PROBLEMS = 10;

/**
 * A refused batch's problems on the form's fields: each account's by the row a spreadsheet
 * shows it on; a policy refusal, which holds for every row alike, once and without a row.
 */
export function csvErrors(problems: readonly BatchProblem[], rowOf: (account: number) => number | undefined, provider: AnyProvider): Record<string, string> {
  const errors: Record<string, string[]> = {};
  for (const problem of problems) {
    const block = problem.field === REASON_FIELD ? IDS.reasonBlock : IDS.csvFile;
    const row = problem.account === undefined || problem.field === 'provider' ? undefined : rowOf(problem.account);
    const text = row === undefined ? problem.message : `Row ${row}: ${fieldLabel(provider, problem.field)}: ${problem.message}`;
    (errors[block] ??= []).push(text);
  }
  const shown = (texts: string[]) => {
    const unique = [...new Set(texts)];
    return unique.length <= SHOWN_PROBLEMS ? unique : [...unique.slice(0, SHOWN_PROBLEMS), `…and ${unique.length - SHOWN_PROBLEMS} more problems`];
  };
  return Object.fromEntries(Object.entries(errors).map(([block, texts]) => [block, shown(texts).join('\n')]));
}

/**
 * The CSV form's submit (SPEC §9): the file is read and every row checked by the provider's
 * schema and policy before the ack, all or nothing, so its problems show on the file field with
 * their row numbers and a request the person saw accepted is stored whole.
 */
export function registerCsvSubmit(app: App, deps: SlackDeps): void {
  const access = createChannelAccess(deps.log);
  app.view(IDS.csvModal, async ({ ack: answer, context, client }) => {
    const { view } = payloadOf(context, 'csvSubmission');
    // A valid form closes its modal: a second valid submission of the view is Slack delivering it again.
    const claim = deps.claim(`view-submission:${view.id}`, randomUUID());
    await savedOrSaidSo(view, answer, (ack) => submitCsv(deps, access, { context, ack, client, admit: claim.take }), claim.release);
  });
}

/** One submission of the CSV form: its problems in the form, or the batch stored whole. */
async function submitCsv(
  deps: SlackDeps,
  access: ReturnType<typeof createChannelAccess>,
  { context, ack, client, admit }: { context: Context; ack: SlackViewMiddlewareArgs['ack']; client: AllMiddlewareArgs['client']; admit: () => Promise<boolean> },
): Promise<void> {
  const { view, user } = payloadOf(context, 'csvSubmission');
  const fail = (errors: Record<string, string>) => ack(inlineErrors(view, errors));
  const metadata = metadataOf(view.private_metadata);
  const provider = deps.providers.find((candidate) => candidate.id === metadata.provider);
  const channel = provider && (policyFor(deps.policy(), provider.id).requestsChannel ?? metadata.channel);
  if (!provider || !channel) return fail({ [IDS.csvFile]: 'I lost track of this form: close it and type /adduser csv <provider> again.' });
  const [file] = view.state.values[IDS.csvFile]?.[IDS.csvFile]?.files ?? [];
  if (!file) return fail({ [IDS.csvFile]: 'Upload one .csv file.' });
  const reason = formValues(view.state.values)[REASON_FIELD];

  // Both ask Slack, and all of it must fit in Slack's 3 seconds: side by side.
  const [downloaded, refusal] = await Promise.all([
    readUploadedCsv(client, file, { user: user.id, token: context.botToken ?? '', origins: fileOrigins(deps.config.slack.apiUrl) }),
    access.refusal(client, channel),
  ]);
  if (!downloaded.ok) return fail({ [IDS.csvFile]: downloaded.why });
  if (refusal) return fail({ [IDS.csvFile]: refusal });
  const parsed = await parseAccountsCsv(downloaded.content, provider, (form) => deps.lifecycle.checkAccount(provider.id, form));
  if (!parsed.ok) return fail({ [IDS.csvFile]: parsed.problems.join('\n') });

  const result = await deps.lifecycle.submitBatch({
    requester: user.id,
    channel,
    reason: typeof reason === 'string' ? reason : '',
    kind: 'csv',
    rows: parsed.rows.map((row) => row.row),
    accounts: parsed.rows.map((row) => ({ provider: provider.id, form: row.form })),
    admit,
  });
  if (result.ok) return ack();
  await fail(csvErrors(result.problems, (account) => parsed.rows[account]?.row, provider));
}
