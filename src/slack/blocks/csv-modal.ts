import type { types } from '@slack/bolt';
import type { AnyProvider } from '../../adapters/providers/types.js';
import { CSV_MAX_ROWS } from '../../domain/batch/csv.js';
import { IDS } from './ids.js';
import { type ModalMetadata, reasonBlock } from './modal.js';
import { code, joinMd, md, mrkdwn, plain } from './text.js';

/** The columns a provider's CSV takes, required ones first, as the README's field table names them. */
export function csvColumns(provider: AnyProvider): { required: string[]; optional: string[] } {
  const required = provider.fields.filter((field) => !field.optional && !field.generateIfBlank).map((field) => field.id);
  const optional = provider.fields.filter((field) => field.optional || field.generateIfBlank).map((field) => field.id);
  return { required, optional };
}

/**
 * "Upload a CSV" for one provider (SPEC §9): the columns it takes, one `.csv` file and the
 * reason. The file is read and every row checked when the form is submitted; problems come
 * back on the file field with their row numbers.
 */
export function csvModal(args: { provider: AnyProvider; dryRun: string | undefined; metadata: ModalMetadata; /** The form's top select, to switch to another provider or preset. */ select: types.InputBlock }): types.ModalView {
  const { provider } = args;
  const columns = csvColumns(provider);
  const list = (ids: string[]) => joinMd(ids.map(code), ', ');
  const blocks: types.KnownBlock[] = [args.select];
  if (args.dryRun) blocks.push({ type: 'context', elements: [mrkdwn(md`:test_tube: *Dry run:* ${args.dryRun}`)] });
  blocks.push(
    {
      type: 'section',
      text: mrkdwn(
        md`One ${provider.label} account per row, at most ${CSV_MAX_ROWS} rows. The first row names the columns: ${list(columns.required)}${columns.optional.length > 0 ? md`, and if needed ${list(columns.optional)}` : md``}. Several values in one cell are separated by ${code(';')}.`,
      ),
    },
    {
      type: 'input',
      block_id: IDS.csvFile,
      label: plain('CSV file'),
      element: { type: 'file_input', action_id: IDS.csvFile, filetypes: ['csv'], max_files: 1 },
    },
    reasonBlock('Why do these people need accounts?'),
  );
  return {
    type: 'modal',
    callback_id: IDS.csvModal,
    title: plain(`${provider.label} CSV`, 24),
    submit: plain('Submit request'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ ...args.metadata, provider: provider.id } satisfies ModalMetadata),
    blocks,
  };
}
