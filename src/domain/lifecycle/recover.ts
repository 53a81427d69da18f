import type { AccessRequest } from '../requests/request.js';
import type { Core } from './core.js';
import { ANNOUNCE_GRACE_MS, BATCH } from '../requests/keys.js';
import type { Provision } from './provision.js';

/** What dead processes left half-done: unannounced requests, approved ones never sent, calls cut off. */
export function recovering(core: Core, steps: { announce: (request: AccessRequest) => Promise<void>; provision: Provision }) {
  const { deps, log, index, record, move, get } = core;
  const { announce, provision } = steps;

  return {
    /**
     * Finishes what dead processes left half-done. `approved` means the provider was never
     * called, so it is provisioned now; `provisioning` means the call may have reached the
     * provider, so it becomes `unknown` for an approver to settle — never a repeated create.
     */
    async recover(actor: string): Promise<number> {
      let recovered = 0;
      for (const id of await index.orphans(ANNOUNCE_GRACE_MS, BATCH)) {
        const request = await get(id);
        if (!request) {
          await index.announced(id);
          continue;
        }
        log.warn({ requestId: id }, 'announcing a request whose process died before it was announced');
        await announce(request);
        recovered += 1;
      }
      for (const request of await index.inFlight(get, BATCH)) {
        if (!request.owner) continue;
        if (await deps.liveness.alive(request.owner)) continue;
        if (request.state === 'approved') {
          log.warn({ requestId: request.id }, 'recovering an approved request whose process died before the provider call');
          if (await provision(request.id, request.decision?.by ?? actor)) recovered += 1;
          continue;
        }
        const message = 'The bot stopped while the create call was in flight, so the account may or may not exist.';
        const unknown = await move(request, ['provisioning'], { state: 'unknown', outcome: { kind: 'unknown', message } });
        if (!unknown) continue;
        log.warn({ requestId: request.id }, 'a provider call was cut off by a crash: outcome unknown');
        await record(unknown, 'unknown', actor, { error: message });
        recovered += 1;
      }
      return recovered;
    },
  };
}
