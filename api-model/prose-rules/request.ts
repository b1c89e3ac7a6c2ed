import { pointerOf, segmentsOf, valueAt } from '../../core/pointer.ts';
import type { EndpointSpec } from '../shapes/endpoints.ts';
import { validate } from '../shapes/validate.ts';
import { customFieldProblems } from './custom-fields.ts';
import { e164Problem } from './e164.ts';

/**
 * Every rule a create request must satisfy, as DevRev documents it: the request schema
 * (field types, required fields, the `state` enum: basis `spec`) and the rules stated only
 * in prose (E.164 phone numbers, custom fields with their schema spec: basis `prose`).
 * The simulator rejects with it and the property generators label their cases with it.
 * Fields the docs do not list are not a violation: the docs never say they are refused.
 */
export type ViolationKind = 'not-an-object' | 'wrong-json-type' | 'missing-required' | 'enum' | 'e164' | 'custom-schema-spec';

export type JsonTypeName = 'array' | 'bool' | 'null' | 'number' | 'object' | 'string';

export interface Violation {
  kind: ViolationKind;
  basis: 'spec' | 'prose';
  /** RFC 6901 pointer into the request body. */
  pointer: string;
  /** The top-level request field concerned ('' for the body itself). */
  field: string;
  message: string;
  expected?: string;
  actual?: string;
}

export const jsonTypeOf = (value: unknown): JsonTypeName => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'object') return 'object';
  return 'string';
};

const schemaTypeName = (t: unknown): string => {
  const first = Array.isArray(t) ? t[0] : t;
  if (first === 'boolean') return 'bool';
  if (first === 'integer') return 'number';
  return String(first);
};

const topField = (pointer: string) => segmentsOf(pointer)[0] ?? '';

export const checkRequest = (endpoint: EndpointSpec, body: unknown): Violation[] => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return [
      {
        kind: 'not-an-object',
        basis: 'spec',
        pointer: '',
        field: '',
        message: 'the request body must be a JSON object',
        expected: 'object',
        actual: jsonTypeOf(body),
      },
    ];
  }
  const byPointer = new Map<string, Violation>();
  for (const err of validate(endpoint.request, body).errors) {
    const at = byPointer.get(err.pointer);
    if (err.keyword === 'type') {
      byPointer.set(err.pointer, {
        kind: 'wrong-json-type',
        basis: 'spec',
        pointer: err.pointer,
        field: topField(err.pointer),
        message: `${err.pointer} must be ${schemaTypeName(err.params['type'])}`,
        expected: schemaTypeName(err.params['type']),
        actual: jsonTypeOf(valueAt(body, err.pointer)),
      });
    } else if (err.keyword === 'required') {
      byPointer.set(err.pointer, {
        kind: 'missing-required',
        basis: 'spec',
        pointer: err.pointer,
        field: topField(err.pointer),
        message: `${err.pointer} is required`,
      });
    } else if ((err.keyword === 'const' || err.keyword === 'enum') && at?.kind !== 'wrong-json-type') {
      const allowed = err.keyword === 'const' ? [err.params['allowedValue']] : (err.params['allowedValues'] as unknown[]);
      byPointer.set(err.pointer, {
        kind: 'enum',
        basis: 'spec',
        pointer: err.pointer,
        field: topField(err.pointer),
        message: `${err.pointer} must be one of ${JSON.stringify(allowed)}`,
        expected: allowed.map(String).join('|'),
        actual: JSON.stringify(valueAt(body, err.pointer)),
      });
    }
  }
  const violations = [...byPointer.values()];
  const b = body as Record<string, unknown>;

  if (Array.isArray(b['phone_numbers'])) {
    b['phone_numbers'].forEach((phone, i) => {
      const problem = typeof phone === 'string' ? e164Problem(phone) : null;
      if (problem)
        violations.push({
          kind: 'e164',
          basis: 'prose',
          pointer: `/phone_numbers/${i}`,
          field: 'phone_numbers',
          message: `phone number ${JSON.stringify(phone)} is not E.164: ${problem}`,
          expected: 'E.164',
          actual: phone as string,
        });
    });
  }

  const fields = b['custom_fields'];
  if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) {
    for (const p of customFieldProblems(fields as Record<string, unknown>, b['custom_schema_spec'])) {
      violations.push({
        kind: 'custom-schema-spec',
        basis: 'prose',
        pointer: pointerOf('custom_fields', p.field),
        field: 'custom_fields',
        message: `custom field ${JSON.stringify(p.field)} has no schema specified (needs ${p.missing})`,
        expected: p.missing,
      });
    }
  }
  return violations;
};

export const isValidRequest = (endpoint: EndpointSpec, body: unknown): boolean =>
  checkRequest(endpoint, body).length === 0;
