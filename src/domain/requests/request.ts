import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { outcomeSchema } from '../../adapters/providers/outcome.js';

/** Every form's reason field (SPEC §3): required, shown to approvers and audited, at most this long. */
export const REASON_FIELD = 'reason';
export const REASON_MAX = 2_000;

/** SPEC §4. `approved` is the instant between the last approval and the provider call. */
export const REQUEST_STATES = [
  'pending',
  'approved',
  'provisioning',
  'succeeded',
  'failed',
  'unknown',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const FINAL_STATES: readonly RequestState[] = ['succeeded', 'failed', 'rejected', 'cancelled', 'expired'];

/** Where a member of a batch (SPEC §9, batch.ts) sits in it: on the request and on every audit record of it. */
export const batchRefSchema = z.object({ id: z.string(), index: z.number().int().nonnegative() });

const formValue = z.union([z.string(), z.array(z.string())]);

export const requestSchema = z.object({
  id: z.string(),
  provider: z.string(),
  state: z.enum(REQUEST_STATES),
  requester: z.string(),
  reason: z.string(),
  /** The new user's email or username. */
  target: z.string(),
  /** What approvers see; secrets already masked. */
  details: z.array(z.object({ label: z.string(), value: z.string() })),
  /**
   * The privilege-bearing fields as the provider receives them (provider.privileges): what
   * approvers are shown and the policy's `privileged:` judges. Absent on older records.
   */
  privileges: z.record(z.string(), z.array(z.string())).optional(),
  /**
   * The submitted form, needed again for the provider call. It may hold the new user's
   * password, so it lives only in the store and is emptied once the request is final.
   */
  form: z.record(z.string(), formValue),
  /** Form fields the bot filled in (generated passwords), to show once to the requester. */
  generated: z.array(z.string()),
  channel: z.string(),
  messageTs: z.string().optional(),
  decision: z.object({ by: z.string(), at: z.string(), reason: z.string().optional() }).optional(),
  outcome: outcomeSchema.optional(),
  /** The masked wire request of the last provider call (or the dry run). */
  wireRequest: z.string().optional(),
  dryRun: z.boolean(),
  /** The process that moved it to approved or provisioning, for recovery if that process dies. */
  owner: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  /** When it escalates if still pending (the policy's `escalate.after`, fixed at submission). */
  escalateAt: z.string().optional(),
  /** Who it escalated to, fixed when it did: they may decide it as well as its approvers. */
  escalatedTo: z.object({ users: z.array(z.string()), groups: z.array(z.string()) }).optional(),
  /** Filed by a workflow's step (SPEC §10): the execution that waits for this request's outcome. */
  workflow: z.object({ functionExecutionId: z.string(), workflowExecutionId: z.string().optional() }).optional(),
  /** One account of a batch (SPEC §9): announced, decided and reported with the batch's other members. */
  batch: batchRefSchema.optional(),
  /**
   * One more on every transition, and each transition names the version it read: a late click,
   * a recovering replica and a stalled one cannot all move the request. Absent on records
   * written before it existed, which counts as 0.
   */
  version: z.number().int().nonnegative().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string(),
});
export type AccessRequest = z.infer<typeof requestSchema>;

/** Short, unambiguous ids people can read aloud and type into `/adduser audit`; the prefix tells a request (AR) from a batch (AB). */
export function readableId(prefix: 'AR' | 'AB'): string {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  const bytes = randomBytes(8);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return `${prefix}-${id}`;
}

export const newRequestId = () => readableId('AR');

export const isFinal = (state: RequestState) => FINAL_STATES.includes(state);

/** The request with the form's secrets dropped, once nothing will be sent any more. */
export function withoutForm(request: AccessRequest): AccessRequest {
  return { ...request, form: {} };
}
