import type { types } from '@slack/bolt';
import { type AnyProvider, type Choice, type FieldSpec, labelIn } from '../../adapters/providers/types.js';
import type { Preset } from '../../domain/policy/model.js';
import { REASON_FIELD, REASON_MAX } from '../../domain/requests/request.js';
import { fieldAction, IDS } from './ids.js';
import { clip, code, md, mrkdwn, plain } from './text.js';

export interface ModalMetadata {
  /** Where /adduser was typed: the request goes there when no requests channel is configured. */
  channel: string;
  provider?: string;
  /** The preset the form asks for (`/adduser <preset>`, or chosen in the select): a submit knows it without the select's state. */
  preset?: string;
}

/** The select's value for a preset: provider ids never contain a colon. */
/** A form's private_metadata as this app wrote it; nothing of it when it is not (a forged or foreign view). */
export function metadataOf(text: string): Partial<ModalMetadata> {
  try {
    return JSON.parse(text) as Partial<ModalMetadata>;
  } catch {
    return {};
  }
}

export const presetValue = (name: string) => `preset:${name}`;
export const presetOfValue = (value: string | undefined) => (value?.startsWith('preset:') ? value.slice('preset:'.length) : undefined);
/** The select's value for "upload a CSV of this provider's accounts". */
export const csvValue = (provider: string) => `csv:${provider}`;
export const csvOfValue = (value: string | undefined) => (value?.startsWith('csv:') ? value.slice('csv:'.length) : undefined);

const option = (choice: Choice): types.PlainTextOption => ({ text: plain(choice.label, 75), value: clip(choice.value, 75) });

const initialText = (value: FieldSpec['initial']) => (typeof value === 'string' ? value : undefined);

function element(field: FieldSpec): types.InputBlock['element'] {
  const action_id = fieldAction(field.id);
  const placeholder = field.placeholder ? plain(field.placeholder, 150) : undefined;
  const initialOptions = (field.options ?? []).filter((choice) =>
    Array.isArray(field.initial) ? field.initial.includes(choice.value) : choice.value === field.initial,
  );
  switch (field.kind) {
    case 'select':
      return field.lookup
        ? { type: 'external_select', action_id, min_query_length: 0, ...(placeholder && { placeholder }) }
        : {
            type: 'static_select',
            action_id,
            options: (field.options ?? []).slice(0, 100).map(option),
            ...(initialOptions[0] && { initial_option: option(initialOptions[0]) }),
            ...(placeholder && { placeholder }),
          };
    case 'multi_select':
      return field.lookup
        ? { type: 'multi_external_select', action_id, min_query_length: 0, ...(placeholder && { placeholder }) }
        : {
            type: 'multi_static_select',
            action_id,
            options: (field.options ?? []).slice(0, 100).map(option),
            ...(initialOptions.length > 0 && { initial_options: initialOptions.map(option) }),
            ...(placeholder && { placeholder }),
          };
    case 'checkboxes':
      return {
        type: 'checkboxes',
        action_id,
        options: (field.options ?? []).slice(0, 10).map(option),
        ...(initialOptions.length > 0 && { initial_options: initialOptions.map(option) }),
      };
    case 'number':
      return {
        type: 'number_input',
        action_id,
        is_decimal_allowed: false,
        ...(initialText(field.initial) && { initial_value: initialText(field.initial) }),
        ...(placeholder && { placeholder }),
      };
    default:
      return {
        type: 'plain_text_input',
        action_id,
        multiline: field.kind === 'multiline',
        ...(field.maxLength && { max_length: Math.min(field.maxLength, 3_000) }),
        ...(initialText(field.initial) && { initial_value: initialText(field.initial) }),
        ...(placeholder && { placeholder }),
      };
  }
}

export function fieldBlock(field: FieldSpec): types.InputBlock {
  const hint = field.kind === 'password' ? [field.hint, 'Visible while you type; never shown to approvers.'] : [field.hint];
  const hintText = hint.filter(Boolean).join(' ');
  return {
    type: 'input',
    block_id: field.id,
    label: plain(field.label, 2_000),
    optional: field.optional,
    element: element(field),
    ...(hintText && { hint: plain(hintText, 2_000) }),
  };
}

/** A preset in the select: its label and the accounts it creates (providers this bot does not know are left out). */
function presetOption(name: string, preset: Preset, providers: readonly AnyProvider[]): types.PlainTextOption {
  const creates = Object.keys(preset.accounts).map(labelIn(providers));
  return option({ value: presetValue(name), label: `${preset.label}: ${creates.join(', ')}` });
}

/**
 * The select at the top of the form, in groups: one account (the providers offered), several
 * accounts (every preset: the submit says who may not ask) and many accounts (a CSV of one
 * provider's). `selected` is a provider id, or a preset's or CSV's select value.
 */
