import fc from 'fast-check';
import { DEV_USERS_CREATE, REV_USERS_CREATE, type CreateEndpointName } from '../api-model/shapes/endpoints.ts';
import { basisOfCases } from '../api-model/cases/catalogue.ts';
import { profileOf } from '../api-model/endpoints/profiles.ts';
import type { Case, JsonCase } from './case.ts';
import {
  customFieldClasses,
  devBody,
  devMinimal,
  devWithCustomFields,
  revBody,
  revBodyWithPhones,
  revWithCustomFields,
} from './generators/bodies.ts';
import { MISSING_SPEC_CLASSES, VALID_CUSTOM_FIELD_CLASSES } from './generators/custom-fields.ts';
import { DEV_STATE_CLASSES } from './generators/dev-state.ts';
import { HOSTILE_KINDS, hostileInput } from './generators/hostile.ts';
import {
  devWithState,
  devWithout,
  invalidCase,
  notAnObject,
  revWithNearMiss,
  revWithPhoneAsNumber,
  revWithPhoneAsString,
  withMissingSpec,
  withWrongTypeField,
  wrongTypeClass,
} from './generators/invalid-bodies.ts';
import { NO_TOKEN_REJECTED } from './no-token.ts';
import type { CaseProperty, ClassDef, PropertyDef, StatefulProperty, UnavailableClass } from './property.ts';
import { PHONE_NEAR_MISSES } from './generators/phone-near-miss.ts';
import { fieldTypes } from './generators/wrong-type.ts';
import { USER_CONFIG_FILES } from '../core/user-repo.ts';

export type { CaseProperty, ClassDef, PropertyDef, StatefulProperty, UnavailableClass } from './property.ts';

/** The catalogue cases a property covers and the basis they give it. */
const fromCatalogue = (cases: readonly string[]) => ({ cases, basis: basisOfCases(cases) });

const REV = REV_USERS_CREATE.name;
const DEV = DEV_USERS_CREATE.name;
const short = (e: CreateEndpointName) => profileOf(e).classPrefix;

/** Valid bodies with custom fields, per endpoint (exhaustive: a new endpoint must add its own). */
const WITH_CUSTOM_FIELDS: Record<CreateEndpointName, typeof revWithCustomFields> = {
  'rev-users.create': revWithCustomFields,
  'dev-users.create': devWithCustomFields,
};

const valid = (cls: string, endpoint: CreateEndpointName, body: fc.Arbitrary<unknown>): ClassDef => ({
  name: cls,
  arb: body.map((b): JsonCase => ({ cls, endpoint, expect: 'valid', body: b })),
});

const invalid = (cls: string, endpoint: CreateEndpointName, rule: NonNullable<JsonCase['rule']>, field: string, body: fc.Arbitrary<unknown>): ClassDef => ({
  name: cls,
  arb: invalidCase(cls, endpoint, rule, field, body),
});

const NO_FIXTURE = `needs tenant custom fields (tenantCustomFields / subtype) in the fixtures of ${USER_CONFIG_FILES[0]}`;

export const VALID_ACCEPTED: CaseProperty = {
  kind: 'cases',
  name: 'valid-accepted',
  title: 'a valid request gets 201 with a documented body that echoes what was sent',
  ...fromCatalogue(['rev-users.create/minimal-create', 'dev-users.create/minimal-create']),
  classes(s) {
    const available = customFieldClasses(s);
    const classes: ClassDef[] = [
      valid('rev.valid.empty', REV, fc.constant({})),
      valid('rev.valid.fields', REV, revBody(s)),
      valid('rev.valid.phones', REV, revBodyWithPhones(s)),
      valid('dev.valid.minimal', DEV, devMinimal()),
      valid('dev.valid.fields', DEV, devBody(s)),
    ];
    const unavailable: UnavailableClass[] = [];
    for (const cf of VALID_CUSTOM_FIELD_CLASSES) {
      for (const e of [REV, DEV] as const) {
        const name = `${short(e)}.valid.custom-fields.${cf}`;
        if (!available.includes(cf)) unavailable.push({ name, reason: NO_FIXTURE });
        else classes.push(valid(name, e, WITH_CUSTOM_FIELDS[e](s, cf)));
      }
    }
    return { classes, unavailable };
  },
};

