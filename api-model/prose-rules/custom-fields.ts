/**
 * "Each custom field in the request must have the corresponding schema specified; omission
 * results in a Bad Request error." (custom_schema_spec, both create endpoints.) DevRev names
 * custom fields by the fragment that defines them: `tnt__<name>` lives in the tenant
 * fragment, requested with `custom_schema_spec.tenant_fragment: true`; `ctype__<name>` lives
 * in a subtype's fragment, requested with `custom_schema_spec.subtype`.
 *
 * A key with neither prefix names no fragment the specifier can request, so no schema can
 * be "specified" for it: we count it as a field without its schema, which the docs say is a
 * Bad Request. (Stock fields are top-level request fields, never `custom_fields` keys.)
 */

export const TENANT_PREFIX = 'tnt__';
export const SUBTYPE_PREFIX = 'ctype__';

export type FieldFragment = 'tenant' | 'subtype' | 'unknown';

export const fragmentOf = (key: string): FieldFragment => {
  if (key.startsWith(TENANT_PREFIX) && key.length > TENANT_PREFIX.length) return 'tenant';
  if (key.startsWith(SUBTYPE_PREFIX) && key.length > SUBTYPE_PREFIX.length) return 'subtype';
  return 'unknown';
};

/** What a `custom_fields` object needs from `custom_schema_spec`. */
export interface SpecNeeds {
  tenantFragment: boolean;
  subtype: boolean;
  /** Keys no specifier can cover. */
  unknown: string[];
}

export const specNeeds = (customFields: Record<string, unknown>): SpecNeeds => {
  const keys = Object.keys(customFields);
  return {
    tenantFragment: keys.some((k) => fragmentOf(k) === 'tenant'),
    subtype: keys.some((k) => fragmentOf(k) === 'subtype'),
    unknown: keys.filter((k) => fragmentOf(k) === 'unknown'),
  };
};

export interface CustomFieldProblem {
  /** The custom field left without its schema. */
  field: string;
  /** What the specifier lacks, in the docs' terms. */
  missing: 'custom_schema_spec.tenant_fragment' | 'custom_schema_spec.subtype' | 'a fragment prefix';
}

/**
 * The fields of `customFields` whose schema `spec` does not specify; empty when every field
 * is covered. `spec` is whatever the request carried (possibly absent or malformed).
 */
export const customFieldProblems = (customFields: Record<string, unknown>, spec: unknown): CustomFieldProblem[] => {
  const s = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>) : {};
  const tenantRequested = s['tenant_fragment'] === true;
  const subtypeRequested = typeof s['subtype'] === 'string' && s['subtype'].length > 0;
  const problems: CustomFieldProblem[] = [];
  for (const field of Object.keys(customFields)) {
    const fragment = fragmentOf(field);
    if (fragment === 'unknown') problems.push({ field, missing: 'a fragment prefix' });
    else if (fragment === 'tenant' && !tenantRequested)
      problems.push({ field, missing: 'custom_schema_spec.tenant_fragment' });
    else if (fragment === 'subtype' && !subtypeRequested) problems.push({ field, missing: 'custom_schema_spec.subtype' });
  }
  return problems;
};
