import type { SecretBox } from '../adapters/store/sealed.js';
import { CannotDecrypt } from '../adapters/store/sealed.js';
import type { Store } from '../adapters/store/types.js';

const tokenKey = (executionId: string) => `slack:function-token:${executionId}`;
/** Longer than a request waits (its time to live, then an unknown outcome an approver settles). */
const TOKEN_TTL_MS = 30 * 86_400_000;

/**
 * The execution tokens of workflow steps still waiting for their request (SPEC §10). The step
 * completes long after its event, perhaps on another replica or after a restart, with the
 * execution's own token: it is kept sealed like the passwords the store holds, and forgotten
 * once the step is completed.
 */
export function createFunctionTokens(store: Store, secrets: SecretBox) {
  return {
    async keep(executionId: string, token: string): Promise<void> {
      await store.set(tokenKey(executionId), secrets.seal(token), TOKEN_TTL_MS);
    },

    /** Undefined when gone or sealed under another ADDUSER_SECRET_KEY: the completion then uses the bot token, which Slack accepts too. */
    async get(executionId: string): Promise<string | undefined> {
      const sealed = await store.get<string>(tokenKey(executionId));
      if (sealed === undefined) return undefined;
      try {
        return secrets.open(sealed);
      } catch (error) {
        if (error instanceof CannotDecrypt) return undefined;
        throw error;
      }
    },

    forget: (executionId: string) => store.delete(tokenKey(executionId)).then(() => undefined),
  };
}

export type FunctionTokens = ReturnType<typeof createFunctionTokens>;