export const PHONES_E164: CaseProperty = {
  kind: 'cases',
  name: 'phones-e164',
  title: 'a phone number that is not E.164 gets a documented 400',
  ...fromCatalogue(['rev-users.create/phone-not-e164']),
  classes(s) {
    return {
      classes: [
        ...PHONE_NEAR_MISSES.map((k) => invalid(`rev.phone.${k}`, REV, 'e164', 'phone_numbers', revWithNearMiss(s, k))),
        invalid('rev.phone.number-not-string', REV, 'wrong-json-type', 'phone_numbers', revWithPhoneAsNumber(s)),
        invalid('rev.phone.string-not-array', REV, 'wrong-json-type', 'phone_numbers', revWithPhoneAsString(s)),
      ],
      unavailable: [],
    };
  },
};

export const CUSTOM_FIELDS_NEED_SPEC: CaseProperty = {
  kind: 'cases',
  name: 'custom-fields-need-spec',
  title: 'custom_fields without their custom_schema_spec get a documented 400',
  ...fromCatalogue(['rev-users.create/custom-fields-without-spec', 'dev-users.create/custom-fields-without-spec']),
  classes(s) {
    return {
      classes: MISSING_SPEC_CLASSES.flatMap((cls) =>
        [REV, DEV].map((e) => invalid(`${short(e)}.custom-fields.${cls}`, e, 'custom-schema-spec', 'custom_fields', withMissingSpec(e, s, cls))),
      ),
      unavailable: [],
    };
  },
};

export const DEV_STATE_SHADOW_ONLY: CaseProperty = {
  kind: 'cases',
  name: 'dev-state-shadow-only',
  title: 'a dev user with a state other than shadow gets a documented 400',
  ...fromCatalogue(['dev-users.create/state-not-shadow']),
  classes(s) {
    return {
      classes: DEV_STATE_CLASSES.map((cls) => invalid(`dev.state.${cls}`, DEV, 'enum', 'state', devWithState(s, cls))),
      unavailable: [],
    };
  },
};

export const INVALID_REJECTED: CaseProperty = {
  kind: 'cases',
  name: 'invalid-rejected',
  title: 'a body with a missing required field or a wrong JSON type gets a documented 400',
  ...fromCatalogue(['dev-users.create/missing-email', 'rev-users.create/wrong-json-type', 'dev-users.create/wrong-json-type']),
  classes(s) {
    const classes: ClassDef[] = [
      invalid('dev.missing.email', DEV, 'missing-required', 'email', devWithout(s, 'email')),
      invalid('dev.missing.state', DEV, 'missing-required', 'state', devWithout(s, 'state')),
    ];
    for (const endpoint of [REV_USERS_CREATE, DEV_USERS_CREATE]) {
      for (const f of fieldTypes(endpoint))
        classes.push(invalid(wrongTypeClass(endpoint.name, f), endpoint.name, 'wrong-json-type', f.field, withWrongTypeField(endpoint.name, s, f)));
      classes.push(invalid(`${short(endpoint.name)}.not-an-object`, endpoint.name, 'not-an-object', '', notAnObject()));
    }
    return { classes, unavailable: [] };
  },
};

export const NO_5XX: CaseProperty = {
  kind: 'cases',
  name: 'no-5xx',
  title: 'no input gets a 5xx: raw bytes, invalid UTF-8, deep nesting, huge bodies, wrong content types',
  ...fromCatalogue(['rev-users.create/hostile-input', 'dev-users.create/hostile-input']),
  classes() {
    return {
      classes: HOSTILE_KINDS.map((kind) => ({
        name: `any.${kind}`,
        arb: fc
          .tuple(fc.constantFrom(REV, DEV), hostileInput(kind))
          .map(([endpoint, h]): Case => ({ cls: `any.${kind}`, endpoint, expect: 'any', raw: h.raw, contentType: h.contentType })),
      })),
      unavailable: [],
    };
  },
};

export const EXTERNAL_REF_UNIQUE: StatefulProperty = {
  kind: 'stateful',
  name: 'external-ref-unique',
  title: 'rev users created one after another: a fresh external_ref gets 201, a taken one gets 409',
  // The docs never say what triggers 409 on rev-users.create.
  ...fromCatalogue(['rev-users.create/taken-external-ref']),
  classNames: ['stateful.create-fresh', 'stateful.create-taken'],
};

export const PROPERTIES: readonly PropertyDef[] = [
  VALID_ACCEPTED,
  PHONES_E164,
  CUSTOM_FIELDS_NEED_SPEC,
  DEV_STATE_SHADOW_ONLY,
  INVALID_REJECTED,
  NO_5XX,
  NO_TOKEN_REJECTED,
  EXTERNAL_REF_UNIQUE,
];

export const PROPERTY_NAMES = PROPERTIES.map((p) => p.name);

export const propertyByName = (name: string): PropertyDef | undefined => PROPERTIES.find((p) => p.name === name);
