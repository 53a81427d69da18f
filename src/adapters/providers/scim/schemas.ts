import { z } from 'zod';
import { parseJsonBody } from '../outcome.js';
import { type Attribute, CATALOGUE, CORE_GROUP, CORE_USER, DEFAULT_PAGE_SIZE, ENTERPRISE_USER, type Offer, type Offered } from './attributes.js';

/** Some services send flags as "true"/"false". */
const flag = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

/** RFC 7643 §7: an attribute definition; names, types and mutability compared without regard to case. */
const subAttribute = z.looseObject({
  name: z.string(),
  type: z.string().optional(),
  multiValued: flag.optional(),
  required: flag.optional(),
  canonicalValues: z.array(z.unknown()).optional(),
  mutability: z.string().optional(),
});
type Definition = z.infer<typeof subAttribute> & { subAttributes?: Definition[] };
const attribute = subAttribute.extend({ subAttributes: z.array(subAttribute).optional() });

const schemaResource = z.looseObject({ id: z.string(), attributes: z.array(attribute) });

/** RFC 7643 §6. */
const resourceType = z.looseObject({
  name: z.string(),
  endpoint: z.string(),
  schema: z.string(),
  schemaExtensions: z.array(z.looseObject({ schema: z.string(), required: flag.optional() })).optional(),
});

/** RFC 7643 §5: only what the form depends on. */
const serviceProviderConfig = z.looseObject({
  patch: z.looseObject({ supported: flag }),
  filter: z.looseObject({ supported: flag, maxResults: z.number().int().positive().optional() }),
});

/**
 * A list endpoint's items (a ListResponse, RFC 7644 §4, or a bare array): those that fit the
 * schema; a service's own odd resources beside them do not spoil the rest.
 */
