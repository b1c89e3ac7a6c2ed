import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { compareShapes, generalize, parseBaseline, shapeOf } from '../../drift/baseline.ts';

const body = {
  rev_user: { id: 'x', phone_numbers: ['+1', '+2'], x_legacy: 'a', created_by: { type: 'dev_user', id: 'd' } },
};

describe('baseline shapes', () => {
  it('maps every pointer to its JSON type, array elements under one "*"', () => {
    expect(shapeOf(body)).toEqual({
      '': 'object',
      '/rev_user': 'object',
      '/rev_user/created_by': 'object',
      '/rev_user/created_by/id': 'string',
      '/rev_user/created_by/type': 'string',
      '/rev_user/id': 'string',
      '/rev_user/phone_numbers': 'array',
      '/rev_user/phone_numbers/*': 'string',
      '/rev_user/x_legacy': 'string',
    });
    expect(shapeOf({ a: [1, 'x', null] })['/a/*']).toBe('null|number|string');
  });

  it('turns a concrete pointer into its shape pointer', () => {
    expect(generalize(body, '/rev_user/phone_numbers/1')).toBe('/rev_user/phone_numbers/*');
    expect(generalize({ 'a/b': [{}] }, '/a~1b/0')).toBe('/a~1b/*');
  });

  it('reports an undocumented field that disappeared, once, at the highest pointer gone', () => {
    const { x_legacy: _, created_by: __, ...rest } = body.rev_user;
    const out = compareShapes(shapeOf(body), shapeOf({ rev_user: rest }), new Set());
    expect(out.map((o) => [o.rule, o.pointer])).toEqual([
      ['baseline-property-removed', '/rev_user/created_by'],
      ['baseline-property-removed', '/rev_user/x_legacy'],
    ]);
  });

  it('reports a changed type, and not the length of an array', () => {
    const now = { rev_user: { ...body.rev_user, x_legacy: 7, phone_numbers: [] } };
    const out = compareShapes(shapeOf(body), shapeOf(now), new Set());
    expect(out).toMatchObject([{ rule: 'baseline-property-type-changed', pointer: '/rev_user/x_legacy', expected: 'string', actual: 'number' }]);
  });

  it('leaves out what the schema checks already reported, and what lies below it', () => {
    const out = compareShapes(shapeOf(body), shapeOf({ rev_user: { id: 'x' } }), new Set(['/rev_user/created_by', '/rev_user/x_legacy']));
    expect(out.map((o) => o.pointer)).toEqual(['/rev_user/phone_numbers']);
  });

  it('refuses a file that is not a baseline with one line', () => {
    for (const text of ['{', '{"answers": []}', '{"devrevGateBaseline": 1, "answers": [{"endpoint": "x"}]}']) {
      expect(() => parseBaseline(text, '/tmp/b.json')).toThrow(UsageError);
    }
    expect(() => parseBaseline('{', '/tmp/b.json')).toThrow(/^baseline b\.json: not valid JSON/);
  });
});
