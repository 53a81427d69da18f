import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createHttpClient } from './adapters/http/client.js';
import { createDiscovery } from './adapters/providers/discovery.js';
import { createUser } from './adapters/providers/execute.js';
import { createLimiter, type ProviderLimits } from './adapters/providers/limiter.js';
import { createLookupService } from './adapters/providers/lookups.js';
import { createTokenCache } from './adapters/providers/tokens.js';
import { fieldLabelIn, labelIn } from './adapters/providers/types.js';
import { openStore } from './adapters/store/open.js';
import type { Store } from './adapters/store/types.js';
import { createSecretBox } from './adapters/store/sealed.js';
import type { Config } from './config/schema.js';
import { createAuditLog } from './domain/audit.js';
import { expireDue, expirySweepInterval } from './domain/expiry.js';
import { createLifecycle, type Lifecycle } from './domain/lifecycle/index.js';
import { createLiveness } from './domain/liveness.js';
import { createPolicyVersion } from './domain/policy/version.js';
import { createRequestReads } from './domain/requests/reads.js';
import { readPolicyFile } from './config/policy-file.js';
import { type AccessPolicy, policyFor, shortestDeadline } from './domain/policy/model.js';
import { privilegedIn } from './domain/policy/admission.js';
import { approversFor } from './domain/policy/model.js';
import { approvalsNeeded, describeApprovers } from './domain/policy/decisions.js';
import { respond, type Route, startHttpServer } from './http/server.js';
import { registerSecretValues } from './logging/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createSlackApp } from './slack/inbound/app.js';
import { createAuditAnchors } from './slack/delivery/audit-anchors.js';
import { createSlackClient } from './slack/workspace/client.js';
import { createSlackDirectory } from './slack/workspace/directory.js';
import { createFunctionTokens } from './slack/delivery/function-tokens.js';
import { createSlackIdentity } from './slack/workspace/identity.js';
import { createSlackReporter } from './slack/workspace/reachability.js';
import { registerListeners } from './slack/listeners/index.js';
import { createHome } from './slack/delivery/home.js';
import { createSlackNotifier } from './slack/delivery/notifier.js';
import { remindDue } from './slack/delivery/reminders.js';
import { createThreads } from './slack/delivery/threads.js';

/** For providers that publish no limits: a few calls at a time, no window. */
const DEFAULT_LIMITS: ProviderLimits = { concurrency: 4, windows: [] };

/** How long a password met at run time stays masked in logs: past its create call and its reveal. */
const RUNTIME_SECRET_LOG_MASK_MS = 15 * 60_000;

/** How often values past their time to live are deleted from the store (SQLite keeps them otherwise). */
const PURGE_MS = 10 * 60_000;

/** How often the outbox looks for Slack deliveries that are due (each step backs off on its own). */
const OUTBOX_SWEEP_MS = 1_000;

/** How often a service whose form could not be discovered is asked again. */
const DISCOVERY_RETRY_MS = 5 * 60_000;

/** How often, at most, the process looks whether the audit chain's anchor is due. */
const ANCHOR_CHECK_MS = 60_000;

/** A start-up the store's state forbids (the audit key): said in one line, without a stack. */
export class StartRefused extends Error {}

/** Runs `work` every `ms`, never two at once; `last()` waits for the run under way. */
function every(ms: number, work: () => Promise<unknown>, log: Logger, what: string) {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= work()
      .catch((error: unknown) => log.error({ err: error }, `${what} failed`))
      .finally(() => {
        running = undefined;
      });
  }, ms);
  timer.unref();
  return { stop: () => clearInterval(timer), last: async () => void (await running) };
}

/**
 * The audit log, keyed when ADDUSER_AUDIT_KEY is set. A process whose key is not the one the
 * log's records were written with (or that has none) would break the chain for every later
 * `verify`: it does not start.
 */
async function openAuditLog(store: Store, key: Config['audit']['key'], log: Logger) {
  const audit = createAuditLog(store, { key });
  const problem = await audit.keyProblem();
  if (problem) {
    await store.close();
    throw new StartRefused(problem);
  }
  if (!key) log.warn('ADDUSER_AUDIT_KEY is not set: audit records are hashed without a key, so anyone who can write the store can rewrite them undetected');
  return audit;
}

