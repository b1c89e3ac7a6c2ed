import fc from 'fast-check';
import type { FixtureName } from '../../api-model/cases/request-values.ts';
import { SIMULATOR_STAND_INS } from '../../api-model/cases/stand-ins.ts';
import type { Fixtures, RunContext } from '../../core/run-context.ts';
import { type EndpointView, type FillKind, fixturesOfField, type Schema } from '../endpoints.ts';
import {
  availableValidClasses,
  type CustomFieldsPart,
  type FieldSource,
  fixtureFieldSource,
  generatedFieldSource,
  type ValidCustomFieldClass,
  validCustomFields,
} from './custom-fields.ts';
import { e164 } from './e164.ts';
import { email, externalRef, text } from './text.ts';

/**
 * Whole, valid request bodies of any endpoint, generated from its request schema (the
 * slice's): every required field always present, every other field an optional key of an
 * `fc.record`, so a counterexample sheds every field that does not matter. How a field is
 * filled comes from the catalogue (endpoints.ts): run-tagged values as e-mails or texts,
 * free texts, and ids of tenant records, which are only generated where such records exist
 * (on the embedded simulator, which takes any id, or from a real tenant's fixtures). Fields
 * the prose rules govern take their own generators: E.164 numbers here, custom fields in
 * custom-fields.ts.
 */
export type IdFixture = Exclude<FixtureName, 'tenantCustomFields'>;

export interface BodySources {
  fields: FieldSource;
  /** Ids of tenant records, by fixture; absent where the target has none. */
  ids: Partial<Record<IdFixture, fc.Arbitrary<string>>>;
}

const ID_FIXTURES = (Object.keys(SIMULATOR_STAND_INS) as FixtureName[]).filter(
  (n): n is IdFixture => typeof SIMULATOR_STAND_INS[n] === 'string',
);

/** The simulator's stand-in, with any number as its last segment: it takes any DevRev id. */
const standInIds = (standIn: string) => fc.integer({ min: 1, max: 99_999 }).map((n) => standIn.replace(/[^/]*$/, String(n)));

export const sourcesFor = (ctx: Pick<RunContext, 'target' | 'fixtures'>): BodySources =>
  ctx.target.kind === 'simulator' ? generatedSources() : fixtureSources(ctx.fixtures);

export const generatedSources = (): BodySources => ({
  fields: generatedFieldSource(),
  ids: Object.fromEntries(ID_FIXTURES.map((n) => [n, standInIds(SIMULATOR_STAND_INS[n] as string)])),
});

export const fixtureSources = (f: Fixtures): BodySources => ({
  fields: fixtureFieldSource(f),
  ids: Object.fromEntries(
    ID_FIXTURES.flatMap((n) => {
      const v = (f as Record<string, unknown>)[n];
      return typeof v === 'string' && v ? [[n, fc.constant(v)]] : [];
    }),
  ),
});

export type Body = Record<string, unknown>;

/**
 * One to three numbers, each an `fc.option`, not an `fc.array`: fast-check shrinks an array
 * by dropping items from its front and cannot drop a passing number that comes after the
 * failing one, while an option shrinks to "absent" wherever it stands, so a counterexample
 * keeps only the numbers that matter.
 */
export const phoneList = (): fc.Arbitrary<string[]> =>
  fc
    .tuple(fc.option(e164(), { freq: 3 }), fc.option(e164(), { freq: 2 }), fc.option(e164(), { freq: 2 }))
    .map((list) => list.filter((p): p is string => p !== null))
    .filter((list) => list.length > 0);

const fillArb = (f: FillKind, s: BodySources): fc.Arbitrary<unknown> | null => {
  if (f.kind === 'tagged') return f.format === 'email' ? email() : externalRef();
  if (f.kind === 'text') return text();
  return f.name === 'tenantCustomFields' ? null : (s.ids[f.name] ?? null);
};

const topField = (at: string) => at.split('/')[1] ?? '';

/** A valid value of `schema` at the pointer pattern `at`; null when the target cannot take one. */
const valueArb = (v: EndpointView, schema: Schema, at: string, s: BodySources): fc.Arbitrary<unknown> | null => {
  const fill = v.fills.get(at);
  if (fill) return fillArb(fill, s);
  const field = topField(at);
  if (v.e164Fields.includes(field)) {
    if (at === `/${field}` && schema.type === 'array') return phoneList();
    if (schema.type === 'string') return e164();
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return text();
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number':
      return fc.integer({ min: 0, max: 1000 });
    case 'array': {
      if (!schema.items) return null;
      const item = valueArb(v, schema.items, `${at}/*`, s);
      if (!item) return null;
      return schema.items.type === 'string'
        ? fc.uniqueArray(item, { minLength: 1, maxLength: 2 })
        : fc.array(item, { minLength: 1, maxLength: 1 });
    }
    case 'object': {
      // A free-form object (no documented properties) has nothing a generator can know.
      if (!schema.properties) return null;
      const arbs: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, sub] of Object.entries(schema.properties)) {
        const a = valueArb(v, sub, `${at}/${k}`, s);
        if (a) arbs[k] = a;
        else if (schema.required?.includes(k)) return null;
      }
      return fc.record(arbs, { requiredKeys: (schema.required ?? []).filter((k) => k in arbs), noNullPrototype: true });
    }
    default:
      return null;
  }
};

