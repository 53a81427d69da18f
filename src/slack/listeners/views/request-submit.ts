import { randomUUID } from 'node:crypto';
import { policyFor } from '../../../domain/policy/model.js';
import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs } from '@slack/bolt';
import { IDS } from '../../blocks/ids.js';
import { csvOfValue, metadataOf, presetOfValue } from '../../blocks/modal.js';
import { formValues, selectedProvider } from '../../forms/state.js';
import { createChannelAccess } from '../../workspace/channel-access.js';
import type { SlackDeps } from '../deps.js';
import { inlineErrors, savedOrSaidSo } from '../reply/inline-errors.js';
import { type Payload, payloadOf } from '../../inbound/payloads/index.js';
import { providersFor } from '../../forms/askable.js';
import { formView } from '../../forms/request-form.js';
import { submitPreset } from './preset-submit.js';

/** Where a request form's submission goes: another form first ("Next" on a preset or CSV choice), a preset's batch, or one request. */
export type SubmissionRoute = { kind: 'next'; choice: string } | { kind: 'preset'; name: string } | { kind: 'request'; provider: string };

export function routeOf(view: Payload<'requestSubmission'>['view']): SubmissionRoute {
  const metadata = metadataOf(view.private_metadata);
  const selected = selectedProvider(view.state.values);
  const preset = selected === undefined ? metadata.preset : presetOfValue(selected);
  // A preset or CSV chosen in a form that is not yet its form is shown first.
  if (preset !== undefined) return preset === metadata.preset ? { kind: 'preset', name: preset } : { kind: 'next', choice: selected! };
  if (selected !== undefined && csvOfValue(selected) !== undefined) return { kind: 'next', choice: selected };
  return { kind: 'request', provider: selected ?? metadata.provider ?? '' };
}

/**
 * The request form's submit. The request is stored before the ack, so a request the person
 * saw accepted can never be lost; Slack messages follow after the ack. A requests channel the
 * bot cannot post in is said in the form and nothing is stored.
 */
export function registerRequestSubmit(app: App, deps: SlackDeps): void {
  const access = createChannelAccess(deps.log);
  app.view(IDS.requestModal, async ({ ack: answer, context, client }) => {
    const body = payloadOf(context, 'requestSubmission');
    const { view } = body;
    // A valid form closes its modal, so a second valid submission of the same view is Slack
    // delivering it again (a retry, a double click): it is acknowledged without a second request.
    const claim = deps.claim(`view-submission:${view.id}`, randomUUID());
    await savedOrSaidSo(view, answer, (ack) => submitRequest(deps, access, { body, ack, client, admit: claim.take }), claim.release);
  });
}

/** One submission of the request form: the next form, a preset's batch, or one request. */
async function submitRequest(
  deps: SlackDeps,
  access: ReturnType<typeof createChannelAccess>,
  { body, ack, client, admit }: { body: Payload<'requestSubmission'>; ack: SlackViewMiddlewareArgs['ack']; client: AllMiddlewareArgs['client']; admit: () => Promise<boolean> },
): Promise<void> {
  const { view } = body;
  const metadata = metadataOf(view.private_metadata);
  const route = routeOf(view);
  if (route.kind === 'next') {
    const offered = await providersFor(deps, body.user.id);
    await ack({ response_action: 'update', view: formView(deps, { offered, choice: route.choice, channel: metadata.channel ?? '' }) });
    return;
  }
  if (route.kind === 'preset') {
    await submitPreset(deps, access, { name: route.name, body, channel: metadata.channel, ack, client, admit });
    return;
  }
  const { provider } = route;
  const channel = policyFor(deps.policy(), provider).requestsChannel ?? metadata.channel;
  // Said in the form, before anything is stored: a request posted nowhere would wait unseen.
  const problem = await access.formProblem(client, channel);
  if (!channel || problem) {
    await ack(inlineErrors(view, { [IDS.providerBlock]: problem ?? '' }));
    return;
  }
  const result = await deps.lifecycle.submit({
    requester: body.user.id,
    provider,
    form: formValues(view.state.values),
    channel,
    admit,
  });
  if (!result.ok) {
    await ack(inlineErrors(view, result.errors));
    return;
  }
  await ack();
}
