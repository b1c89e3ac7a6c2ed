import fc from 'fast-check';
import { SUBTYPE_PREFIX, TENANT_PREFIX } from '../../api-model/prose-rules/custom-fields.ts';
import type { Fixtures } from '../../core/run-context.ts';
import { fieldValue, identifier } from './text.ts';

/**
 * `custom_fields` with and without the `custom_schema_spec` entries they need. The docs:
 * "Each custom field in the request must have the corresponding schema specified; omission
 * results in a Bad Request error." `tnt__` fields need `tenant_fragment: true`, `ctype__`
 * fields need a `subtype`.
 *
 * A valid custom field must also exist in the tenant's schema. The embedded simulator has
 * no schema to consult, so names are generated; on any other target the names and values
 * come from the fixtures (the config file), and without fixtures the valid classes
 * are not generated at all (reported by name). Invalid classes need no fixtures: a field
 * without its spec is a 400 whether or not the tenant defines it.
 */
export type CustomFieldsPart = { custom_fields?: Record<string, unknown>; custom_schema_spec?: Record<string, unknown> };

export const VALID_CUSTOM_FIELD_CLASSES = ['tenant', 'subtype', 'both', 'spec-without-fields'] as const;
export type ValidCustomFieldClass = (typeof VALID_CUSTOM_FIELD_CLASSES)[number];

export const MISSING_SPEC_CLASSES = [
  'tenant-without-spec',
  'subtype-without-spec',
  'both-without-spec',
  'both-half-spec',
  'no-fragment-prefix',
] as const;
export type MissingSpecClass = (typeof MISSING_SPEC_CLASSES)[number];

/** Where valid custom-field names come from. */
export interface FieldSource {
  tenant: fc.Arbitrary<Record<string, unknown>> | null;
  subtype: { name: fc.Arbitrary<string>; fields: fc.Arbitrary<Record<string, unknown>> } | null;
}

const fieldsWith = (prefix: string) =>
  fc.dictionary(
    identifier().map((n) => prefix + n),
    fieldValue(),
    { minKeys: 1, maxKeys: 3, noNullPrototype: true },
  );

export const generatedFieldSource = (): FieldSource => ({
  tenant: fieldsWith(TENANT_PREFIX),
  subtype: { name: identifier(), fields: fieldsWith(SUBTYPE_PREFIX) },
});

const nonEmptySubset = (fields: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> => {
  const keys = Object.keys(fields);
  return fc
    .subarray(keys, { minLength: 1 })
    .map((ks) => Object.fromEntries(ks.map((k) => [k, fields[k]])));
};

/** Fixture-backed names: only what the tenant really defines. */
export const fixtureFieldSource = (fixtures: Fixtures): FieldSource => {
  const tenantFields = fixtures.tenantCustomFields ?? {};
  const tenantKeys = Object.keys(tenantFields).filter((k) => k.startsWith(TENANT_PREFIX));
  const sub = fixtures.subtype;
  const subKeys = sub ? Object.keys(sub.fields).filter((k) => k.startsWith(SUBTYPE_PREFIX)) : [];
  return {
    tenant: tenantKeys.length
      ? nonEmptySubset(Object.fromEntries(tenantKeys.map((k) => [k, tenantFields[k]])))
      : null,
    subtype:
      sub && subKeys.length
        ? { name: fc.constant(sub.name), fields: nonEmptySubset(Object.fromEntries(subKeys.map((k) => [k, sub.fields[k]]))) }
        : null,
  };
};

/** The valid classes a source can produce. */
export const availableValidClasses = (src: FieldSource): ValidCustomFieldClass[] =>
  VALID_CUSTOM_FIELD_CLASSES.filter((c) =>
    c === 'tenant' ? src.tenant !== null : c === 'subtype' ? src.subtype !== null : c === 'both' ? src.tenant !== null && src.subtype !== null : src.tenant !== null || src.subtype !== null,
  );

export const validCustomFields = (cls: ValidCustomFieldClass, src: FieldSource): fc.Arbitrary<CustomFieldsPart> => {
  const { tenant, subtype } = src;
  switch (cls) {
    case 'tenant':
      return tenant!.map((f) => ({ custom_fields: f, custom_schema_spec: { tenant_fragment: true } }));
    case 'subtype':
      return fc
        .tuple(subtype!.name, subtype!.fields)
        .map(([name, f]) => ({ custom_fields: f, custom_schema_spec: { subtype: name } }));
    case 'both':
      return fc.tuple(tenant!, subtype!.name, subtype!.fields).map(([t, name, s]) => ({
        custom_fields: { ...t, ...s },
        custom_schema_spec: { tenant_fragment: true, subtype: name },
      }));
    case 'spec-without-fields': {
      const specs: fc.Arbitrary<Record<string, unknown>>[] = [];
      if (tenant) specs.push(fc.constant({ tenant_fragment: true }));
      if (subtype) specs.push(subtype.name.map((name) => ({ subtype: name })));
      return fc
        .tuple(fc.oneof(...specs), fc.boolean())
        .map(([spec, emptyFields]) => (emptyFields ? { custom_fields: {}, custom_schema_spec: spec } : { custom_schema_spec: spec }));
    }
  }
};

const unprefixed = identifier().map((n) =>
  n.startsWith(TENANT_PREFIX) || n.startsWith(SUBTYPE_PREFIX) ? `x${n}` : n,
);

export const missingSpec = (cls: MissingSpecClass): fc.Arbitrary<CustomFieldsPart> => {
  const tenant = fieldsWith(TENANT_PREFIX);
  const sub = fieldsWith(SUBTYPE_PREFIX);
  // `undefined` stands for "no custom_schema_spec at all".
  const withSpec = (fields: fc.Arbitrary<Record<string, unknown>>, specs: Array<Record<string, unknown> | undefined>) =>
    fc.tuple(fields, fc.constantFrom(...specs)).map(([f, spec]) =>
      spec === undefined ? { custom_fields: f } : { custom_fields: f, custom_schema_spec: spec },
    );
  switch (cls) {
    case 'tenant-without-spec':
      return withSpec(tenant, [undefined, {}, { tenant_fragment: false }, { subtype: 'basic' }]);
    case 'subtype-without-spec':
      return withSpec(sub, [undefined, {}, { tenant_fragment: true }, { subtype: '' }]);
    case 'both-without-spec':
      return withSpec(fc.tuple(tenant, sub).map(([t, s]) => ({ ...t, ...s })), [undefined, {}]);
    case 'both-half-spec':
      return withSpec(fc.tuple(tenant, sub).map(([t, s]) => ({ ...t, ...s })), [{ tenant_fragment: true }, { subtype: 'basic' }]);
    case 'no-fragment-prefix':
      return fc
        .tuple(unprefixed, fieldValue())
        .map(([k, v]) => ({ custom_fields: { [k]: v }, custom_schema_spec: { tenant_fragment: true, subtype: 'basic' } }));
  }
};
