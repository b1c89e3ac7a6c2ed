import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import {
  DEV_USERS_CREATE,
  ErrorBadRequest,
  ErrorUnauthorized,
  REV_USERS_CREATE,
  type SchemaError,
  validate,
} from '../../api-model/shapes/index.ts';
import { classifySchemaErrors } from '../../drift/classify.ts';
import { compareRules, RULE_IDS, RULES } from '../../drift/rules.ts';
import { handWritten } from '../fixtures/hand-written.ts';
import { WRONG } from '../fixtures/wrong-bodies.ts';

const REV_201 = REV_USERS_CREATE.responses[201];
const DEV_201 = DEV_USERS_CREATE.responses[201];

/** What the drift check reads: documented errors plus the strict view's additions. */
const classify = (schema: TSchema, body: unknown, errorStatus = false) => {
  const documented = validate(schema, body, 'documented').errors;
  const added = validate(schema, body, 'strict').errors.filter((e) => e.keyword === 'additionalProperties');
  return classifySchemaErrors([...documented, ...added], body, schema, { errorStatus }).map((c) => ({
    rule: c.rule,
    pointer: c.pointer,
  }));
};

const user = { id: 'don:identity:dvrv-us-1:devo/1:revu/1', state: 'active', created_date: '2025-01-02T03:04:05.000Z' };

describe('the classifier, on bodies written by hand', () => {
  it('finds nothing in a documented 201', () => {
    expect(classify(REV_201, { rev_user: user })).toEqual([]);
  });

  it('reads a missing id as a missing required property at its pointer', () => {
    expect(classify(REV_201, { rev_user: { state: 'active' } })).toEqual([
      { rule: 'response-required-property-missing', pointer: '/rev_user/id' },
    ]);
  });

  it('reads a renamed envelope key as the documented key missing and the new one added', () => {
    expect(classify(REV_201, { user })).toEqual([
      { rule: 'response-required-property-missing', pointer: '/rev_user' },
      { rule: 'response-property-added', pointer: '/user' },
    ]);
  });

  it('reads a number where a string is documented as a type change, not also as an unknown enum value', () => {
    expect(classify(REV_201, { rev_user: { ...user, state: 5 } })).toEqual([
      { rule: 'response-property-type-changed', pointer: '/rev_user/state' },
    ]);
  });

  it('reads null as a property that became nullable, whatever else null breaks', () => {
    expect(classify(REV_201, { rev_user: { ...user, state: null } })).toEqual([
      { rule: 'response-property-became-nullable', pointer: '/rev_user/state' },
    ]);
    expect(classify(REV_201, { rev_user: { ...user, created_by: null } })).toEqual([
      { rule: 'response-property-became-nullable', pointer: '/rev_user/created_by' },
    ]);
  });

  it('reads an unknown string in a closed enum as an unknown enum value, listing the documented ones', () => {
    const body = { rev_user: { ...user, state: 'archived' } };
    const [c] = classifySchemaErrors(validate(REV_201, body).errors, body, REV_201, { errorStatus: false });
    expect(c).toMatchObject({ rule: 'response-enum-value-unknown', pointer: '/rev_user/state', actual: 'archived' });
    expect(c?.expected).toEqual(['active', 'deactivated', 'deleted', 'locked', 'shadow', 'unassigned']);
  });

  it('reads a broken date-time as a format change', () => {
    expect(classify(DEV_201, { dev_user: { ...user, created_date: '2025-01-02 03:04' } })).toEqual([
      { rule: 'response-property-format-changed', pointer: '/dev_user/created_date' },
    ]);
  });

  it('reads an unknown discriminator value at the tag, with the documented variants as expected', () => {
    const body = { rev_user: { ...user, created_by: { type: 'robot', id: 'x' } } };
    const [c] = classifySchemaErrors(validate(REV_201, body).errors, body, REV_201, { errorStatus: false });
    expect(c).toMatchObject({ rule: 'response-discriminator-unknown', pointer: '/rev_user/created_by/type', actual: 'robot' });
    expect(c?.expected).toEqual(['dev_user', 'rev_user', 'service_account', 'sys_user']);
  });

  it('reads a missing discriminator as a missing required property, not as an unknown variant', () => {
    expect(classify(REV_201, { rev_user: { ...user, created_by: { id: 'x' } } })).toEqual([
      { rule: 'response-required-property-missing', pointer: '/rev_user/created_by/type' },
    ]);
  });

  it('reads a null discriminator as nullable', () => {
    expect(classify(REV_201, { rev_user: { ...user, created_by: { id: 'x', type: null } } })).toEqual([
      { rule: 'response-property-became-nullable', pointer: '/rev_user/created_by/type' },
    ]);
  });

  it('reports additions inside nested documented objects, and never inside free-form custom_fields', () => {
    const body = { rev_user: { ...user, custom_fields: { tnt__x: 1 }, created_by: { type: 'dev_user', id: 'd', tz: 'UTC' } } };
    expect(classify(REV_201, body)).toEqual([{ rule: 'response-property-added', pointer: '/rev_user/created_by/tz' }]);
  });

  it('reads an error body that is not an object as an undocumented error body, and nothing else', () => {
    expect(classify(ErrorUnauthorized, ['unauthorized'], true)).toEqual([{ rule: 'error-body-undocumented', pointer: '' }]);
    expect(classify(ErrorUnauthorized, 'unauthorized', true)).toEqual([{ rule: 'error-body-undocumented', pointer: '' }]);
  });

  it('reads a 201 body that is not an object as a type change of the body', () => {
    expect(classify(REV_201, 'created', false)).toEqual([{ rule: 'response-property-type-changed', pointer: '' }]);
  });

  it('reads an error type the spec does not list (an SDK-only one) as an unknown discriminator', () => {
    expect(classify(ErrorUnauthorized, { type: 'token_expired' }, true)).toEqual([
      { rule: 'response-discriminator-unknown', pointer: '/type' },
    ]);
  });

  it('reads an error envelope without type as the required type missing', () => {
    expect(classify(ErrorBadRequest, { message: 'bad' }, true)).toEqual([
      { rule: 'response-required-property-missing', pointer: '/type' },
    ]);
  });

  it('reads a variant field of the wrong JSON type inside an error envelope at its own pointer', () => {
    expect(
      classify(ErrorBadRequest, { type: 'unexpected_json_type', actual: 'text', expected: 'string', field_name: 'x' }, true),
    ).toEqual([{ rule: 'response-enum-value-unknown', pointer: '/actual' }]);
  });
});

