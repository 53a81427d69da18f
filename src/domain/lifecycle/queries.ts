import { CannotDecrypt } from '../../adapters/store/sealed.js';
import type { Revealed } from './types.js';
import type { Core } from './core.js';
import { revealKey } from '../requests/keys.js';

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
