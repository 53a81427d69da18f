import { z } from 'zod';
import type { Choice, FieldSpec, FormValues } from './types.js';

interface JsonSchemaProperty {
  maxLength?: number;
  enum?: unknown[];
  default?: unknown;
  items?: JsonSchemaProperty;
  anyOf?: JsonSchemaProperty[];
}

type JsonSchema = { properties?: Record<string, JsonSchemaProperty>; required?: string[] };
const converted = new WeakMap<z.ZodObject, { input: JsonSchema; output: JsonSchema }>();

/** Each schema is converted once (both directions), however many fields read it: start-up time counts. */
function jsonSchemas(schema: z.ZodObject) {
  let both = converted.get(schema);
  if (!both) {
    both = {
      input: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema,
      output: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema,
    };
    converted.set(schema, both);
  }
  return both;
}

/**
 * Builds a modal field from the provider's zod schema so that required-ness, length limits
 * and enum choices are stated once, in the schema. `labels` names enum values for people.
 */
export function fieldFromSchema(
  schema: z.ZodObject,
  key: string,
  spec: Omit<FieldSpec, 'id' | 'optional'> & { id?: string; labels?: Record<string, string> },
): FieldSpec {
  const { input: json, output: outputJson } = jsonSchemas(schema);
  const property = json.properties?.[key];
  if (!property) throw new Error(`schema has no property ${key}`);
  // A field normalised before its enum check (trim, lower-case) is a plain string on input; its choices are on output.
  const output = outputJson.properties?.[key];
  const { labels, id, ...rest } = spec;
  const values = property.enum ?? property.items?.enum ?? output?.enum ?? output?.items?.enum;
  const options: Choice[] | undefined = values?.map((value) => ({
    value: String(value),
    label: labels?.[String(value)] ?? String(value),
  }));
  const field: FieldSpec = {
    ...rest,
    id: id ?? key,
    optional: !(json.required ?? []).includes(key) || property.default !== undefined,
  };
  if (property.maxLength !== undefined && field.maxLength === undefined) field.maxLength = property.maxLength;
  if (options && !field.options) field.options = options;
  if (property.default !== undefined && field.initial === undefined && typeof property.default !== 'object') {
    field.initial = String(property.default);
  }
  return field;
}

/** A single form value as trimmed text; empty means absent so zod defaults and optionals apply. */
export function text(values: FormValues, id: string): string | undefined {
  const value = values[id];
  const single = Array.isArray(value) ? value[0] : value;
  if (typeof single !== 'string') return undefined;
  const trimmed = single.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A multi-value form field; a typed fallback "1, 2 3" is split on commas and spaces. */
export function list(values: FormValues, id: string): string[] | undefined {
  const value = values[id];
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value as string])
    .flatMap((item) => item.split(/[\s,]+/))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}

/** Whole numbers typed as text become numbers; anything else is left for zod to reject with a message. */
export function integer(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}
