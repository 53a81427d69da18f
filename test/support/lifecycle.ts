import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Outcome } from '../../src/adapters/providers/outcome.js';
import { providers } from '../../src/adapters/providers/registry.js';
import { createSecretBox } from '../../src/adapters/store/sealed.js';
import type { Secret } from '../../src/config/secret.js';
import { openStore } from '../../src/adapters/store/open.js';
import type { Store } from '../../src/adapters/store/types.js';
import { policyFromVariables } from '../../src/config/policy-variables.js';
import type { AccessPolicy } from '../../src/domain/policy/model.js';
import { createAuditLog } from '../../src/domain/audit.js';
import type { LifecycleEvent } from '../../src/domain/events.js';
import { createLifecycle, type LifecycleDeps } from '../../src/domain/lifecycle/index.js';
import { createLiveness } from '../../src/domain/liveness.js';
import { createRequestReads } from '../../src/domain/requests/reads.js';
import type { Directory } from '../../src/domain/policy/model.js';

export const APPROVERS = ['UAPPROVER1', 'UAPPROVER2'];
export const REQUESTER = 'UREQUESTER';
export const START = Date.parse('2026-12-01T10:00:00Z');
export const TTL_MS = 3_600_000;

export const defaultPolicy = (overrides: { requiredApprovals?: number } = {}): AccessPolicy =>
  policyFromVariables({ requestsChannel: undefined, approvers: { users: APPROVERS, groups: [] }, approversByProvider: {}, requiredApprovals: overrides.requiredApprovals ?? 1, ttlMs: TTL_MS });

export interface LifecycleHarnessOptions {
  /** Wraps the real SQLite store (to hold or count its calls). */
  wrapStore?: (store: Store) => Store;
  policy?: () => AccessPolicy;
  directory?: Directory;
  dryRun?: boolean;
  maxPending?: number;
  maxPendingAccounts?: number;
  policyAgreed?: LifecycleDeps['policyAgreed'];
  /** Providers with credentials; the others run as dry runs. */
  configured?: readonly string[];
  secretKey?: Secret;
  instanceId?: string;
}

/**
 * The lifecycle over a real SQLite store in a temporary directory, with a provider whose answers
 * the test queues (an empty queue answers `unknown`), a clock the test moves, and every audit
 * record and published event kept: the domain without Slack or HTTP.
 */
export async function startLifecycle(options: LifecycleHarnessOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'adduser-lifecycle-'));
  const real = await openStore(`sqlite://${join(dir, 'store.sqlite')}`, { log: pino({ level: 'silent' }) });
  const store = options.wrapStore ? options.wrapStore(real) : real;
  const answers: (() => Promise<Outcome>)[] = [];
  const calls: { provider: string; input: unknown; dryRun: boolean }[] = [];
  const events: LifecycleEvent[] = [];
  const hidden: string[] = [];
  const clock = { now: START };
  const configured = options.configured ?? ['checkcentral', 'smscentral', 'digicert'];
  const audit = createAuditLog(store);
  const now = () => new Date(clock.now);
  const requests = createRequestReads(store, now);
  const deps: LifecycleDeps = {
    store,
    requests,
    audit,
    providers,
    settings: Object.fromEntries(providers.map((provider) => [provider.id, { baseUrl: 'http://127.0.0.1:9', configured: configured.includes(provider.id) }])),
    create: async (provider, _settings, input, call) => {
      calls.push({ provider: provider.id, input, dryRun: call.dryRun });
      if (call.dryRun) return { outcome: { kind: 'dry_run', message: 'POST /dry' }, request: 'POST /dry' };
      const answer = answers.shift() ?? (async (): Promise<Outcome> => ({ kind: 'unknown', message: 'timed out after sending' }));
      return { outcome: await answer(), request: `POST /${provider.id}` };
    },
    policy: options.policy ?? (() => defaultPolicy()),
    botActor: () => 'UBOT',
    directory: options.directory ?? { isAdminOrOwner: async () => false, groupMembers: async () => [] },
    notifier: { publish: (event) => void events.push(event) },
    liveness: createLiveness(store, options.instanceId ?? 'this-process'),
    dryRun: options.dryRun ?? false,
    maxPending: options.maxPending ?? 10,
    maxPendingAccounts: options.maxPendingAccounts ?? 250,
    policyAgreed: options.policyAgreed ?? (async () => ({ ok: true })),
    log: pino({ level: 'silent' }),
    secrets: createSecretBox(options.secretKey),
    hideFromLogs: (value) => void hidden.push(value),
    now,
  };
  const lifecycle = createLifecycle(deps);
  let stopped = false;
  return {
    dir,
    store,
    real,
    deps,
    lifecycle,
    requests,
    answers,
    calls,
    events,
    hidden,
    clock,
    audit,
    /** The actions of the audit records of one request, in order. */
    actions: async (id: string) => (await audit.read()).filter((record) => record.requestId === id).map((record) => record.action),
    /** Idempotent: a suite's afterEach may meet a harness an earlier test already stopped. */
    async stop() {
      if (stopped) return;
      stopped = true;
      await lifecycle.settled();
      await real.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type LifecycleHarness = Awaited<ReturnType<typeof startLifecycle>>;
