import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { policyFor } from '../../../domain/policy/model.js';
import { REASON_FIELD } from '../../../domain/requests/request.js';
import type { PersonDetails } from '../../../adapters/providers/types.js';
import { IDS } from '../../blocks/ids.js';
import { formValues } from '../../forms/state.js';
import type { createChannelAccess } from '../../workspace/channel-access.js';
import type { SlackDeps } from '../deps.js';
import { inlineErrors } from '../reply/inline-errors.js';
import type { Payload } from '../../inbound/payloads/index.js';
import { PERSON_KEYS, personBlock, personName, personQuestions, presetAccounts, presetErrors, presetForms } from '../../forms/preset-form.js';

type Submission = Payload<'requestSubmission'>;
type StateValues = Submission['view']['state']['values'];

/** The person's details as typed in the preset form (blank: absent). */
export function personFrom(values: StateValues): PersonDetails {
  const person: PersonDetails = {};
  for (const key of PERSON_KEYS) {
    const block = personBlock(key);
    const typed = values[block]?.[block]?.value?.trim();
    if (typed) person[key] = typed;
  }
  return person;
}

/**
 * A preset form's submit (SPEC §9): one account per preset provider, the preset's values with
 * the person's details in each provider's own fields, filed as one batch by `submitBatch`, which
 * stores nothing unless every account is valid and may be asked for. Its problems come back
 * on the blocks that caused them.
 */
export async function submitPreset(
  deps: SlackDeps,
  access: ReturnType<typeof createChannelAccess>,
  args: { name: string; body: Submission; channel?: string; ack: SlackViewMiddlewareArgs['ack']; client: AllMiddlewareArgs['client']; admit: () => Promise<boolean> },
): Promise<void> {
  const { body, ack, client, name } = args;
  const { view } = body;
  const policy = deps.policy();
  const preset = Object.hasOwn(policy.presets, name) ? policy.presets[name] : undefined;
  const accounts = preset ? presetAccounts(preset, deps.providers) : [];
  if (!preset || accounts.length === 0) {
    await ack(inlineErrors(view, { [IDS.providerBlock]: `The preset "${name}" is no longer in the policy: close this form and type /adduser again.` }));
    return;
  }
  const channel = policyFor(policy, accounts[0]!.provider.id).requestsChannel ?? args.channel;
  // Said in the form, before anything is stored: a request posted nowhere would wait unseen.
  const problem = await access.formProblem(client, channel);
  if (!channel || problem) {
    await ack(inlineErrors(view, { [IDS.providerBlock]: problem ?? '' }));
    return;
  }
  const person = personFrom(view.state.values);
  const reason = formValues(view.state.values)[REASON_FIELD];
  const result = await deps.lifecycle.submitBatch({
    requester: body.user.id,
    channel,
    reason: typeof reason === 'string' ? reason : '',
    kind: 'preset',
    preset: name,
    person: personName(person),
    accounts: presetForms(accounts, person),
    // As for one account: a second valid submission of the same view is Slack delivering it again.
    admit: args.admit,
  });
  if (!result.ok) {
    const asked = personQuestions(accounts).map((question) => question.key);
    await ack(inlineErrors(view, presetErrors(result.problems, accounts, asked, person)));
    return;
  }
  await ack();
}
