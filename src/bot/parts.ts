import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Lifecycle } from '../domain/lifecycle/index.js';
import type { Liveness } from '../domain/liveness.js';
import type { Directory } from '../domain/policy/model.js';
import type { RequestReads } from '../domain/requests/reads.js';
import type { Metrics } from '../observability/metrics.js';
import type { SlackIdentity } from '../slack/workspace/identity.js';
import type { SlackReporter } from '../slack/workspace/reachability.js';
import type { Adapters } from './adapters.js';
import type { PolicyHolder } from './policy-holder.js';

/** The parts the composition root builds, by name: each builder takes the ones it needs, built before it. */
export interface Parts {
  config: Config;
  log: Logger;
  adapters: Adapters;
  client: webApi.WebClient;
  identity: SlackIdentity;
  reporter: SlackReporter;
  directory: Directory;
  policy: PolicyHolder;
  requests: RequestReads;
  metrics: Metrics;
  liveness: Liveness;
  /** Who the audit names when the bot acts by itself: the bot user, once Slack has said who that is. */
  botActor: () => string;
  lifecycle: Lifecycle;
}
