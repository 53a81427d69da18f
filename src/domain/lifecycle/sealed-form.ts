import { type AnyProvider, passwordFieldIds } from '../../adapters/providers/types.js';
import { CannotDecrypt } from '../../adapters/store/sealed.js';
import type { AccessRequest } from '../requests/request.js';
import type { Core } from './core.js';
import { passwordPlace } from '../requests/keys.js';

/** The form of request `id` as the store keeps it: password fields sealed, each bound to its request and field. */
export function sealForm(core: Core, provider: AnyProvider, values: Record<string, string | string[]>, id: string) {
  const sealed = { ...values };
  for (const fieldId of passwordFieldIds(provider)) {
    const value = sealed[fieldId];
    if (typeof value === 'string' && value !== '') sealed[fieldId] = core.deps.secrets.seal(value, passwordPlace(id, fieldId));
  }
  return sealed;
}

/** The stored form with its passwords opened, or why one of them is not used (another key, moved, kept clear). */
export function openForm(core: Core, provider: AnyProvider, request: AccessRequest): { ok: true; form: AccessRequest['form'] } | { ok: false; why: string } {
  const { deps } = core;
  const opened = { ...request.form };
  try {
    for (const fieldId of passwordFieldIds(provider)) {
      const value = opened[fieldId];
      if (typeof value !== 'string') continue;
      opened[fieldId] = deps.secrets.open(value, passwordPlace(request.id, fieldId));
      deps.hideFromLogs(opened[fieldId]);
    }
    return { ok: true, form: opened };
  } catch (error) {
    if (!(error instanceof CannotDecrypt)) throw error;
    deps.log.warn({ requestId: request.id, problem: error.message }, 'a stored password is not used');
    return { ok: false, why: error.message };
  }
}
