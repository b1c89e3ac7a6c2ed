import fc from 'fast-check';
import { basisOfCases } from '../api-model/cases/catalogue.ts';
import type { BasisName } from '../core/results.ts';
import { USER_CONFIG_FILES } from '../core/user-repo.ts';
import type { Case, JsonCase } from './case.ts';
import { casesBreaking, documents, type EndpointView, endpointViews } from './endpoints.ts';
import {
  type BodySources,
  bodyWithPhones,
  customFieldClasses,
  fieldsBody,
  minimalBody,
  noValidBody,
  withCustomFields,
} from './generators/bodies.ts';
import { MISSING_SPEC_CLASSES, VALID_CUSTOM_FIELD_CLASSES } from './generators/custom-fields.ts';
import { enumMistakes } from './generators/enum-values.ts';
import { HOSTILE_KINDS, hostileInput } from './generators/hostile.ts';
import {
  invalidCase,
  notAnObject,
  withEnumMistake,
  withMissingSpec,
  withNearMiss,
  withPhoneAsNumber,
  withPhoneAsString,
  without,
  withWrongTypeField,
  wrongTypeClass,
} from './generators/invalid-bodies.ts';
import { PHONE_NEAR_MISSES } from './generators/phone-near-miss.ts';
import { fieldTypes } from './generators/wrong-type.ts';
import { noTokenRejected } from './no-token.ts';
import type { CaseProperty, ClassDef, PropertyDef, StatefulProperty, UnavailableClass } from './property.ts';

export type { CaseProperty, ClassDef, PropertyDef, StatefulProperty, UnavailableClass } from './property.ts';

/**
 * Every property of the pillar, computed when asked from the endpoint models (so an endpoint
 * a test adds gets its classes like the pinned ones): per endpoint, valid bodies from its
 * request schema, one missing-required class per required field, one wrong-type class per
 * field type, a body that is not an object, no token, the values its enums do not document,
 * and, where it documents 409 and has unique fields, the stateful uniqueness run. The prose
 * rules (E.164 phone numbers, custom fields without their spec) keep their hand-written
 * generators, on the fields the catalogue's prose cases break. Each property names the
 * catalogue cases it covers, found by what they are (their status, the rule their request
 * breaks, their provider state), never by a list.
 */

/** The catalogue cases a property covers and the basis they give it; the rule's own basis where no case states it. */
const fromCatalogue = (cases: readonly string[], ruleBasis: BasisName) => ({
  cases,
  basis: cases.length ? basisOfCases(cases) : ruleBasis,
});

const NO_FIXTURE = `needs tenant custom fields (tenantCustomFields / subtype) in the fixtures of ${USER_CONFIG_FILES[0]}`;

/** Classes being built: an arbitrary of null means the target cannot fill the class's valid base body. */
class Classes {
  readonly classes: ClassDef[] = [];
  readonly unavailable: UnavailableClass[] = [];
  constructor(private readonly s: BodySources) {}

  add(v: EndpointView, name: string, arb: fc.Arbitrary<Case> | null, reason?: string): void {
    if (arb) this.classes.push({ name, arb, endpoints: [v.name] });
    else this.unavailable.push({ name, endpoint: v.name, reason: reason ?? noValidBody(v, this.s) ?? 'this target cannot fill its valid body' });
  }

  valid(v: EndpointView, name: string, body: fc.Arbitrary<unknown> | null): void {
    this.add(v, name, body?.map((b): JsonCase => ({ cls: name, endpoint: v.name, expect: 'valid', body: b })) ?? null);
  }

  invalid(v: EndpointView, name: string, rule: NonNullable<JsonCase['rule']>, field: string, body: fc.Arbitrary<unknown> | null): void {
    this.add(v, name, body && invalidCase(name, v.name, rule, field, body));
  }

  done() {
    return { classes: this.classes, unavailable: this.unavailable };
  }
}

/** The class name of a phone mistake: an endpoint's second E.164 field names itself. */
const phoneClass = (v: EndpointView, field: string, kind: string): string =>
  v.e164Fields.indexOf(field) === 0 ? `${v.prefix}.phone.${kind}` : `${v.prefix}.phone.${field}.${kind}`;

