import type { Outcome } from '../../adapters/providers/outcome.js';
import { crashPoint } from '../crash-points.js';
import type { AccessRequest, RequestState } from '../requests/request.js';
import { type Core, move, providerOf, record } from './core.js';
import { keepForReveal } from './reveal.js';
import { openForm } from './sealed-form.js';
import { untilStored } from './until-stored.js';

function outcomeState(outcome: Outcome): Extract<RequestState, 'succeeded' | 'failed' | 'unknown'> {
  if (outcome.kind === 'created' || outcome.kind === 'dry_run') return 'succeeded';
  if (outcome.kind === 'unknown') return 'unknown';
  return 'failed';
}

/**
 * Calls the provider for an approved request. Only the caller that moves it to
 * `provisioning` calls; a crash or timeout after that leaves `unknown`, never a repeat.
 */
async function provisionNow(core: Core, id: string, actor: string): Promise<AccessRequest | undefined> {
  const { deps } = core;
  const request = await untilStored(core, id, () => core.requests.get(id));
  if (!request || request.state !== 'approved') return undefined;
  const provider = providerOf(core, request.provider);
  const provisioning = await untilStored(core, id, () =>
    move(core, request, ['approved'], {
      state: 'provisioning',
      owner: deps.liveness.instanceId,
      attempts: request.attempts + 1,
    }),
  );
  if (!provisioning || !provider) return undefined;
  const audited = core.background.run(untilStored(core, id, () => record(core, provisioning, 'provisioning', actor)));

  let outcome: Outcome;
  let wireRequest: string | undefined;
  const form = openForm(core, provider, provisioning);
  const parsed = form.ok ? provider.input.safeParse(provider.fromForm(form.form)) : undefined;
  if (!form.ok) {
    outcome = { kind: 'rejected', message: form.why };
  } else if (!parsed?.success) {
    outcome = { kind: 'rejected', message: `The stored request no longer passes ${provider.label}'s checks.` };
  } else {
    try {
      const result = await deps.create(provider, deps.settings[provider.id]!, parsed.data, {
        log: deps.log.child({ requestId: id }),
        dryRun: provisioning.dryRun,
      });
      outcome = result.outcome;
      wireRequest = result.request;
    } catch (error) {
      deps.log.error({ err: error, requestId: id }, 'provider call threw');
      outcome = { kind: 'unknown', message: `${provider.label}: the call failed unexpectedly; the user may or may not exist.` };
    }
  }
  const state = outcomeState(outcome);
  // Before the form is dropped, so a crash before Slack is told loses nothing.
  if (outcome.kind === 'created') await untilStored(core, id, () => keepForReveal(core, provisioning));
  const answer =
    outcome.kind === 'created' ? { providerUserId: outcome.providerUserId, warnings: outcome.warnings } : { error: outcome.kind === 'dry_run' ? undefined : outcome.message };
  const done = await untilStored(
    core,
    id,
    async () => (await move(core, provisioning, ['provisioning'], { state, outcome, wireRequest })) ?? (await settleLate(core, provisioning, state, outcome, wireRequest)),
  );
  await audited;
  if (!done) {
    // The request moved on (an approver chose Retry, say): the answer is still a fact the audit and the thread must show.
    deps.log.warn({ requestId: id, attempt: provisioning.attempts, outcome: outcome.kind }, 'a provider answer came after its request had moved on');
    await untilStored(core, id, () => record(core, provisioning, 'late_answer', actor, answer));
    return undefined;
  }
  await untilStored(core, id, () => record(core, done, state, actor, answer));
  crashPoint('after-provider-answer');
  return done;
}

/**
 * A provider answer for a request another replica turned `unknown` while the call was out
 * (this process looked dead): the answer settles exactly that unknown, nothing later.
 */
async function settleLate(core: Core, provisioning: AccessRequest, state: RequestState, outcome: Outcome, wireRequest: string | undefined) {
  const current = await core.requests.get(provisioning.id);
  if (current?.state !== 'unknown' || current.attempts !== provisioning.attempts) return undefined;
  core.deps.log.warn({ requestId: provisioning.id, outcome: outcome.kind }, 'a late provider answer settles an outcome that was marked unknown');
  return move(core, current, ['unknown'], { state, outcome, wireRequest });
}

/** Provisions an approved request; calls under way are awaited by `settled()`, so a shutdown lets them finish. */
export function provision(core: Core, id: string, actor: string): Promise<AccessRequest | undefined> {
  const running = provisionNow(core, id, actor);
  void core.background.run(running.then(() => undefined));
  return running;
}
