import { passwordFieldIds } from '../../adapters/providers/types.js';
import { policyFor } from '../policy/model.js';
import { escalationDueAt } from '../policy/admission.js';
import { type AccessRequest, newRequestId } from '../requests/request.js';
import { type Core, record } from './core.js';
import type { Checked } from './form-check.js';
import { sealForm } from './sealed-form.js';
import { ALL_REQUESTS_KEY, announcedKey, byUserKey, requestKey } from '../requests/keys.js';

/** A checked form as a new pending request, not stored yet. */
export function draft(
  core: Core,
  checked: Checked,
  args: { requester: string; channel: string; workflow?: AccessRequest['workflow']; batch?: AccessRequest['batch'] },
  created: Date,
): AccessRequest {
  const { deps } = core;
  const { provider, reason, values, generated, input } = checked;
  // Only a request that will be stored has passwords worth keeping out of the logs: a refused
  // file's rows never reach a log line, and registering them would let anyone grow the list.
  for (const id of passwordFieldIds(provider)) {
    const value = values[id];
    if (typeof value === 'string' && value !== '') deps.hideFromLogs(value);
  }
  const rules = policyFor(deps.policy(), provider.id);
  const id = newRequestId();
  const request: AccessRequest = {
    id,
    provider: provider.id,
    state: 'pending',
    requester: args.requester,
    reason,
    target: provider.target(input),
    privileges: provider.privileges(input),
    details: provider.summary(input).map((choice) => ({ label: choice.label, value: String(choice.value) })),
    form: sealForm(core, provider, values, id),
    generated,
    channel: args.channel,
    ...(args.workflow && { workflow: args.workflow }),
    ...(args.batch && { batch: args.batch }),
    dryRun: deps.dryRun || !deps.settings[provider.id]?.configured,
    attempts: 0,
    createdAt: created.toISOString(),
    updatedAt: created.toISOString(),
    expiresAt: new Date(created.getTime() + rules.ttlMs).toISOString(),
  };
  const escalateAt = escalationDueAt(rules, request.createdAt);
  if (escalateAt !== undefined) request.escalateAt = new Date(escalateAt).toISOString();
  return request;
}

/**
 * Stores a drafted request where every reader finds it; its announcement follows. The request's
 * own record is written last: until it is, every reader (and recovery) skips the id, so a
 * store that fails part-way leaves nothing that is ever filed, and the person may submit again.
 */
export async function keep(core: Core, request: AccessRequest): Promise<void> {
  const { index, deps } = core;
  await Promise.all([index.enter(request), index.unannounced(request.id)]);
  await Promise.all([deps.store.append(byUserKey(request.requester), request.id), deps.store.append(ALL_REQUESTS_KEY, request.id)]);
  await deps.store.add(requestKey(request.id), request);
}

/** The `requested` record, which the outbox turns into the request message: written once. */
export async function announce(core: Core, request: AccessRequest): Promise<void> {
  if (await core.deps.store.add(announcedKey(request.id), true)) await record(core, request, 'requested', request.requester, { reason: request.reason });
  await core.index.announced(request.id);
}
