import type { types } from '@slack/bolt';
import type { AnyProvider } from '../../adapters/providers/types.js';
import type { Preset } from '../../domain/policy/model.js';
import { personBlock, personQuestions, presetAccounts, type PersonQuestion } from '../forms/preset-form.js';
import { IDS } from './ids.js';
import { type ModalMetadata, presetValue, providerBlock, reasonBlock } from './modal.js';
import { joinMd, md, mrkdwn, plain } from './text.js';

function questionBlock(question: PersonQuestion): types.InputBlock {
  const block = personBlock(question.key);
  return {
    type: 'input',
    block_id: block,
    label: plain(question.label),
    optional: question.optional,
    hint: plain(`For ${question.providers.map((provider) => provider.label).join(', ')}.`, 2_000),
    element: { type: 'plain_text_input', action_id: block, max_length: 100 },
  };
}

/**
 * The form of a preset (SPEC §9): the select (at the preset), what it creates with a dry-run
 * note per provider that will not really be called, the person's details its providers need
 * and the preset does not fix (block_id `person:<key>`), and the reason. The preset's name
 * travels in private_metadata.
 */
export function presetModal(args: {
  /** The preset's name in the policy. */
  name: string;
  preset: Preset;
  /** Every provider the bot has: the preset's accounts are found among them. */
  allProviders: readonly AnyProvider[];
  /** The providers this person is offered for one account, for the select's first group. */
  providers: readonly AnyProvider[];
  presets: Readonly<Record<string, Preset>>;
  dryRun: (provider: AnyProvider) => string | undefined;
  metadata: ModalMetadata;
}): types.ModalView {
  const accounts = presetAccounts(args.preset, args.allProviders);
  const notices = [...new Set(accounts.flatMap(({ provider }) => args.dryRun(provider) ?? []))];
  const creates = joinMd(
    accounts.map(({ provider }) => provider.label),
    ', ',
  );
  const blocks: types.KnownBlock[] = [
    providerBlock({ providers: args.providers, selected: presetValue(args.name), presets: args.presets, allProviders: args.allProviders }),
    {
      type: 'context',
      elements: [mrkdwn(md`*Creates:* ${creates}`), ...notices.slice(0, 9).map((notice) => mrkdwn(md`:test_tube: *Dry run:* ${notice}`))],
    },
    ...personQuestions(accounts).map(questionBlock),
    reasonBlock('Why does this person need these accounts?'),
  ];
  const metadata: ModalMetadata = { channel: args.metadata.channel, preset: args.name };
  return {
    type: 'modal',
    callback_id: IDS.requestModal,
    title: plain('Request accounts', 24),
    submit: plain('Submit request'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}
