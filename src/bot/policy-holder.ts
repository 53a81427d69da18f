import type { Logger } from 'pino';
import type { Store } from '../adapters/store/types.js';
import { readPolicyFile } from '../config/policy-file.js';
import type { Config } from '../config/schema.js';
import type { AccessPolicy } from '../domain/policy/model.js';
import { createPolicyVersion } from '../domain/policy/version.js';

/**
 * The policy in force in this process, which a SIGHUP (or another replica's new version, through
 * the store) replaces: everything reads it per use through `now()`.
 */
export async function holdPolicy(config: Config, store: Store, log: Logger) {
  let policy = config.policy;
  const version = createPolicyVersion({
    store,
    current: () => policy,
    // Another replica put a policy in force: this one re-reads its file, which a deployment updates for all.
    reload: () => {
      if (!config.policyFile) return undefined;
      const read = readPolicyFile(config.policyFile, config.registry);
      if (!read.ok) return undefined;
      if (read.policy.hash !== policy.hash) {
        policy = read.policy;
        log.info({ policyFile: config.policyFile, policy: policy.hash }, 'the policy file was re-read: another replica put a new version in force');
      }
      return policy;
    },
  });
  // A start is a deployment: its policy is the one in force from now on.
  await version.publish();
  return {
    now: () => policy,
    version,
    /** Puts a re-read policy in force here and, through the store, on every replica. */
    async replace(next: AccessPolicy): Promise<void> {
      policy = next;
      await version.publish();
    },
  };
}

export type PolicyHolder = Awaited<ReturnType<typeof holdPolicy>>;
