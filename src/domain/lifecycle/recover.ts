import { type Core, move, record } from './core.js';
import { ANNOUNCE_GRACE_MS, BATCH } from '../requests/keys.js';
import { provision } from './provision.js';
import { announce } from './filing.js';

/** What dead processes left half-done: unannounced requests, approved ones never sent, calls cut off. */

/** Requests stored by a process that died before their `requested` record, announced now. */
async function announceOrphans(core: Core): Promise<number> {
  let recovered = 0;
  for (const id of await core.index.orphans(ANNOUNCE_GRACE_MS, BATCH)) {
    const request = await core.requests.get(id);
    if (!request) {
      await core.index.announced(id);
      continue;
    }
    core.deps.log.warn({ requestId: id }, 'announcing a request whose process died before it was announced');
    await announce(core, request);
    recovered += 1;
  }
  return recovered;
}

/**
 * Finishes what dead processes left half-done. `approved` means the provider was never
 * called, so it is provisioned now; `provisioning` means the call may have reached the
 * provider, so it becomes `unknown` for an approver to settle — never a repeated create.
 */
export async function recover(core: Core, actor: string): Promise<number> {
  const { deps } = core;
  let recovered = await announceOrphans(core);
  for (const request of await core.index.inFlight(core.requests.get, BATCH)) {
    if (!request.owner) continue;
    if (await deps.liveness.alive(request.owner)) continue;
    if (request.state === 'approved') {
      deps.log.warn({ requestId: request.id }, 'recovering an approved request whose process died before the provider call');
      if (await provision(core, request.id, request.decision?.by ?? actor)) recovered += 1;
      continue;
    }
    const message = 'The bot stopped while the create call was in flight, so the account may or may not exist.';
    const unknown = await move(core, request, ['provisioning'], { state: 'unknown', outcome: { kind: 'unknown', message } });
    if (!unknown) continue;
    deps.log.warn({ requestId: request.id }, 'a provider call was cut off by a crash: outcome unknown');
    await record(core, unknown, 'unknown', actor, { error: message });
    recovered += 1;
  }
  return recovered;
}