describe('the classifier, on ajv errors written by hand', () => {
  const err = (pointer: string, keyword: string, params: Record<string, unknown> = {}): SchemaError => ({
    pointer,
    keyword,
    message: keyword,
    params,
  });

  it('lets the stricter of two readings of one value win, whatever order ajv reports them in', () => {
    const body = { a: null };
    const errors = [err('/a', 'const', { allowedValue: 'x' }), err('/a', 'type', { type: 'string' }), err('/a', 'anyOf')];
    const out = classifySchemaErrors(errors, body, REV_201, { errorStatus: false });
    expect(out.map((c) => c.rule)).toEqual(['response-property-became-nullable']);
    const reversed = classifySchemaErrors([...errors].reverse(), body, REV_201, { errorStatus: false });
    expect(reversed.map((c) => c.rule)).toEqual(['response-property-became-nullable']);
  });

  it('reads a union that failed without a reason of its own as a type change', () => {
    const out = classifySchemaErrors([err('/a', 'oneOf')], { a: 1 }, REV_201, { errorStatus: false });
    expect(out).toMatchObject([{ rule: 'response-property-type-changed', pointer: '/a' }]);
  });

  it('reads range and length keywords as format changes', () => {
    const out = classifySchemaErrors([err('/n', 'maximum', { limit: 2147483647 })], { n: 2 ** 40 }, REV_201, {
      errorStatus: false,
    });
    expect(out).toMatchObject([{ rule: 'response-property-format-changed', pointer: '/n' }]);
  });

  it('keeps one reading per pointer and orders shallow pointers first', () => {
    const out = classifySchemaErrors(
      [err('/a/b', 'required', { missingProperty: 'b' }), err('/a/b', 'type'), err('/c', 'additionalProperties')],
      { a: {}, c: 1 },
      REV_201,
      { errorStatus: false },
    );
    expect(out.map((c) => [c.rule, c.pointer])).toEqual([
      ['response-property-added', '/c'],
      ['response-required-property-missing', '/a/b'],
    ]);
  });
});