export interface RunningBot {
  port: number;
  /** The operations port (/readyz, /metrics) when ADDUSER_OPS_PORT is set. */
  opsPort?: number;
  /** Puts a re-read policy in force (SIGHUP) here and, through the store, on every replica; requests already decided keep the audit of theirs. */
  replacePolicy: (next: AccessPolicy) => Promise<void>;
  /** Asks the services that describe their forms again (SIGHUP); resolves once each answered or gave up. */
  rediscover: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The composition root: builds every adapter once, hands them to the domain and the Slack
 * layer, and starts serving. Nothing waits on Slack before listening, so /healthz answers at
 * once; Slack's verdict on the token arrives in the background.
 */
export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const providers = config.registry;
  const store = await openStore(config.storeUrl, { log });
  const audit = await openAuditLog(store, config.audit.key, log);
  const secrets = createSecretBox(config.secretKey);
  if (!secrets.encrypts) {
    log.warn('ADDUSER_SECRET_KEY is not set: typed and generated passwords are kept in clear in the store until their request is final');
  }
  const slackClient = createSlackClient(config, log);
  const reporter = createSlackReporter(log);
  const identity = createSlackIdentity(slackClient, config.slack.botToken, log, reporter);
  const http = createHttpClient();
  // One grant per provider serves creates and lookups alike; a granted token is masked in logs while it lives.
  const tokens = createTokenCache({ http, log, hide: (token, ttlMs) => registerSecretValues([token], ttlMs) });
  const requests = createRequestReads(store);
  const threads = createThreads(store);
  const functionTokens = createFunctionTokens(store, secrets, log);
  const directory = createSlackDirectory(slackClient, identity.workspace);
  // The windows live in the store: replicas together keep to what the provider allows.
  const limiters = new Map(
    providers.map((provider) => [provider.id, createLimiter(provider.limits ?? DEFAULT_LIMITS, {
        take: (windows, member) => store.takeSlot(`provider:${provider.id}`, windows, member),
        settle: (member) => store.settleSlot(`provider:${provider.id}`, member),
      })]),
  );
  const lookups = createLookupService({
    http,
    log,
    settingsOf: (provider) => config.providers[provider.id]!,
    limiterOf: (provider) => limiters.get(provider.id),
    tokens,
    timeoutMs: 2_000,
  });
  const discovery = createDiscovery({ http, log, providers, settingsOf: (provider) => config.providers[provider.id]! });
  // Off the listener's path: until a service answers (seconds at most), its fallback form stands and /readyz says so.
  const discovering = discovery.refresh();

  let policy = config.policy;
  const policyVersion = createPolicyVersion({
    store,
    current: () => policy,
    // Another replica put a policy in force: this one re-reads its file, which a deployment updates for all.
    reload: () => {
      if (!config.policyFile) return undefined;
      const read = readPolicyFile(config.policyFile);
      if (!read.ok) return undefined;
      if (read.policy.hash !== policy.hash) {
        policy = read.policy;
        log.info({ policyFile: config.policyFile, policy: policy.hash }, 'the policy file was re-read: another replica put a new version in force');
      }
      return policy;
    },
  });
  // A start is a deployment: its policy is the one in force from now on.
  await policyVersion.publish();
  // The bot's own acts (auto-approval, expiry) name the bot user once Slack has told us who that is.
  const botActor = () => identity.botUserId() ?? 'adduser-bot';
  const policyNow = () => policy;
  const approversText = (provider: string) => describeApprovers(approversFor(policy, provider));
  let lifecycle: Lifecycle | undefined;
  const metrics = createMetrics({
    pendingRequests: () => requests.pendingCount(),
    outboxDepth: () => notifier.depth(),
    providerQueue: () => [...limiters].map(([provider, limiter]) => ({ provider, queued: limiter.queued() })),
  });
  const instanceId = randomUUID();
  const liveness = createLiveness(store, instanceId);
  await liveness.beat();
  const notifier = createSlackNotifier({
    client: slackClient,
    store,
    audit,
    threads,
    labelOf: labelIn(providers),
    fieldLabel: fieldLabelIn(providers),
    auditChannel: config.auditChannel,
    requiredApprovals: (request) => approvalsNeeded(policy, request),
    approversText,
    privileged: (request) => privilegedIn(policyFor(policy, request.provider), request.privileges ?? {}),
    current: async (id) => {
      const request = await requests.get(id);
      return request && { request, approvedBy: await requests.approvers(id) };
    },
    batch: async (id) => {
      const found = await requests.batchOf(id);
      if (!found) return undefined;
      // Only a pending member's approvals are shown: read no others.
      const pending = found.members.filter((member) => member.state === 'pending');
      const approvals = await Promise.all(pending.map(async (member) => [member.id, await requests.approvers(member.id)] as const));
      return { ...found, approvedBy: new Map(approvals) };
    },
    batchRecord: (id) => requests.getBatch(id),
    hasRevealed: (id) => requests.hasRevealed(id),
    auditHead: () => audit.head(),
    functionTokens,
    refreshHome: (request) => home.refreshFor(request),
    onUndeliverable: (entry) => metrics.undeliverable(entry.kind),
    instanceId,
    alive: (instance) => liveness.alive(instance),
    log,
  });
  const home = createHome({
    client: slackClient,
    store,
    requests,
    threads,
    providers,
    policy: policyNow,
    directory,
    log,
  });
  lifecycle = createLifecycle({
    store,
    requests,
    audit,
    providers,
    settings: config.providers,
    create: async (provider, settings, input, { log: callLog, dryRun }) => {
      const limiter = limiters.get(provider.id)!;
      if (limiter.queued() > 0) callLog.info({ provider: provider.id, ahead: limiter.queued() }, 'queued behind the provider’s rate limit');
      const send = () => createUser(provider, settings, input, { http, log: callLog, dryRun, sendingOff: config.dryRun, holdUntil: limiter.holdUntil, tokens });
      // A dry run sends nothing, so it need not wait for a slot under the provider's limits.
      const result = dryRun ? await send() : await limiter.run(send);
      metrics.providerCall(provider.id, result.outcome.kind, result.durationMs / 1000);
      return result;
    },
    policy: policyNow,
    policyAgreed: policyVersion.check,
    directory,
    notifier,
    liveness,
    dryRun: config.dryRun,
    botActor,
    maxPending: config.maxPending,
    maxPendingAccounts: config.maxPendingAccounts,
    log,
    secrets,
    hideFromLogs: (value) => registerSecretValues([value], RUNTIME_SECRET_LOG_MASK_MS),
  });

