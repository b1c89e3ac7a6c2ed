import fc from 'fast-check';
import type { JsonCase } from '../case.ts';
import type { EndpointView } from '../endpoints.ts';
import { type Body, type BodySources, fieldsBody, placed } from './bodies.ts';
import { type MissingSpecClass, missingSpec } from './custom-fields.ts';
import { e164 } from './e164.ts';
import { type EnumMistake, notDocumented } from './enum-values.ts';
import { type PhoneNearMiss, phoneAsNumber, phoneNearMiss } from './phone-near-miss.ts';
import { type FieldType, fieldTypeLabel, withWrongType, wrongTypeFor } from './wrong-type.ts';

/**
 * Whole request bodies with exactly one documented rule broken: a valid body of the
 * endpoint (bodies.ts) with one field made wrong. Each comes labelled with the rule it
 * breaks, which the oracle confirms before anything is sent. A null arbitrary means the
 * target cannot fill the valid body (a required tenant record without its fixture).
 */
type MaybeArb = fc.Arbitrary<Body> | null;

/** The near miss goes among valid numbers, at any place in the list. */
export const withNearMiss = (v: EndpointView, s: BodySources, field: string, kind: PhoneNearMiss): MaybeArb => {
  const base = fieldsBody(v, s, [field]);
  return (
    base &&
    fc.tuple(base, fc.array(e164(), { maxLength: 2 }), phoneNearMiss(kind), fc.nat()).map(([b, valid, bad, at]) => {
      const phones = [...valid];
      phones.splice(at % (valid.length + 1), 0, bad);
      return { ...b, [field]: phones };
    })
  );
};

export const withPhoneAsNumber = (v: EndpointView, s: BodySources, field: string): MaybeArb => {
  const base = fieldsBody(v, s, [field]);
  return base && fc.tuple(base, phoneAsNumber()).map(([b, n]) => ({ ...b, [field]: [n] }));
};

export const withPhoneAsString = (v: EndpointView, s: BodySources, field: string): MaybeArb => {
  const base = fieldsBody(v, s, [field]);
  return base && fc.tuple(base, e164()).map(([b, p]) => ({ ...b, [field]: p }));
};

export const withMissingSpec = (v: EndpointView, s: BodySources, field: string, cls: MissingSpecClass): MaybeArb => {
  const base = fieldsBody(v, s);
  return base && fc.tuple(base, missingSpec(cls)).map(([b, part]) => ({ ...b, ...placed(part, field) }));
};

export const withEnumMistake = (v: EndpointView, s: BodySources, field: string, mistake: EnumMistake): MaybeArb => {
  const e = v.enums.find((x) => x.field === field)!;
  const base = fieldsBody(v, s);
  return base && fc.tuple(base, notDocumented(e, mistake)).map(([b, value]) => ({ ...b, [field]: value }));
};

export const without = (v: EndpointView, s: BodySources, field: string): MaybeArb => {
  const base = fieldsBody(v, s);
  return (
    base?.map((b) => {
      const { [field]: _dropped, ...rest } = b;
      return rest;
    }) ?? null
  );
};

export const withWrongTypeField = (v: EndpointView, s: BodySources, f: FieldType): MaybeArb => {
  const base = fieldsBody(v, s);
  return base && fc.tuple(base, wrongTypeFor(f.expected)).map(([b, x]) => withWrongType(b, f, x));
};

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
  endpoint: string,
  rule: NonNullable<JsonCase['rule']>,
  field: string,
  body: fc.Arbitrary<unknown>,
): fc.Arbitrary<JsonCase> => body.map((b) => ({ cls, endpoint, expect: 'invalid', rule, field, body: b }));

export const wrongTypeClass = (v: EndpointView, f: FieldType) => `${v.prefix}.wrong-type.${fieldTypeLabel(f)}`;
