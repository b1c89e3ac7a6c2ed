import type { TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { type JsonTypeName, jsonTypeOf } from '../../api-model/prose-rules/request.ts';
import type { EndpointSpec } from '../../api-model/shapes/endpoints.ts';

/**
 * A value of the wrong JSON type for every field of a request, read from the request
 * schema itself (one schema, the generators follow), and for the items of every array
 * field. `null` counts as a wrong type: no field is declared nullable.
 */
export interface FieldType {
  /** Top-level field. */
  field: string;
  /** True when the wrong value goes inside the array (`/field/0`) rather than replacing it. */
  item: boolean;
  expected: JsonTypeName;
}

const typeName = (schema: TSchema): JsonTypeName => {
  const t = (schema as { type?: unknown }).type;
  if (t === 'string') return 'string';
  if (t === 'array') return 'array';
  if (t === 'object') return 'object';
  if (t === 'boolean') return 'bool';
  if (t === 'integer' || t === 'number') return 'number';
  throw new Error(`request schema field without a JSON type: ${JSON.stringify(schema)}`);
};

export const fieldTypes = (endpoint: EndpointSpec): FieldType[] => {
  const props = (endpoint.request as unknown as { properties: Record<string, TSchema> }).properties;
  const out: FieldType[] = [];
  for (const [field, schema] of Object.entries(props)) {
    out.push({ field, item: false, expected: typeName(schema) });
    const items = (schema as { items?: TSchema }).items;
    if (items) out.push({ field, item: true, expected: typeName(items) });
  }
  return out;
};

export const fieldTypeLabel = (f: FieldType): string => (f.item ? `${f.field}[]` : f.field);

const anyJson: Record<JsonTypeName, fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 8 }),
  number: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
  bool: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
  object: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2, noNullPrototype: true }),
};

/** A value whose JSON type is anything but `expected`. */
export const wrongTypeFor = (expected: JsonTypeName): fc.Arbitrary<unknown> =>
  fc.oneof(
    ...(Object.keys(anyJson) as JsonTypeName[]).filter((t) => t !== expected).map((t) => anyJson[t]),
  ).filter((v) => jsonTypeOf(v) !== expected);

/** Replaces the field (or its first item) in `base` with a wrong-typed value. */
export const withWrongType = (base: Record<string, unknown>, f: FieldType, value: unknown): Record<string, unknown> =>
  f.item ? { ...base, [f.field]: [value] } : { ...base, [f.field]: value };