describe('the rules table', () => {
  it('gives every rule a severity and a reason', () => {
    for (const id of RULE_IDS) {
      expect(['error', 'warning', 'info']).toContain(RULES[id].severity);
      expect(RULES[id].reason.length).toBeGreaterThan(20);
    }
  });

  it('keeps the issue\'s severities: additions are info, everything that breaks a documented promise is above it', () => {
    expect(RULES['response-property-added'].severity).toBe('info');
    for (const id of RULE_IDS.filter((r) => r !== 'response-property-added')) expect(RULES[id].severity).not.toBe('info');
  });

  it('orders a stricter severity before a milder one', () => {
    expect(compareRules('response-status-changed', 'rate-limit-header-missing')).toBeLessThan(0);
    expect(compareRules('response-property-added', 'baseline-property-removed')).toBeGreaterThan(0);
  });
});

describe('the classifier, on the schemas derived from the slice as on the hand-written declarations', () => {
  // The runtime validates with the derived schemas (enum where TypeBox writes a union of
  // literals, one branch per discriminator mapping): the drift rules must not depend on which.
  const full = (schema: TSchema, body: unknown, errorStatus: boolean) => {
    const documented = validate(schema, body, 'documented').errors;
    const added = validate(schema, body, 'strict').errors.filter((e) => e.keyword === 'additionalProperties');
    return classifySchemaErrors([...documented, ...added], body, schema, { errorStatus }).map((c) => [c.rule, c.pointer, c.expected]);
  };
  const R = REV_201;
  const D = DEV_201;
  const B = REV_USERS_CREATE.responses[400];
  const cases: Array<[TSchema, unknown]> = [
    ...WRONG.filter((w) => w.schema === R || w.schema === D || w.schema === B).map((w) => [w.schema, w.body] as [TSchema, unknown]),
    [R, { rev_user: { id: 'x', state: null } }],
    [R, { rev_user: { id: 'x', state: 42 } }],
    [R, { rev_user: { id: 'x', created_by: { type: null, id: 'y' } } }],
    [R, { rev_user: { id: 'x', created_by: { type: 5, id: 'y' } } }],
    [R, { rev_user: { id: 'x', created_by: 'u' } }],
    [R, { rev_user: { id: 'x', rev_org: { type: 'dev_org', id: 'y', dev_slug: 3 } } }],
    [R, { rev_user: { id: 'x', display_picture: { id: 'a', file: { size: 2 ** 40 } } } }],
    [R, 'not an object'],
    [D, { dev_user: { id: 'x', job_history: [{ employment_status: { id: 1, label: 'x', ordinal: '1' } }] } }],
    [B, { type: 'customization_validation_error', subtype: null }],
    [B, { type: 'unexpected_json_type', field_name: 'e', expected: 'string', actual: null }],
    [B, { type: 7 }],
    [B, null],
    [B, { type: 'merge_works_error', errors: [{ details: 'd', work: 'w', subtype: 'nope' }] }],
    [B, { type: 'workflow_component_validation_errors', errors: [{ code: 'x'.repeat(20), message: 'm', location: 'bad' }] }],
    [B, { type: 'bad_request', message: 1, more: 1 }],
  ];

  it('finds the same rules at the same pointers with the same expectations', () => {
    expect(cases.length).toBeGreaterThan(30);
    for (const [schema, body] of cases) {
      const errorStatus = schema === B;
      const derived = full(schema, body, errorStatus);
      expect(derived.length, JSON.stringify(body)).toBeGreaterThan(0);
      expect(derived, JSON.stringify(body)).toEqual(full(handWritten(String(schema.title))!, body, errorStatus));
    }
  });
});
