import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

interface Sources {
  pendingRequests: () => Promise<number>;
  outboxDepth: () => Promise<number>;
  providerQueue: () => { provider: string; queued: number }[];
  storeUp: () => boolean;
}

/**
 * A gauge read from the store keeps its last value while the store does not answer: a scrape
 * still shows everything else, adduser_store_up among it, instead of failing whole.
 */
async function setFromStore(gauge: Gauge, read: () => Promise<number>): Promise<void> {
  try {
    gauge.set(await read());
  } catch {
    // adduser_store_up says why the value is stale.
  }
}

/** The gauges read when scraped: from the store, so every replica reports the same truth, or from this process. */
function gauges(registry: Registry, sources: Sources): void {
  new Gauge({
    name: 'adduser_pending_requests',
    help: 'Requests waiting for approval',
    registers: [registry],
    async collect() {
      await setFromStore(this, sources.pendingRequests);
    },
  });
  new Gauge({
    name: 'adduser_outbox_depth',
    help: 'Slack messages owed and not yet delivered (every replica: read from the store’s index of due steps)',
    registers: [registry],
    async collect() {
      await setFromStore(this, sources.outboxDepth);
    },
  });
  new Gauge({
    name: 'adduser_store_up',
    help: 'Whether the store answered this process’s last call (1) or is unavailable (0): every store call has a deadline',
    registers: [registry],
    collect() {
      this.set(sources.storeUp() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'adduser_provider_queue_depth',
    help: 'Provider calls waiting for a slot under the provider’s rate limits (this process)',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      for (const { provider, queued } of sources.providerQueue()) this.set({ provider }, queued);
    },
  });
}

/**
 * The bot's Prometheus metrics. Gauges that describe shared state (pending requests) are
 * read from the store at scrape time, so every replica reports the same truth.
 */
export function createMetrics(sources: Sources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const slackRequests = new Counter({
    name: 'adduser_slack_requests_total',
    help: 'Requests from Slack by payload type (command, block_actions, view_submission, …)',
    labelNames: ['type'],
    registers: [registry],
  });
  const ackSeconds = new Histogram({
    name: 'adduser_slack_ack_seconds',
    help: 'Time from a Slack request arriving to its acknowledgement (HTTP mode)',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
    registers: [registry],
  });
  const providerCalls = new Counter({
    name: 'adduser_provider_calls_total',
    help: 'Provider create calls by provider and outcome class',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });
  const providerSeconds = new Histogram({
    name: 'adduser_provider_call_seconds',
    help: 'Duration of provider create calls, retries included',
    labelNames: ['provider'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });
  gauges(registry, sources);
  const undeliverable = new Counter({
    name: 'adduser_slack_undeliverable_total',
    help: 'Slack messages refused for good (not_in_channel, is_archived, …) and recorded as undeliverable, by kind of message',
    labelNames: ['kind'],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'adduser_slack_rate_limited_total',
    help: 'Slack Web API calls answered 429 (Retry-After), by method: after each, that method (and channel) waits for every replica',
    labelNames: ['method'],
    registers: [registry],
  });
  return {
    undeliverable: (kind: string) => undeliverable.inc({ kind }),
    rateLimited: (method: string) => rateLimited.inc({ method }),
    slackRequest: (type: string) => slackRequests.inc({ type }),
    ackObserved: (seconds: number) => ackSeconds.observe(seconds),
    providerCall: (provider: string, outcome: string, seconds: number) => {
      providerCalls.inc({ provider, outcome });
      providerSeconds.observe({ provider }, seconds);
    },
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