function itemsOf<T extends z.ZodType>(body: unknown, item: T): z.output<T>[] {
  const list = Array.isArray(body) ? body : (body as { Resources?: unknown } | undefined)?.Resources;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const parsed = item.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
const find = (definitions: readonly Definition[] | undefined, name: string) => definitions?.find((definition) => same(definition.name, name));

/** A relative endpoint such as /Users; anything else is not trusted into a URL. */
const endpointOf = (type: z.infer<typeof resourceType> | undefined, fallback: string) =>
  type && /^\/[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/.test(type.endpoint) ? type.endpoint : fallback;

/** Why the service's definition of `wanted` cannot be asked as a field, or the field as offered. */
function offered(wanted: Attribute, definitions: readonly Definition[], required: boolean): Offered | string {
  const top = find(definitions, wanted.name);
  if (!top) return `${wanted.id}: not in the schema`;
  const holder = wanted.sub ? find(top.subAttributes, wanted.sub) : top;
  if (!holder) return `${wanted.id}: not in the schema`;
  if (same(top.mutability, 'readOnly') || same(holder.mutability, 'readOnly')) return `${wanted.id}: read-only`;
  if (wanted.sub && !wanted.multi && !same(top.type, 'complex')) return `${wanted.id}: ${wanted.name} is not complex`;
  if (Boolean(wanted.multi) !== Boolean(top.multiValued)) return `${wanted.id}: ${wanted.multi ? 'single-valued' : 'multi-valued'}`;
  if (holder.type !== undefined && !same(holder.type, wanted.type)) return `${wanted.id}: of type ${holder.type}`;
  const choices = holder.canonicalValues?.filter((value): value is string => typeof value === 'string');
  const types = find(top.subAttributes, 'type')?.canonicalValues?.filter((value): value is string => typeof value === 'string') ?? [];
  return {
    ...wanted,
    // A sub-attribute is required when its complex attribute is; a multi-valued one's value when any value is.
    required: required && Boolean(top.required) && (wanted.multi || !wanted.sub || Boolean(holder.required)),
    ...(choices && choices.length > 0 && wanted.type === 'string' && { choices }),
    ...(wanted.multi && { valueType: types.length === 0 || types.includes('work') ? 'work' : types[0] }),
  };
}

const SIMPLE: Record<string, Pick<Attribute, 'type' | 'kind'>> = {
  string: { type: 'string', kind: 'text' },
  reference: { type: 'string', kind: 'text' },
  datetime: { type: 'string', kind: 'text' },
  boolean: { type: 'boolean', kind: 'select' },
  integer: { type: 'integer', kind: 'number' },
};

/** Required attributes outside the catalogue: asked too when they are simple, since no create succeeds without them. */
function requiredOthers(definitions: readonly Definition[], schema: Attribute['schema'], taken: ReadonlySet<string>): (Attribute | string)[] {
  return definitions
    .filter((definition) => definition.required && !same(definition.mutability, 'readOnly') && !taken.has(definition.name.toLowerCase()))
    .map((definition) => {
      const simple = SIMPLE[definition.type?.toLowerCase() ?? ''];
      const askable = simple && !definition.multiValued && /^[A-Za-z][\w-]*$/.test(definition.name) && !same(definition.name, 'password');
      return askable ? { id: definition.name, label: definition.name, schema, name: definition.name, ...simple } : `${definition.name}: required, but the bot cannot ask it (creates will be refused)`;
    });
}

type Answers = readonly [config: unknown, types: unknown, schemas: unknown];

/**
 * The form a service's discovery answers describe (RFC 7644 §4: /ServiceProviderConfig,
 * /ResourceTypes, /Schemas in that order), or why they describe none.
 */
export function offerFrom(bodies: readonly string[]): Offer | string {
  const [config, types, schemas] = bodies.map(parseJsonBody) as unknown as Answers;
  const provider = serviceProviderConfig.safeParse(config);
  if (!provider.success) return '/ServiceProviderConfig does not say whether PATCH and filters are supported';
  const resourceTypes = itemsOf(types, resourceType);
  const userType = resourceTypes.find((type) => same(type.schema, CORE_USER)) ?? resourceTypes.find((type) => same(type.name, 'User'));
  if (!userType) return '/ResourceTypes lists no User resource type';
  const groupType = resourceTypes.find((type) => same(type.schema, CORE_GROUP));
  const definitions = itemsOf(schemas, schemaResource);
  const user = definitions.find((schema) => same(schema.id, userType.schema));
  if (!user) return `/Schemas has no ${userType.schema}`;
  const extension = userType.schemaExtensions?.find((declared) => same(declared.schema, ENTERPRISE_USER));
  const enterprise = extension && definitions.find((schema) => same(schema.id, ENTERPRISE_USER));
  const found = [
    ...CATALOGUE.filter((wanted) => wanted.schema === CORE_USER).map((wanted) => offered(wanted, user.attributes, true)),
    ...(enterprise ? CATALOGUE.filter((wanted) => wanted.schema === ENTERPRISE_USER).map((wanted) => offered(wanted, enterprise.attributes, Boolean(extension.required))) : []),
  ];
  const taken = (schema: string) => new Set(CATALOGUE.filter((wanted) => wanted.schema === schema).map((wanted) => wanted.name.toLowerCase()));
  const others = [...requiredOthers(user.attributes, CORE_USER, taken(CORE_USER)), ...(enterprise && extension.required ? requiredOthers(enterprise.attributes, ENTERPRISE_USER, taken(ENTERPRISE_USER)) : [])];
  const attributes = [...found, ...others.map((other) => (typeof other === 'string' ? other : { ...other, required: true }))];
  const asked = attributes.filter((entry): entry is Offered => typeof entry !== 'string');
  if (!asked.some((entry) => entry.id === 'userName')) return `the User schema offers no writable userName (${attributes.find((entry) => typeof entry === 'string' && entry.startsWith('userName')) ?? 'RFC 7643 §4.1 requires it'})`;
  const patch = provider.data.patch.supported;
  return {
    userSchema: userType.schema,
    usersPath: endpointOf(userType, '/Users'),
    ...(groupType && patch && { groupsPath: endpointOf(groupType, '/Groups') }),
    attributes: asked,
    filter: provider.data.filter.supported,
    pageSize: Math.min(DEFAULT_PAGE_SIZE, provider.data.filter.maxResults ?? DEFAULT_PAGE_SIZE),
    notAsked: [
      ...attributes.filter((entry): entry is string => typeof entry === 'string'),
      ...(groupType && !patch ? ['groups: the service does not support PATCH, so members cannot be added'] : []),
      ...(extension && !enterprise ? [`the enterprise extension: declared, but /Schemas does not describe it`] : []),
    ],
    discovered: true,
  };
}
