import type { types } from '@slack/bolt';
import type { AnyProvider } from '../../adapters/providers/types.js';
import { csvModal } from '../blocks/csv-modal.js';
import { csvOfValue, presetOfValue, providerBlock, requestModal } from '../blocks/modal.js';
import { presetModal } from '../blocks/preset-modal.js';
import type { SlackDeps } from '../listeners/deps.js';
import { dryRunNotice } from './dry-run.js';

/**
 * The request form for what the top select says: a provider id (that provider's fields), a
 * preset's value `preset:<name>` (the preset form), `csv:<provider>` (the CSV upload), or nothing yet. Every form offers the
 * policy's presets in the select, next to the providers this person may ask for.
 */
export function formView(
  deps: Pick<SlackDeps, 'policy' | 'providers' | 'config'>,
  args: { offered: readonly AnyProvider[]; choice?: string; channel: string },
): types.ModalView {
  const { presets } = deps.policy();
  const dryRun = (chosen: AnyProvider) => dryRunNotice(deps.config, chosen);
  const metadata = { channel: args.channel };
  const name = presetOfValue(args.choice);
  const preset = name === undefined || !Object.hasOwn(presets, name) ? undefined : presets[name];
  if (name !== undefined && preset) {
    return presetModal({ name, preset, allProviders: deps.providers, providers: args.offered, presets, dryRun, metadata });
  }
  const csv = args.offered.find((candidate) => candidate.id === csvOfValue(args.choice));
  if (csv) return csvModal({ provider: csv, dryRun: dryRun(csv), metadata, select: providerBlock({ providers: args.offered, selected: args.choice, presets, allProviders: deps.providers }) });
  const provider = deps.providers.find((candidate) => candidate.id === args.choice);
  return requestModal({ providers: args.offered, provider, dryRun, metadata, presets, allProviders: deps.providers });
}
