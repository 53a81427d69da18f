import { createClaims } from '../domain/claims.js';
import { respond, type Route, startHttpServer } from '../http/server.js';
import { createSlackApp } from '../slack/inbound/app.js';
import { registerListeners } from '../slack/listeners/index.js';
import type { Adapters } from './adapters.js';
import type { Delivery } from './delivery.js';
import type { Parts } from './parts.js';
import type { PolicyHolder } from './policy-holder.js';

/** How long a payload's "seen once" mark is kept: longer than Slack retries a delivery. */
const ONCE_MS = 86_400_000;

/**
 * /readyz: the store answers, Slack took the token, this replica holds the policy in force, every
 * form is known. The ping has its own deadline, so a store that hangs is said within a second.
 */
function readiness(adapters: Adapters, policy: PolicyHolder, slackProblem: () => string | undefined): Route {
  return async (_req, res) => {
    const storeOk = await adapters.store.ping();
    const store = storeOk ? 'ok' : `unavailable (${adapters.store.health.reason() ?? 'it does not answer'})`;
    const problem = slackProblem();
    const policyProblem = policy.version.problem();
    // A form that could not be discovered still works (its fallback), so only one still being asked for holds readiness.
    const forms = adapters.discovery.status();
    const body = `store: ${store}\nslack: ${problem ?? 'ok'}\npolicy: ${policyProblem ?? 'ok'}\n${forms.map((form) => `form ${form.provider}: ${form.state}: ${form.detail}\n`).join('')}`;
    respond.send(res, storeOk && !problem && !policyProblem && !forms.some((form) => form.state === 'discovering') ? 200 : 503, body);
  };
}

/** The Slack app with every listener, and the HTTP servers: /slack/events (HTTP mode), /healthz, /readyz, /metrics. */
export async function serve(deps: Pick<Parts, 'config' | 'adapters' | 'policy' | 'requests' | 'lifecycle' | 'directory' | 'identity' | 'reporter' | 'metrics' | 'log'> & { delivery: Delivery }) {
  const { config, adapters, delivery, identity, metrics, log } = deps;
  const slack = createSlackApp(config, log, identity, deps.reporter);
  const claims = createClaims(adapters.store, ONCE_MS);
  registerListeners(slack.app, {
    config,
    policy: deps.policy.now,
    providers: adapters.providers,
    lifecycle: deps.lifecycle,
    requests: deps.requests,
    audit: adapters.audit,
    directory: deps.directory,
    lookups: adapters.lookups,
    threads: delivery.threads,
    metrics,
    home: delivery.home,
    functionTokens: delivery.functionTokens,
    log,
    claim: (key, attempt) => claims(`slack:once:${key}`, attempt),
  });
  // Never waits on Slack: the background check keeps identity.problem() current.
  const slackProblem = () => (identity.ready() ? slack.problem() : (identity.problem() ?? slack.problem() ?? 'Slack not checked yet'));
  const health = { '/healthz': (_req, res) => respond.send(res, 200, 'ok\n') } satisfies Record<string, Route>;
  const operations = {
    ...health,
    '/readyz': readiness(adapters, deps.policy, slackProblem),
    '/metrics': async (_req, res) => respond.send(res, 200, await metrics.render(), metrics.contentType),
  } satisfies Record<string, Route>;
  // With ADDUSER_OPS_PORT, readiness and metrics stay off the port that faces Slack (and the internet).
  const opsServer = config.opsPort === undefined ? undefined : await startHttpServer({ port: config.opsPort, routes: operations });
  const server = await startHttpServer({ port: config.port, routes: opsServer ? health : operations, slack: slack.requestListener, onSlackAnswered: metrics.ackObserved });
  slack.connect();
  return { slack, server, opsServer };
}
