import { fieldLabel } from '../../adapters/providers/types.js';
import { CannotDecrypt } from '../../adapters/store/sealed.js';
import type { Revealed } from './types.js';
import type { AccessRequest } from '../requests/request.js';
import { type Core, providerOf } from './core.js';
import { openForm } from './sealed-form.js';
import { REVEAL_TTL_MS, revealKey } from '../requests/keys.js';

/**
 * The passwords the bot generated for `request`, kept apart (sealed again, bound to where they
 * now live) before the form is dropped, until the requester opens them once. A password that
 * is not used is kept as it was stored, so the requester is told why it cannot be shown.
 */
export async function keepForReveal(core: Core, request: AccessRequest): Promise<void> {
  const provider = providerOf(core, request.provider);
  if (!provider || request.generated.length === 0) return;
  const opened = openForm(core, provider, request);
  const secrets = request.generated.flatMap((fieldId) => {
    const value = (opened.ok ? opened.form : request.form)[fieldId];
    if (typeof value !== 'string') return [];
    return [{ label: fieldLabel(provider, fieldId), value: opened.ok ? core.deps.secrets.seal(value, revealKey(request.id)) : value }];
  });
  if (secrets.length > 0) await core.deps.store.set(revealKey(request.id), secrets, REVEAL_TTL_MS);
}

/**
 * The generated secrets, opened, for the caller to show the requester; they stay kept until
 * `forgetRevealed`, which the caller calls once they are on the requester's screen.
 */
export async function peekRevealed(core: Core, id: string): Promise<Revealed | undefined> {
  const { deps } = core;
  const sealed = await deps.store.get<{ label: string; value: string }[]>(revealKey(id));
  if (!sealed) return undefined;
  try {
    const secrets = sealed.map((secret) => ({ label: secret.label, value: deps.secrets.open(secret.value, revealKey(id)) }));
    for (const secret of secrets) deps.hideFromLogs(secret.value);
    return { ok: true, secrets };
  } catch (error) {
    if (!(error instanceof CannotDecrypt)) throw error;
    deps.log.warn({ requestId: id, problem: error.message }, 'a generated password is not used');
    return { ok: false, why: error.message };
  }
}

export async function forgetRevealed(core: Core, id: string): Promise<void> {
  await core.deps.store.delete(revealKey(id));
}
