import { z } from 'zod';
import type { WireResponse } from '../../http/types.js';
import { defineProvider, type FormValues, type LookupSpec, type PersonDetails, type Reveal } from '../types.js';
import { fallbackOffer, fullOffer } from './attributes.js';
import { envShape, rateLimit, variablesOf } from './env.js';
import { describeForm, fieldOf, formFor, fromForm, fromPerson, recipients, summary, target, type ScimInput } from './form.js';
import { offerFrom } from './schemas.js';
import { type ScimSettings, settingsFor } from './settings.js';
import { budget, buildCreate, discoveryRequests, GROUPS, joinFailure, joinGroups, type ListSpec, listRequest, nextStart, parseCreate, parseList, USERS } from './wire.js';

/** What a person types into a searching select: it becomes a filter's quoted string. */
const typed = z.string().max(100, { error: 'Type at most 100 characters to search' });

/** The form every instance could ask: a policy file is checked against it before any service answers. */
const vocabulary = formFor(fullOffer()).fields;

/**
 * One SCIM 2.0 service as a provider (SPEC §12), named by `SCIM_<NAME>_URL`. Its form is whatever
 * the service last described: the core User fields until its discovery answers, and for as long
 * as it cannot; so `input`, `fields` and what follows from them are read from `form` each time.
 */
export function scimInstance(name: string, env: Readonly<Record<string, string | undefined>>) {
  const variables = variablesOf(name);
  const id = name.toLowerCase();
  const shape = envShape(variables);
  let form = formFor(fallbackOffer());
  const lookup = (list: ListSpec): LookupSpec<ScimSettings> => ({
    param: typed,
    request: (settings, reveal, query) => listRequest(list, form.offer, settings, reveal, query),
    parse: (response) => parseList(list, response),
    more: (response: WireResponse, settings: ScimSettings, reveal: Reveal, query?: string) => {
      const start = nextStart(response);
      return start === undefined ? undefined : listRequest(list, form.offer, settings, reveal, query, start);
    },
  });
  const asks = (fieldId: string) => form.fields.some((field) => field.id === fieldId);
  // Checked with every other variable by the configuration's schema; here only read.
  const windows = rateLimit(variables.rateLimit).safeParse(env[variables.rateLimit]).data;

  return defineProvider({
    id,
    label: env[variables.label]?.trim() || `${id[0]!.toUpperCase()}${id.slice(1)}`,
    env: shape as z.ZodRawShape,
    settings: settingsFor(variables),
    get input(): z.ZodType<ScimInput> {
      return form.input;
    },
    get fields() {
      return form.fields;
    },
    vocabulary,
    fromForm: (values: FormValues) => fromForm(form.offer, values),
    fromPerson: (person: PersonDetails) => fromPerson(form.offer, person),
    fieldOf,
    target,
    get mailFields() {
      return ['emails[primary]', 'userName'].filter(asks);
    },
    recipients,
    get privilegeFields() {
      return asks('groups') ? ['groups'] : [];
    },
    privileges: (input: ScimInput): Record<string, string[]> => (input.offer.groupsPath ? { groups: [...input.groups] } : {}),
    summary,
    secretsOf: () => [],
    credentialsOf: (settings: ScimSettings) => (settings.token ? [settings.token] : []),
    buildCreate,
    parseCreate,
    budget,
    // The service's own limits, when the operator names them (SCIM_<NAME>_RATE_LIMIT); else the shared default.
    ...(windows && { limits: { concurrency: 4, windows } }),
    followUps: { build: joinGroups, failure: joinFailure },
    lookups: { groups: lookup(GROUPS), users: lookup(USERS) },
    discovery: {
      fallback: 'the core User fields (RFC 7643 §4.1)',
      requests: discoveryRequests,
      apply: (answers: readonly WireResponse[]) => {
        const offer = offerFrom(answers.map((answer) => answer.body));
        if (typeof offer === 'string') return { ok: false as const, problem: offer };
        form = formFor(offer);
        return { ok: true as const, summary: describeForm(form) };
      },
    },
  });
}