/**
 * The fields a valid body may carry: the required ones, those that reference no tenant
 * record, and those the catalogue fills from a tenant record. Custom fields are the prose
 * classes' business (custom-fields.ts), and a field the catalogue never fills (a deprecated
 * one, a spec that goes with custom fields) is left out.
 */
export const bodyFields = (v: EndpointView): string[] =>
  Object.keys(v.fields).filter(
    (f) =>
      !v.customFieldFields.includes(f) &&
      (v.required.includes(f) || v.model.fixtureFreeFields.includes(f) || fixturesOfField(v, f).some((n) => n !== 'tenantCustomFields')),
  );

export interface FieldArbs {
  arbs: Record<string, fc.Arbitrary<unknown>>;
  /** Required fields this target cannot fill (a tenant record without its fixture): no valid body exists. */
  unfillable: string[];
}

export const fieldArbs = (v: EndpointView, s: BodySources, fields = bodyFields(v)): FieldArbs => {
  const arbs: Record<string, fc.Arbitrary<unknown>> = {};
  const unfillable: string[] = [];
  for (const f of fields) {
    const a = valueArb(v, v.fields[f]!, `/${f}`, s);
    if (a) arbs[f] = a;
    else if (v.required.includes(f)) unfillable.push(f);
  }
  return { arbs, unfillable };
};

const record = (arbs: Record<string, fc.Arbitrary<unknown>>, required: readonly string[]): fc.Arbitrary<Body> =>
  fc.record(arbs, { requiredKeys: required.filter((k) => k in arbs), noNullPrototype: true }) as fc.Arbitrary<Body>;

/** Any valid body without custom fields: every required field, any of the others (the base of invalid mutations). */
export const fieldsBody = (v: EndpointView, s: BodySources, without: readonly string[] = []): fc.Arbitrary<Body> | null => {
  const { arbs, unfillable } = fieldArbs(v, s, bodyFields(v).filter((f) => !without.includes(f)));
  return unfillable.length ? null : record(arbs, v.required);
};

/** The smallest valid bodies: the required fields only (`{}` where nothing is required). */
export const minimalBody = (v: EndpointView, s: BodySources): fc.Arbitrary<Body> | null => {
  const { arbs, unfillable } = fieldArbs(v, s, v.required);
  return unfillable.length ? null : record(arbs, v.required);
};

/** Why an endpoint gets no valid body on this target, or null. */
export const noValidBody = (v: EndpointView, s: BodySources): string | null => {
  const { unfillable } = fieldArbs(v, s);
  if (!unfillable.length) return null;
  const fixtures = [...new Set(unfillable.flatMap((f) => fixturesOfField(v, f)))];
  return `needs ${unfillable.join(', ')}${fixtures.length ? ` (fixtures: ${fixtures.join(', ')})` : ''}, which this target cannot fill`;
};

/** A valid body that certainly carries phone numbers in `field`. */
export const bodyWithPhones = (v: EndpointView, s: BodySources, field: string): fc.Arbitrary<Body> | null => {
  const rest = fieldsBody(v, s, [field]);
  return rest && fc.tuple(phoneList(), rest).map(([phones, b]) => ({ ...b, [field]: phones }));
};

export const customFieldClasses = (s: BodySources): ValidCustomFieldClass[] => availableValidClasses(s.fields);

/** The custom-fields part with its fields under the endpoint's custom-fields field. */
export const placed = (part: CustomFieldsPart, field: string): Body => {
  const { custom_fields: fields, ...spec } = part;
  return fields === undefined ? { ...spec } : { ...spec, [field]: fields };
};

export const withPart = (base: fc.Arbitrary<Body>, part: fc.Arbitrary<CustomFieldsPart>, field: string): fc.Arbitrary<Body> =>
  fc.tuple(base, part).map(([b, p]) => ({ ...b, ...placed(p, field) }));

export const withCustomFields = (v: EndpointView, s: BodySources, cls: ValidCustomFieldClass, field: string): fc.Arbitrary<Body> | null => {
  const base = minimalBody(v, s);
  return base && withPart(base, validCustomFields(cls, s.fields), field);
};