  const slack = createSlackApp(config, log, identity, reporter);
  registerListeners(slack.app, { config, policy: policyNow, providers, lifecycle, requests, audit, directory, lookups, threads, metrics, home, functionTokens, log,
    once: (key) => store.add(`slack:once:${key}`, true, 86_400_000),
  });

  const health = { '/healthz': (_req, res) => respond.send(res, 200, 'ok\n') } satisfies Record<string, Route>;
  const operations = {
    ...health,
    '/readyz': async (_req, res) => {
      const storeOk = await store.ping();
      // Never waits on Slack: the background check keeps identity.problem() current.
      const slackProblem = identity.ready() ? slack.problem() : (identity.problem() ?? slack.problem() ?? 'Slack not checked yet');
      const policyProblem = policyVersion.problem();
      // A form that could not be discovered still works (its fallback), so only one still being asked for holds readiness.
      const forms = discovery.status();
      const body = `store: ${storeOk ? 'ok' : 'unreachable'}\nslack: ${slackProblem ?? 'ok'}\npolicy: ${policyProblem ?? 'ok'}\n${forms.map((form) => `form ${form.provider}: ${form.state}: ${form.detail}\n`).join('')}`;
      respond.send(res, storeOk && !slackProblem && !policyProblem && !forms.some((form) => form.state === 'discovering') ? 200 : 503, body);
    },
    '/metrics': async (_req, res) => respond.send(res, 200, await metrics.render(), metrics.contentType),
  } satisfies Record<string, Route>;
  // With ADDUSER_OPS_PORT, readiness and metrics stay off the port that faces Slack (and the internet).
  const opsServer = config.opsPort === undefined ? undefined : await startHttpServer({ port: config.opsPort, routes: operations });
  const server = await startHttpServer({
    port: config.port,
    routes: opsServer ? health : operations,
    slack: slack.requestListener,
    onSlackAnswered: metrics.ackObserved,
  });
  const checking = identity.keepChecking();
  slack.connect();
  const backfilled = await lifecycle!.backfillIndexes();
  if (backfilled > 0) log.info({ requests: backfilled }, 'indexed the open requests an earlier version stored');
  const outbox = every(OUTBOX_SWEEP_MS, () => notifier.sweep(), log, 'outbox sweep');
  const purge = every(PURGE_MS, () => store.purgeExpired(), log, 'expired-value purge');
  // The policy check rides along, so a replica left on another version says so in /readyz without waiting for a click.
  const heartbeat = every(liveness.ttlMs / 3, () => Promise.all([liveness.beat(), policyVersion.check()]), log, 'heartbeat');
  const anchors = createAuditAnchors({ store, audit, everyMs: config.audit.anchorEveryMs, post: notifier.anchor });
  // Without an audit channel there is nowhere outside the store to anchor to.
  const anchoring = config.auditChannel ? every(Math.min(config.audit.anchorEveryMs, ANCHOR_CHECK_MS), () => anchors.due(), log, 'audit anchor') : undefined;
  const recovery = every(liveness.ttlMs, () => lifecycle!.recover(botActor()), log, 'recovery');
  const rediscovery = every(DISCOVERY_RETRY_MS, () => discovery.refresh({ failedOnly: true }), log, 'form discovery');
  // Expiry is the bot's own act; the audit names the bot user once Slack has told us who that is.
  const expiry = every(
    expirySweepInterval(shortestDeadline(policy)),
    async () => {
      await remindDue({ requests, lifecycle: lifecycle!, store, threads, client: slackClient, approversText, labelOf: labelIn(providers), log });
      await lifecycle!.escalateDue();
      await expireDue(requests, lifecycle!, botActor());
    },
    log,
    'reminder, escalation and expiry sweep',
  );

  return {
    port: server.port,
    opsPort: opsServer?.port,
    replacePolicy: async (next) => {
      policy = next;
      await policyVersion.publish();
    },
    rediscover: () => discovery.refresh(),
    async stop() {
      for (const loop of [expiry, outbox, recovery, heartbeat, purge, checking, rediscovery]) loop.stop();
      await server.close();
      await opsServer?.close();
      await slack.disconnect();
      await lifecycle!.settled();
      await anchoring?.last();
      await notifier.idle();
      await outbox.last();
      await Promise.all([discovering, rediscovery.last()]);
      await liveness.retire();
      await http.close();
      await store.close();
    },
  };
}