export function providerBlock(args: {
  providers: readonly AnyProvider[];
  selected?: string;
  presets?: Readonly<Record<string, Preset>>;
  /** Every provider, to name a preset's accounts even where this person is not offered one. */
  allProviders?: readonly AnyProvider[];
}): types.InputBlock {
  const single = args.providers.slice(0, 100).map((provider) => option({ value: provider.id, label: provider.label }));
  const presets = Object.entries(args.presets ?? {})
    .slice(0, 100)
    .map(([name, preset]) => presetOption(name, preset, args.allProviders ?? args.providers));
  const csv = args.providers.slice(0, 100).map((provider) => option({ value: csvValue(provider.id), label: `CSV of ${provider.label} accounts` }));
  const all = [...single, ...presets, ...csv];
  const initial = args.selected === undefined ? undefined : all.find((candidate) => candidate.value === args.selected);
  const groups = [
    { label: plain('One account', 75), options: single },
    { label: plain('Several accounts (preset)', 75), options: presets },
    { label: plain('Many accounts (upload a CSV)', 75), options: csv },
  ].filter((group) => group.options.length > 0);
  return {
    type: 'input',
    block_id: IDS.providerBlock,
    dispatch_action: true,
    label: plain(presets.length > 0 ? 'Provider or preset' : 'Provider'),
    element: {
      type: 'static_select',
      action_id: IDS.providerSelect,
      placeholder: plain('Choose where the account is created'),
      ...(groups.length > 1 ? { option_groups: groups } : { options: all }),
      ...(initial && { initial_option: initial }),
    },
  };
}

/** The reason every form ends with. */
export function reasonBlock(placeholder = 'Why does this person need an account?'): types.InputBlock {
  return {
    type: 'input',
    block_id: IDS.reasonBlock,
    label: plain('Reason'),
    hint: plain('Shown to approvers and kept in the audit log.'),
    element: {
      type: 'plain_text_input',
      action_id: fieldAction(REASON_FIELD),
      multiline: true,
      max_length: REASON_MAX,
      placeholder: plain(placeholder),
    },
  };
}

/**
 * The /adduser modal: the provider selector first, then that provider's fields and the
 * reason. block_ids are field ids and never change, so switching providers with
 * views.update keeps whatever the person typed in fields both providers share.
 */
export function requestModal(args: {
  providers: readonly AnyProvider[];
  provider?: AnyProvider;
  dryRun: (provider: AnyProvider) => string | undefined;
  metadata: ModalMetadata;
  /** The policy's presets, offered in the select's second group. */
  presets?: Readonly<Record<string, Preset>>;
  allProviders?: readonly AnyProvider[];
}): types.ModalView {
  const { provider } = args;
  const blocks: types.KnownBlock[] = [providerBlock({ providers: args.providers, selected: provider?.id, presets: args.presets, allProviders: args.allProviders })];
  if (provider) {
    const dryRun = args.dryRun(provider);
    if (dryRun) {
      blocks.unshift({ type: 'context', elements: [mrkdwn(md`:test_tube: *Dry run:* ${dryRun}`)] });
    }
    blocks.push(...provider.fields.map(fieldBlock));
    blocks.push(reasonBlock());
  } else {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          Object.keys(args.presets ?? {}).length > 0
            ? md`Choose a provider to see the fields it needs, or a preset for several accounts at once.`
            : md`Choose a provider to see the fields it needs.`,
        ),
      ],
    });
  }
  const metadata: ModalMetadata = { ...args.metadata, ...(provider && { provider: provider.id }) };
  return {
    type: 'modal',
    callback_id: IDS.requestModal,
    title: plain('Request an account', 24),
    submit: plain(provider ? 'Submit request' : 'Next'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks: blocks.slice(0, 100),
  };
}

export function optionsFrom(choices: readonly Choice[]): types.Option[] {
  return choices.slice(0, 100).map(option);
}

/**
 * The generated password, in a modal only the requester opened: unlike a message, a modal
 * leaves nothing in any conversation's history once it is closed.
 */
export function revealModal(requestId: string, shown: { ok: true; secrets: readonly { label: string; value: string }[] } | { ok: false; why: string }): types.ModalView {
  const body = shown.ok
    ? [
        md`Keep this safe: it is shown only to you, only once, and the bot does not keep it.`,
        ...shown.secrets.map((secret) => md`*${secret.label}:* ${code(secret.value)}`),
      ]
    : [md`The generated password for ${code(requestId)} cannot be shown: ${shown.why} Set a new password for the account with the provider.`];
  return {
    type: 'modal',
    callback_id: IDS.revealModal,
    title: plain('Your new password', 24),
    close: plain('Done', 24),
    blocks: body.map((text) => ({ type: 'section', text: mrkdwn(text) })),
  };
}

/** The small dialog that asks an approver why they reject. */
export function rejectModal(requestId: string, target: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: IDS.rejectModal,
    title: plain('Reject request', 24),
    submit: plain('Reject', 24),
    close: plain('Back', 24),
    private_metadata: requestId,
    blocks: [
      { type: 'section', text: mrkdwn(md`Reject ${code(requestId)} for *${target}*?`) },
      {
        type: 'input',
        block_id: IDS.rejectReasonBlock,
        label: plain('Reason'),
        hint: plain('Posted in the request thread and kept in the audit log.'),
        element: {
          type: 'plain_text_input',
          action_id: fieldAction(IDS.rejectReasonBlock),
          multiline: true,
          max_length: REASON_MAX,
        },
      },
    ],
  };
}
