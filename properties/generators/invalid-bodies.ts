import { profileOf } from '../../api-model/endpoints/profiles.ts';
import fc from 'fast-check';
import type { CreateEndpointName } from '../../api-model/shapes/endpoints.ts';
import type { JsonCase } from '../case.ts';
import { type BodySources, devBody, revBody } from './bodies.ts';
import { type MissingSpecClass, missingSpec } from './custom-fields.ts';
import { type DevStateClass, devStateNotShadow } from './dev-state.ts';
import { type PhoneNearMiss, phoneAsNumber, phoneNearMiss } from './phone-near-miss.ts';
import { e164 } from './e164.ts';
import { type FieldType, fieldTypeLabel, withWrongType, wrongTypeFor } from './wrong-type.ts';

/**
 * Whole request bodies with exactly one documented rule broken: a valid body with one
 * field made wrong. Each comes labelled with the rule it breaks, which the oracle confirms
 * before anything is sent.
 */
type Body = Record<string, unknown>;

/** The valid base body of each endpoint (exhaustive: a new endpoint must add its own). */
const BASE_BODIES: Record<CreateEndpointName, (s: BodySources) => fc.Arbitrary<Body>> = {
  'rev-users.create': revBody,
  'dev-users.create': devBody,
};

const baseFor = (endpoint: CreateEndpointName, s: BodySources) => BASE_BODIES[endpoint](s);

/** The near miss goes among valid numbers, at any place in the list. */
export const revWithNearMiss = (s: BodySources, kind: PhoneNearMiss): fc.Arbitrary<Body> =>
  fc
    .tuple(revBody(s), fc.array(e164(), { maxLength: 2 }), phoneNearMiss(kind), fc.nat())
    .map(([base, valid, bad, at]) => {
      const phones = [...valid];
      phones.splice(at % (valid.length + 1), 0, bad);
      return { ...base, phone_numbers: phones };
    });

export const revWithPhoneAsNumber = (s: BodySources): fc.Arbitrary<Body> =>
  fc.tuple(revBody(s), phoneAsNumber()).map(([base, n]) => ({ ...base, phone_numbers: [n] }));

export const revWithPhoneAsString = (s: BodySources): fc.Arbitrary<Body> =>
  fc.tuple(revBody(s), e164()).map(([base, p]) => ({ ...base, phone_numbers: p }));

export const withMissingSpec = (endpoint: CreateEndpointName, s: BodySources, cls: MissingSpecClass): fc.Arbitrary<Body> =>
  fc.tuple(baseFor(endpoint, s), missingSpec(cls)).map(([base, part]) => ({ ...base, ...part }));

export const devWithState = (s: BodySources, cls: DevStateClass): fc.Arbitrary<Body> =>
  fc.tuple(devBody(s), devStateNotShadow(cls)).map(([base, state]) => ({ ...base, state }));

export const devWithout = (s: BodySources, field: 'email' | 'state'): fc.Arbitrary<Body> =>
  devBody(s).map((b) => {
    const { [field]: _dropped, ...rest } = b;
    return rest;
  });

export const withWrongTypeField = (endpoint: CreateEndpointName, s: BodySources, f: FieldType): fc.Arbitrary<Body> =>
  fc.tuple(baseFor(endpoint, s), wrongTypeFor(f.expected)).map(([base, v]) => withWrongType(base, f, v));

/** JSON that is not an object: the body itself has the wrong type. */
export const notAnObject = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );

/** Labels a body arbitrary as one class of invalid case. */
export const invalidCase = (
  cls: string,
  endpoint: CreateEndpointName,
  rule: NonNullable<JsonCase['rule']>,
  field: string,
  body: fc.Arbitrary<unknown>,
): fc.Arbitrary<JsonCase> => body.map((b) => ({ cls, endpoint, expect: 'invalid', rule, field, body: b }));

export const wrongTypeClass = (endpoint: CreateEndpointName, f: FieldType) =>
  `${profileOf(endpoint).classPrefix}.wrong-type.${fieldTypeLabel(f)}`;
