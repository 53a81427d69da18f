import type { z } from 'zod';
import type { Secret } from '../../config/secret.js';
import type { WireRequest, WireResponse } from '../http/types.js';
import type { ProviderLimits } from './limiter.js';
import type { Outcome } from './outcome.js';

/** How a modal should collect one value; the Slack layer picks the element. */
export type FieldKind =
  | 'text'
  | 'multiline'
  | 'email'
  | 'password'
  | 'phone'
  | 'number'
  | 'select'
  | 'multi_select'
  | 'checkboxes';

export interface Choice {
  value: string;
  label: string;
}

/** One form field, described without Slack: the modal builder turns it into a block. */
export interface FieldSpec {
  /** Stable id: the modal's block_id/action_id and the key in FormValues. */
  id: string;
  label: string;
  kind: FieldKind;
  optional: boolean;
  hint?: string;
  placeholder?: string;
  maxLength?: number;
  /** Fixed choices (enums of the provider's documentation). */
  options?: readonly Choice[];
  /** Choices loaded from the provider; when that fails the modal accepts typed ids. */
  lookup?: string;
  /** The field whose value parameterises the lookup (DigiCert roles depend on the container). */
  dependsOn?: string;
  /** The lookup is asked with what the person types, and the provider searches (a SCIM filter), instead of one list filtered here. */
  search?: true;
  initial?: string | readonly string[];
  /** A blank password field is filled with a generated one, shown once to the requester only. */
  generateIfBlank?: boolean;
}

/** What a submitted form holds: text and selects give strings, multi-selects and checkboxes lists. */
export type FormValues = Record<string, string | readonly string[] | undefined>;

/** A person's details asked once whatever the provider (a workflow's step), before each provider names them its own way. */
export interface PersonDetails {
  email?: string;
  first_name?: string;
  last_name?: string;
  username?: string;
}

/**
 * Turns a Secret into wire text. Real calls pass `reveal`; dry runs and logs pass a mask,
 * so the masked rendering is built by the very code that builds the real request.
 */
export type Reveal = (secret: Secret) => string;

export interface LookupSpec<Settings> {
  /** Options that need no call (e.g. SMS Central accounts listed in configuration). */
  fromSettings?: (settings: Settings) => Choice[] | undefined;
  /** What a parameter must look like before it is put into the provider's URL. */
  param?: z.ZodType<string>;
  request?: (settings: Settings, reveal: Reveal, param?: string) => WireRequest;
  parse?: (response: WireResponse) => Choice[];
  /** The next page's request when an answer is one page of several (SCIM's startIndex and totalResults). */
  more?: (response: WireResponse, settings: Settings, reveal: Reveal, param?: string) => WireRequest | undefined;
}

/** A token the provider granted, good for `expiresInSeconds`. */
export interface Grant {
  kind: 'granted';
  token: Secret;
  expiresInSeconds: number;
}

/**
 * A credential exchange the provider's calls need first (an OAuth token grant). Building the
 * request may sign something, hence async; the shared token cache sends it and keeps the token.
 */
export interface AuthorizeSpec<Settings> {
  request: (settings: Settings, reveal: Reveal) => Promise<WireRequest>;
  /** The answer → a token, or why there is none. Nothing was created either way, so never `unknown`. */
  parse: (response: WireResponse) => Grant | Extract<Outcome, { kind: 'auth' | 'rate_limited' | 'unavailable' }>;
  /** The headers that carry a token: given the token on real calls, the mask in renderings. */
  headers: (token: string) => Record<string, string>;
}

/** A call that completes a create once the provider made the account (SCIM: joining a group). */
export interface FollowUp {
  /** What it does, in words that name its object: "join group 7f3c…". */
  what: string;
  request: WireRequest;
}

export interface FollowUpSpec<Settings, Input> {
  /** The calls, given the new account's id; the executor sends each once, in order. */
  build: (input: Input, providerUserId: string, settings: Settings, reveal: Reveal) => FollowUp[];
  /** Why an answer is not a success, in the provider's words; undefined when it is one. */
  failure: (response: WireResponse) => string | undefined;
}

/**
 * A form the service describes itself (SCIM's /Schemas): asked at start-up, on SIGHUP and while
 * it fails, never on a person's path. Until it answers, and whenever it fails, the form already
 * in force stays (at first the provider's fallback form).
 */
export interface DiscoverySpec<Settings> {
  /** What the provider asks until its service answers, in words ("the core User fields"). */
  fallback: string;
  requests: (settings: Settings, reveal: Reveal) => WireRequest[];
  /** The answers in the order asked → the form put in force, in words; or why the answers describe none (nothing changes). */
  apply: (answers: readonly WireResponse[]) => { ok: true; summary: string } | { ok: false; problem: string };
}

export interface ProviderSettings {
  baseUrl: string;
  /** False when the credentials are not configured: the provider then runs in dry-run mode. */
  configured: boolean;
}

