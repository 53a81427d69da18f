import type { Logger } from 'pino';
import type { SecretBox } from '../../adapters/store/sealed.js';
import { CannotDecrypt } from '../../adapters/store/sealed.js';
import type { Store } from '../../adapters/store/types.js';

/** Where a step's token is kept, and the place its sealed value is bound to. */
export const functionTokenKey = (executionId: string) => `slack:function-token:${executionId}`;
/** Longer than a request waits (its time to live, then an unknown outcome an approver settles). */
export const FUNCTION_TOKEN_TTL_MS = 30 * 86_400_000;

/**
 * The execution tokens of workflow steps still waiting for their request (SPEC §10). The step
 * completes long after its event, perhaps on another replica or after a restart, with the
 * execution's own token: it is kept sealed like the passwords the store holds, and forgotten
 * once the step's completion is settled, whichever way.
 */
export function createFunctionTokens(store: Store, secrets: SecretBox, log: Logger) {
  return {
    async keep(executionId: string, token: string): Promise<void> {
      const key = functionTokenKey(executionId);
      await store.set(key, secrets.seal(token, key), FUNCTION_TOKEN_TTL_MS);
    },

    /**
     * Undefined when gone or not usable (sealed under another ADDUSER_SECRET_KEY, moved, or kept
     * clear although a key is set): the completion then uses the bot token, which Slack accepts too.
     */
    async get(executionId: string): Promise<string | undefined> {
      const key = functionTokenKey(executionId);
      const sealed = await store.get<string>(key);
      if (sealed === undefined) return undefined;
      try {
        return secrets.open(sealed, key);
      } catch (error) {
        if (!(error instanceof CannotDecrypt)) throw error;
        log.warn({ functionExecutionId: executionId, problem: error.message }, 'a workflow step’s stored token is not used: completing with the bot token');
        return undefined;
      }
    },

    forget: (executionId: string) => store.delete(functionTokenKey(executionId)).then(() => undefined),
  };
}

export type FunctionTokens = ReturnType<typeof createFunctionTokens>;