const validAccepted = (views: EndpointView[]): CaseProperty => ({
  kind: 'cases',
  name: 'valid-accepted',
  title: 'a valid request gets 201 with a documented body that echoes what was sent',
  // The catalogue's valid creates that need no tenant record and no provider state.
  ...fromCatalogue(
    views.flatMap((v) =>
      v.model.cases.filter((c) => c.status === v.model.spec.successStatus && !c.state && !c.fixtures?.length).map((c) => `${v.name}/${c.name}`),
    ),
    'spec',
  ),
  classes(s) {
    const out = new Classes(s);
    const available = customFieldClasses(s);
    for (const v of views) {
      // Where nothing is required the smallest valid body is empty.
      if (v.required.length === 0) out.valid(v, `${v.prefix}.valid.empty`, fc.constant({}));
      else out.valid(v, `${v.prefix}.valid.minimal`, minimalBody(v, s));
      out.valid(v, `${v.prefix}.valid.fields`, fieldsBody(v, s));
      for (const [i, f] of v.e164Fields.entries()) out.valid(v, `${v.prefix}.valid.phones${i ? `.${f}` : ''}`, bodyWithPhones(v, s, f));
    }
    for (const cf of VALID_CUSTOM_FIELD_CLASSES)
      for (const v of views)
        for (const f of v.customFieldFields) {
          const name = `${v.prefix}.valid.custom-fields.${cf}`;
          if (!available.includes(cf)) out.add(v, name, null, NO_FIXTURE);
          else out.valid(v, name, withCustomFields(v, s, cf, f));
        }
    return out.done();
  },
});

const phonesE164 = (views: EndpointView[]): CaseProperty | null => {
  const withPhones = views.filter((v) => v.e164Fields.length);
  if (!withPhones.length) return null;
  return {
    kind: 'cases',
    name: 'phones-e164',
    title: 'a phone number that is not E.164 gets a documented 400',
    ...fromCatalogue(withPhones.flatMap((v) => casesBreaking(v, 'e164')), 'prose'),
    classes(s) {
      const out = new Classes(s);
      for (const v of withPhones)
        for (const f of v.e164Fields) {
          for (const k of PHONE_NEAR_MISSES) out.invalid(v, phoneClass(v, f, k), 'e164', f, withNearMiss(v, s, f, k));
          out.invalid(v, phoneClass(v, f, 'number-not-string'), 'wrong-json-type', f, withPhoneAsNumber(v, s, f));
          out.invalid(v, phoneClass(v, f, 'string-not-array'), 'wrong-json-type', f, withPhoneAsString(v, s, f));
        }
      return out.done();
    },
  };
};

const customFieldsNeedSpec = (views: EndpointView[]): CaseProperty | null => {
  const withFields = views.filter((v) => v.customFieldFields.length);
  if (!withFields.length) return null;
  return {
    kind: 'cases',
    name: 'custom-fields-need-spec',
    title: 'custom_fields without their custom_schema_spec get a documented 400',
    ...fromCatalogue(withFields.flatMap((v) => casesBreaking(v, 'custom-schema-spec')), 'prose'),
    classes(s) {
      const out = new Classes(s);
      // Class by class, endpoint by endpoint: the order fast-check draws them in.
      for (const cls of MISSING_SPEC_CLASSES)
        for (const v of withFields)
          for (const f of v.customFieldFields) out.invalid(v, `${v.prefix}.custom-fields.${cls}`, 'custom-schema-spec', f, withMissingSpec(v, s, f, cls));
      return out.done();
    },
  };
};

const kebab = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();

/** What the endpoint creates, in words (`dev user`), from its envelope. */
const what = (v: EndpointView) => (v.model.spec.envelope ?? v.name).replace(/_/g, ' ');

/** One property per enum field of a request: `dev-state-shadow-only` (a one-value enum names its value). */
const enumProperties = (views: EndpointView[]): CaseProperty[] =>
  views.flatMap((v) =>
    v.enums.map((e): CaseProperty => ({
      kind: 'cases',
      name: `${v.prefix}-${kebab(e.field)}-${e.values.length === 1 ? kebab(e.values[0]!) : 'documented'}-only`,
      title: `a ${what(v)} with a ${e.field} other than ${e.values.join(' or ')} gets a documented 400`,
      ...fromCatalogue(casesBreaking(v, 'enum', e.field), 'spec'),
      classes(s) {
        const out = new Classes(s);
        for (const mistake of enumMistakes(e)) out.invalid(v, `${v.prefix}.${e.field}.${mistake}`, 'enum', e.field, withEnumMistake(v, s, e.field, mistake));
        return out.done();
      },
    })),
  );