/**
 * Everything the bot knows about one provider. Pure data and pure functions: the shared
 * executor does the I/O, so each module can be tested without a network.
 */
export interface Provider<
  Env extends z.ZodRawShape = z.ZodRawShape,
  Settings extends ProviderSettings = ProviderSettings,
  Input = unknown,
> {
  /** Slug used in `/adduser <id>`, metrics and ADDUSER_APPROVERS_<ID>. */
  id: string;
  label: string;
  /** The environment variables this provider reads (merged into the configuration schema). */
  env: Env;
  settings: (env: z.infer<z.ZodObject<Env>>) => Settings;
  /** The provider's documented create-user input: names, enums, defaults and limits. */
  input: z.ZodType<Input>;
  fields: readonly FieldSpec[];
  /** Maps modal values to the documented input shape, before validation. */
  fromForm: (values: FormValues) => unknown;
  /** The person's details as this provider's own form fields; a detail it has no field for is left out. */
  fromPerson: (person: PersonDetails) => FormValues;
  /** The form field an input validation issue belongs to. */
  fieldOf: (path: readonly PropertyKey[]) => string;
  /** The new user's email or username, for messages and audit. */
  target: (input: Input) => string;
  /** The form fields that carry an address mail goes to (the login too where it is an address). */
  mailFields: readonly string[];
  /** Every address in `mailFields` as the provider receives it: what an `email_domain` rule judges. */
  recipients: (input: Input) => string[];
  /** The form fields whose values grant power in the provider (roles, access levels, groups, teams). */
  privilegeFields: readonly string[];
  /**
   * What each of `privilegeFields` holds as the provider receives it (defaults applied, in the
   * form's own values): what approvers are shown and rules and `privileged:` judge.
   */
  privileges: (input: Input) => Record<string, string[]>;
  /** Human-readable details for approvers; secrets stay Secret and print masked. */
  summary: (input: Input) => Choice[];
  /** Input values that must be masked wherever a provider answer might echo them. */
  secretsOf: (input: Input) => Secret[];
  /** Credentials from settings, for the same masking. */
  credentialsOf: (settings: Settings) => Secret[];
  buildCreate: (input: Input, settings: Settings, reveal: Reveal) => WireRequest;
  parseCreate: (response: WireResponse) => Exclude<Outcome, { kind: 'dry_run' | 'unavailable' }>;
  /** What a create answer's headers say is left of the provider's rate limit (resetAt: epoch ms), for providers that say. */
  budget?: (response: WireResponse) => { remaining: number; resetAt: number } | undefined;
  lookups: Record<string, LookupSpec<Settings>>;
  /** A token every call must carry, fetched and cached by the shared code; absent = none. */
  authorize?: AuthorizeSpec<Settings>;
  /** The provider's published rate limits, kept to by queueing; absent = a modest default. */
  limits?: ProviderLimits;
  /** Calls after a successful create; one that fails leaves the account created, with a warning. */
  followUps?: FollowUpSpec<Settings, Input>;
  /** The service describes the form (`fields`, `input` and what derives from them change when it answers). */
  discovery?: DiscoverySpec<Settings>;
  /**
   * Every field the provider may ever ask, for a provider whose service decides its form at run
   * time: a policy file is checked against these, the same before and after the service answers.
   */
  vocabulary?: readonly FieldSpec[];
}

// The registry holds providers of different settings and input types side by side.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProvider = Provider<any, any, any>;

export const defineProvider = <Env extends z.ZodRawShape, Settings extends ProviderSettings, Input>(
  provider: Provider<Env, Settings, Input>,
): Provider<Env, Settings, Input> => provider;

/** The values that are addresses mail can go to (a login that is not an address is none). */
export const addresses = (...values: readonly (string | undefined)[]): string[] =>
  values.filter((value): value is string => value !== undefined && value.includes('@'));

/** A provider's label by its id, from a list of providers (the id itself for one not in it). */
export const labelIn =
  (providers: readonly AnyProvider[]) =>
  (id: string): string =>
    providers.find((provider) => provider.id === id)?.label ?? id;

/** The fields a policy file, a preset or `npm run policy -- explain` may name for this provider. */
export const policyFields = (provider: AnyProvider): readonly FieldSpec[] => provider.vocabulary ?? provider.fields;

/** A field's label by its id (the id itself for one the provider does not have). */
export const fieldLabel = (provider: AnyProvider, id: string): string => provider.fields.find((field) => field.id === id)?.label ?? id;

/** A field's label by its provider's id and its own, from a list of providers. */
export const fieldLabelIn =
  (providers: readonly AnyProvider[]) =>
  (providerId: string, id: string): string => {
    const provider = providers.find((one) => one.id === providerId);
    return provider ? fieldLabel(provider, id) : id;
  };

/** The ids of a provider's password fields: the form values the store keeps only sealed. */
export const passwordFieldIds = (provider: AnyProvider): string[] => provider.fields.filter((field) => field.kind === 'password').map((field) => field.id);
