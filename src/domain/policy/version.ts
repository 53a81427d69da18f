import { createHash } from 'node:crypto';
import type { Store } from '../../adapters/store/types.js';
import type { AccessPolicy, Verdict } from './model.js';
import { canonicalJson } from '../audit.js';

const VERSION_KEY = 'policy:version';
/** A replica whose policy differs re-reads its file at most this often while it waits to agree. */
const RELOAD_EVERY_MS = 5_000;

/** The policy's version: the file's hash, or the hash of the policy the variables make. */
export const versionOf = (policy: AccessPolicy): string => policy.hash ?? createHash('sha256').update(canonicalJson(policy)).digest('hex').slice(0, 12);

export interface PolicyVersionDeps {
  store: Store;
  /** The policy this replica holds now. */
  current: () => AccessPolicy;
  /** Re-reads the policy's source (the file) and puts it in force; undefined when it cannot (variables, a broken file). */
  reload: () => AccessPolicy | undefined;
  now?: () => number;
}

/**
 * SPEC §6: every replica decides under the same policy. The version in force is in the store,
 * set by the replica that last started or re-read its file (SIGHUP); a replica holding another
 * re-reads its own file, and if that still differs it decides nothing and says so (in each
 * refusal and in /readyz) until the two agree.
 */
export function createPolicyVersion(deps: PolicyVersionDeps) {
  const now = deps.now ?? Date.now;
  let lastReload = 0;
  let problem: string | undefined;

  async function check(): Promise<Verdict> {
    let mine = versionOf(deps.current());
    // A store no replica has published to yet (an older version wrote it): the first to look publishes.
    const inForce = (await deps.store.get<string>(VERSION_KEY)) ?? ((await deps.store.add(VERSION_KEY, mine)) ? mine : await deps.store.get<string>(VERSION_KEY));
    if (inForce !== mine && now() - lastReload >= RELOAD_EVERY_MS) {
      lastReload = now();
      const reloaded = deps.reload();
      if (reloaded) mine = versionOf(reloaded);
    }
    problem = inForce === mine || inForce === undefined ? undefined : `policy ${inForce} is in force on other replicas; this one holds ${mine}`;
    return problem ? { ok: false, why: `This replica of adduser-bot holds another version of the access policy than the others (${mine}, not ${inForce}), so it decides nothing until they agree. Try again in a minute; if it goes on, tell whoever runs the bot.` } : { ok: true };
  }

  return {
    /** This replica's policy is the one in force from now on (it started, or re-read its file). */
    publish: async (): Promise<void> => {
      await deps.store.set(VERSION_KEY, versionOf(deps.current()));
      problem = undefined;
    },
    /** Whether this replica may decide now; a refusal says why, for the person who asked. */
    check,
    /** What /readyz says while this replica disagrees; undefined when it agrees. */
    problem: () => problem,
  };
}

export type PolicyVersion = ReturnType<typeof createPolicyVersion>;