const invalidRejected = (views: EndpointView[]): CaseProperty => ({
  kind: 'cases',
  name: 'invalid-rejected',
  title: 'a body with a missing required field or a wrong JSON type gets a documented 400',
  ...fromCatalogue(
    views.flatMap((v) => [...casesBreaking(v, 'missing-required'), ...casesBreaking(v, 'wrong-json-type'), ...casesBreaking(v, 'not-an-object')]),
    'spec',
  ),
  classes(s) {
    const out = new Classes(s);
    for (const v of views) for (const f of v.required) out.invalid(v, `${v.prefix}.missing.${f}`, 'missing-required', f, without(v, s, f));
    for (const v of views) {
      for (const f of fieldTypes(v.model.spec)) out.invalid(v, wrongTypeClass(v, f), 'wrong-json-type', f.field, withWrongTypeField(v, s, f));
      out.invalid(v, `${v.prefix}.not-an-object`, 'not-an-object', '', notAnObject());
    }
    return out.done();
  },
});

const no5xx = (views: EndpointView[]): CaseProperty => ({
  kind: 'cases',
  name: 'no-5xx',
  title: 'no input gets a 5xx: raw bytes, invalid UTF-8, deep nesting, huge bodies, wrong content types',
  // The catalogue's cases whose requests are generated, not written: the hostile inputs.
  ...fromCatalogue(
    views.flatMap((v) => v.model.cases.filter((c) => !c.request).map((c) => `${v.name}/${c.name}`)),
    'assumed',
  ),
  classes() {
    const endpoints = views.map((v) => v.name);
    return {
      classes: HOSTILE_KINDS.map((kind) => ({
        name: `any.${kind}`,
        endpoints,
        arb: fc
          .tuple(fc.constantFrom(...endpoints), hostileInput(kind))
          .map(([endpoint, h]): Case => ({ cls: `any.${kind}`, endpoint, expect: 'any', raw: h.raw, contentType: h.contentType })),
      })),
      unavailable: [],
    };
  },
});

/**
 * The stateful uniqueness run of each endpoint that documents 409 and has unique fields.
 * Its name says which fields (`external-ref-unique`); a second endpoint with the same
 * unique fields puts its class prefix first.
 */
const uniqueProperties = (views: EndpointView[]): StatefulProperty[] => {
  const taken = new Set<string>();
  return views
    .filter((v) => documents(v, 409) && v.model.uniqueFields.length > 0)
    .map((v) => {
      const base = `${v.model.uniqueFields.map(kebab).join('-')}-unique`;
      const name = taken.has(base) ? `${v.prefix}-${base}` : base;
      taken.add(name);
      const fields = v.model.uniqueFields.join(', ');
      return {
        kind: 'stateful',
        name,
        endpoint: v.name,
        title: `${what(v)}s created one after another: a fresh ${fields} gets 201, a taken one gets 409`,
        // The docs never say what triggers 409: the catalogue's case says `assumed`.
        ...fromCatalogue(v.takenUniqueCases, 'assumed'),
        classNames: [`${v.prefix}.stateful.create-fresh`, `${v.prefix}.stateful.create-taken`],
      };
    });
};

/** Every property, for the endpoints the model holds now. */
export const properties = (): PropertyDef[] => {
  const views = endpointViews();
  return [
    validAccepted(views),
    phonesE164(views),
    customFieldsNeedSpec(views),
    ...enumProperties(views),
    invalidRejected(views),
    no5xx(views),
    noTokenRejected(views),
    ...uniqueProperties(views),
  ].filter((p): p is PropertyDef => p !== null);
};

export const propertyNames = (): string[] => properties().map((p) => p.name);

export const propertyByName = (name: string): PropertyDef | undefined => properties().find((p) => p.name === name);

/** The endpoints a class draws its cases for. */
export const endpointsOfClass = (c: ClassDef): readonly string[] => c.endpoints ?? [];

export interface PropertyClass {
  property: string;
  cls: string;
  /** Why this target cannot take the class; absent when it can. */
  unavailable?: string;
}

/**
 * The classes each endpoint gets, property by property: what the pillar covers per
 * endpoint. A class drawn for several endpoints (the hostile inputs) is listed under each.
 */
export const propertyClasses = (s: BodySources): Record<string, PropertyClass[]> => {
  const out: Record<string, PropertyClass[]> = Object.fromEntries(endpointViews().map((v) => [v.name, []]));
  for (const p of properties()) {
    if (p.kind === 'stateful') {
      for (const cls of p.classNames) out[p.endpoint]?.push({ property: p.name, cls });
      continue;
    }
    const { classes, unavailable } = p.classes(s);
    for (const c of classes) for (const e of endpointsOfClass(c)) out[e]?.push({ property: p.name, cls: c.name });
    for (const u of unavailable) if (u.endpoint) out[u.endpoint]?.push({ property: p.name, cls: u.name, unavailable: u.reason });
  }
  return out;
};
