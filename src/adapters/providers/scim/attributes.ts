import type { FieldKind } from '../types.js';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Where one form field's value goes in a User resource (RFC 7643 §4.1, §4.3). */
export interface Attribute {
  /**
   * The field id, the CSV column and the policy file's key: the attribute's path (RFC 7644
   * §3.10) without its schema's URN, since no name the bot asks for is in both schemas.
   */
  id: string;
  label: string;
  schema: typeof CORE_USER | typeof ENTERPRISE_USER;
  /** The attribute's name in its schema (matched without regard to case, RFC 7643 §2.1). */
  name: string;
  /** The sub-attribute that holds the value of a complex attribute: name.givenName, manager.value, emails' value. */
  sub?: string;
  /** Multi-valued (emails, phoneNumbers): one value is sent, marked primary, with a `type` (RFC 7643 §2.4). */
  multi?: true;
  type: 'string' | 'boolean' | 'integer';
  kind: FieldKind;
  placeholder?: string;
  /** A lookup of the service's users, searched by userName: the value is the chosen user's id. */
  lookup?: 'users';
}

/**
 * The attributes the bot knows how to ask for, in the order the form asks them. Which of them a
 * service is asked for, and whether each is required, its discovery decides.
 */
export const CATALOGUE: readonly Attribute[] = [
  { id: 'userName', label: 'Username', schema: CORE_USER, name: 'userName', type: 'string', kind: 'text' },
  { id: 'name.givenName', label: 'First name', schema: CORE_USER, name: 'name', sub: 'givenName', type: 'string', kind: 'text' },
  { id: 'name.familyName', label: 'Last name', schema: CORE_USER, name: 'name', sub: 'familyName', type: 'string', kind: 'text' },
  { id: 'displayName', label: 'Display name', schema: CORE_USER, name: 'displayName', type: 'string', kind: 'text' },
  { id: 'emails[primary]', label: 'Email', schema: CORE_USER, name: 'emails', sub: 'value', multi: true, type: 'string', kind: 'email', placeholder: 'isaac.brock@example.com' },
  { id: 'phoneNumbers[primary]', label: 'Phone', schema: CORE_USER, name: 'phoneNumbers', sub: 'value', multi: true, type: 'string', kind: 'phone', placeholder: '+1 555 415 1337' },
  { id: 'title', label: 'Job title', schema: CORE_USER, name: 'title', type: 'string', kind: 'text' },
  { id: 'active', label: 'Active', schema: CORE_USER, name: 'active', type: 'boolean', kind: 'select' },
  { id: 'employeeNumber', label: 'Employee number', schema: ENTERPRISE_USER, name: 'employeeNumber', type: 'string', kind: 'text' },
  { id: 'department', label: 'Department', schema: ENTERPRISE_USER, name: 'department', type: 'string', kind: 'text' },
  { id: 'manager', label: 'Manager', schema: ENTERPRISE_USER, name: 'manager', sub: 'value', type: 'string', kind: 'select', lookup: 'users' },
];

/** One attribute as a service offers it: whether it must be given, and the values it suggests. */
export interface Offered extends Attribute {
  required: boolean;
  /** The attribute's canonicalValues (RFC 7643 §2.2): the form offers these, and only these. */
  choices?: readonly string[];
  /** A multi-valued attribute's `type` sent with the value: "work" unless the service suggests other types. */
  valueType?: string;
}

/** What a service asks when a user is created, as discovery found it (or the fallback when it could not). */
export interface Offer {
  /** The User resource type's schema (RFC 7643 §6), `schemas`' first entry. */
  userSchema: string;
  /** Relative to the base URL, e.g. /Users. */
  usersPath: string;
  /** The Group endpoint when members can be added by PATCH (RFC 7644 §3.5.2); absent = no groups field. */
  groupsPath?: string;
  attributes: readonly Offered[];
  /** The service filters lists (RFC 7644 §3.4.2.2), and pages hold at most this many (filter.maxResults). */
  filter: boolean;
  pageSize: number;
  /** Attributes it has that the form leaves out, and why: for the log, /readyz and `npm run policy -- check`. */
  notAsked: readonly string[];
  discovered: boolean;
}

/** RFC 7644 §3.4.2.4: a page size the service did not cap. */
export const DEFAULT_PAGE_SIZE = 100;

/**
 * The core User attributes as RFC 7643 §4.1 defines them (only userName required), no groups:
 * what a service is asked before its discovery answers, or when it cannot.
 */
export const fallbackOffer = (): Offer => ({
  userSchema: CORE_USER,
  usersPath: '/Users',
  attributes: CATALOGUE.filter((attribute) => attribute.schema === CORE_USER).map((attribute) => ({ ...attribute, required: attribute.id === 'userName' })),
  filter: false,
  pageSize: DEFAULT_PAGE_SIZE,
  notAsked: [],
  discovered: false,
});

/** Every attribute the bot could ask, groups included: what a policy file may name before any service has answered. */
export const fullOffer = (): Offer => ({
  ...fallbackOffer(),
  groupsPath: '/Groups',
  attributes: CATALOGUE.map((attribute) => ({ ...attribute, required: attribute.id === 'userName' })),
});

