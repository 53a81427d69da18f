import { fieldLabelIn, labelIn } from '../adapters/providers/types.js';
import { privilegedIn } from '../domain/policy/admission.js';
import { approvalsNeeded, describeApprovers } from '../domain/policy/decisions.js';
import { approversFor, policyFor } from '../domain/policy/model.js';
import type { RequestReads } from '../domain/requests/reads.js';
import type { BatchNow } from '../slack/delivery/context.js';
import { createFunctionTokens } from '../slack/delivery/function-tokens.js';
import { createHome } from '../slack/delivery/home.js';
import { createSlackNotifier } from '../slack/delivery/notifier.js';
import { createThreads } from '../slack/delivery/threads.js';
import { PacedWebClient } from '../slack/delivery/paced-client.js';
import { SlackPace } from '../slack/delivery/pace.js';
import { webClientOptions } from '../slack/workspace/client.js';
import type { Parts } from './parts.js';

/** A batch and its members as they are now; only a pending member's approvals are shown, so no others are read. */
async function batchNow(requests: RequestReads, id: string): Promise<BatchNow | undefined> {
  const found = await requests.batchOf(id);
  if (!found) return undefined;
  const pending = found.members.filter((member) => member.state === 'pending');
  const approvals = await Promise.all(pending.map(async (member) => [member.id, await requests.approvers(member.id)] as const));
  return { ...found, approvedBy: new Map(approvals) };
}

/**
 * What the bot owes Slack, built before the lifecycle that feeds it (the notifier is the
 * lifecycle's Notifier port): thread locations, workflow tokens, App Homes and the notifier,
 * each reading requests through the domain's reads.
 */
export function buildDelivery(deps: Pick<Parts, 'config' | 'adapters' | 'policy' | 'requests' | 'directory' | 'liveness' | 'metrics' | 'log'>) {
  const { config, adapters, policy, requests, log } = deps;
  const { store, audit, providers } = adapters;
  // What the bot sends on its own (the outbox, App Homes, reminders) keeps to one pace shared by every replica.
  const client = new PacedWebClient(config.slack.botToken.reveal(), webClientOptions(config, log), new SlackPace(store, config.slackPace === 'slack'), (method) => deps.metrics.rateLimited(method));
  const threads = createThreads(store);
  const functionTokens = createFunctionTokens(store, adapters.secrets, log);
  const approversText = (provider: string) => describeApprovers(approversFor(policy.now(), provider));
  const home = createHome({ client, store, requests, threads, providers, policy: policy.now, directory: deps.directory, log });
  const notifier = createSlackNotifier({
    client,
    store,
    audit,
    threads,
    labelOf: labelIn(providers),
    fieldLabel: fieldLabelIn(providers),
    auditChannel: config.auditChannel,
    requiredApprovals: (request) => approvalsNeeded(policy.now(), request),
    approversText,
    privileged: (request) => privilegedIn(policyFor(policy.now(), request.provider), request.privileges ?? {}),
    current: async (id) => {
      const request = await requests.get(id);
      return request && { request, approvedBy: await requests.approvers(id) };
    },
    batch: (id) => batchNow(requests, id),
    batchRecord: (id) => requests.getBatch(id),
    hasRevealed: (id) => requests.hasRevealed(id),
    auditHead: () => audit.head(),
    auditRecords: (fromSeq, limit) => audit.read(fromSeq, limit),
    functionTokens,
    refreshHome: (request) => home.refreshFor(request),
    onUndeliverable: (entry) => deps.metrics.undeliverable(entry.kind),
    instanceId: deps.liveness.instanceId,
    alive: (instance) => deps.liveness.alive(instance),
    log,
  });
  return { client, threads, functionTokens, home, notifier, approversText };
}

export type Delivery = ReturnType<typeof buildDelivery>;
