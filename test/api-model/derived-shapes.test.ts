import type { TSchema } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertSchema, SliceSchemaError, sliceSchema } from '../../api-model/shapes/from-slice.ts';
import { CREATE_ENDPOINTS } from '../../api-model/endpoints/index.ts';
import { validate } from '../../api-model/shapes/index.ts';
import { driftCases } from '../../drift/requests.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { badRequestBodies, created201, errorBodies } from '../fixtures/documented-examples.ts';
import { handWritten } from '../fixtures/hand-written.ts';
import { WRONG } from '../fixtures/wrong-bodies.ts';

const DRIFT_CASES = driftCases();

// The shapes derived from the committed slice, which the suite runs on, against the
// hand-written TypeBox declarations that give them their static types: the same structure,
// the same examples accepted, the same wrong bodies rejected at the same pointers. A slice
// re-pinned from a changed document fails here, so the types never go stale silently.

type Node = Record<string, unknown>;

/** A comparable reading of a schema: types, formats, enums, required, properties, variants. */
const signature = (schema: unknown): unknown => {
  const n = schema as Node;
  if (!n || typeof n !== 'object') return n;
  if (Array.isArray(n['anyOf'])) {
    const branches = n['anyOf'] as Node[];
    if (branches.every((b) => b['const'] !== undefined)) return { enum: branches.map((b) => b['const']).sort() };
    const nonNull = branches.filter((b) => b['type'] !== 'null');
    if (nonNull.length === 1 && branches.length === 2) return { nullable: signature(nonNull[0]) };
    return { anyOf: branches.map(signature) };
  }
  if (n['discriminator']) {
    const tag = (n['discriminator'] as Node)['propertyName'] as string;
    const variants = Object.fromEntries(
      (n['oneOf'] as Node[]).map((v) => [String(((v['properties'] as Record<string, Node>)[tag] as Node)['const']), signature({ ...v, title: undefined })]),
    );
    return { tag, variants };
  }
  if (n['const'] !== undefined) return { enum: [n['const']] };
  if (Array.isArray(n['enum'])) return { enum: [...(n['enum'] as unknown[])].sort() };
  if (n['type'] === 'array') return { array: signature(n['items']) };
  if (n['type'] === 'object') {
    const props = (n['properties'] as Record<string, unknown>) ?? {};
    if (Object.keys(props).length === 0 || n['x-free-form'] || n['patternProperties']) return { object: 'free-form' };
    return {
      object: Object.fromEntries(Object.keys(props).sort().map((k) => [k, signature(props[k])])),
      required: [...((n['required'] as string[]) ?? [])].sort(),
    };
  }
  return { type: n['type'], ...(n['format'] ? { format: n['format'] } : {}) };
};

const shapes = (): Array<[string, TSchema]> =>
  CREATE_ENDPOINTS.flatMap((e) => [
    [`${e.name} request`, e.request] as [string, TSchema],
    ...Object.entries(e.responses).map(([status, s]) => [`${e.name} ${status}`, s] as [string, TSchema]),
  ]);

const derivedOf = (s: TSchema): TSchema => sliceSchema(String(s.title));

describe('shapes derived from the committed slice', () => {
  it('are what the endpoints validate with', () => {
    for (const [label, schema] of shapes()) expect(schema, label).toBe(derivedOf(schema));
  });

  // A TypeBox declaration lends a shape its static type; an endpoint added from the slice
  // alone may have none. Every declaration there is must match the component it types.
  const declared = shapes().filter(([, schema]) => handWritten(String(schema.title)) !== undefined);
  it('have hand-written declarations to compare with', () => {
    expect(declared.length).toBeGreaterThan(0);
  });

  for (const [label, schema] of declared) {
    it(`match the hand-written ${label} (${schema.title})`, () => {
      const hand = handWritten(String(schema.title));
      expect(hand, label).not.toBe(schema);
      expect(signature(hand)).toEqual(signature(derivedOf(schema)));
    });
  }

  it('accept every documented example, in both views', () => {
    const examples: Array<[TSchema, unknown]> = [];
    for (const e of CREATE_ENDPOINTS) {
      for (const body of created201[e.name]!) examples.push([e.responses[201]!, body]);
      for (const body of Object.values(badRequestBodies)) examples.push([e.responses[400]!, body]);
      for (const [status, body] of Object.entries(errorBodies)) {
        const s = (e.responses as Record<string, TSchema>)[status];
        if (s) examples.push([s, body]);
      }
    }
    for (const [schema, body] of examples) {
      expect(validate(derivedOf(schema), body, 'documented').errors, String(schema.title)).toEqual([]);
      expect(validate(derivedOf(schema), body, 'strict').errors, String(schema.title)).toEqual([]);
    }
  });

  it('reject the table of wrong bodies at the same pointers as the hand-written shapes', () => {
    let compared = 0;
    for (const c of WRONG) {
      const title = String((c.schema as TSchema).title ?? '');
      let derived: TSchema;
      try {
        derived = sliceSchema(title);
      } catch (err) {
        // Headers and the untyped route-not-found body are prose, not slice components.
        if (err instanceof SliceSchemaError) continue;
        throw err;
      }
      compared++;
      const view = c.view ?? 'documented';
      for (const schema of [derived, handWritten(title)!]) {
        const verdict = validate(schema, c.body, view);
        expect(verdict.valid, c.name).toBe(false);
        expect(verdict.errors.map((e) => e.pointer), c.name).toContain(c.pointer);
      }
    }
    expect(compared).toBeGreaterThan(25);
  });

  describe('accept every answer of the simulator', () => {
    let sim: RunningSimulator;
    beforeAll(async () => {
      sim = await startSimulator({});
    });
    afterAll(async () => {
      await sim.close();
    });

    it('for each drift case it can answer', async () => {
      const env = { runId: 'dgderived', fixtures: {}, simulator: true };
      let checked = 0;
      for (const c of DRIFT_CASES) {
        const p = c.prepare(env);
        for (const step of p.setup) {
          if (step.kind === 'api') continue;
          await fetch(`${sim.url}/__simulator/${step.call.route}`, { method: 'POST', body: JSON.stringify(step.call.body) });
        }
        const token = p.request.token ?? 'tok-derived';
        const res = await fetch(`${sim.url}${p.request.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(p.request.auth === 'none' ? {} : { authorization: `Bearer ${token}` }) },
          body: p.request.rawBody !== undefined ? String(p.request.rawBody) : JSON.stringify(p.request.body),
        });
        const body = await res.json();
        const schema = (c.endpoint.responses as Record<number, TSchema>)[res.status];
        expect(schema, `${c.name} ${res.status}`).toBeDefined();
        expect(validate(derivedOf(schema!), body, 'documented').errors, `${c.endpoint.name} ${c.name}`).toEqual([]);
        expect(validate(derivedOf(schema!), body, 'strict').errors, `${c.endpoint.name} ${c.name}`).toEqual([]);
        checked++;
      }
      expect(checked).toBe(DRIFT_CASES.length);
    });
  });
});

describe('the OpenAPI 3.0 conversion', () => {
  const components = {
    base: { type: 'object', properties: { id: { type: 'string', format: 'id' } }, required: ['id'] },
    a: { type: 'object', additionalProperties: false, title: 'a' },
    b: { type: 'object', properties: { n: { type: 'integer', format: 'int32' } }, required: ['n'], title: 'b' },
    withNull: { type: 'string', format: 'date-time', nullable: true },
    thing: {
      allOf: [
        { $ref: '#/components/schemas/base' },
        {
          type: 'object',
          properties: { kind: { type: 'string', enum: ['a', 'b'] }, at: { $ref: '#/components/schemas/withNull' }, big: { type: 'integer', format: 'int64' } },
          discriminator: { propertyName: 'kind', mapping: { a: '#/components/schemas/a', b: '#/components/schemas/b' } },
          oneOf: [{ $ref: '#/components/schemas/a' }, { $ref: '#/components/schemas/b' }],
          required: ['kind'],
        },
      ],
      title: 'thing',
    },
    loop: { type: 'object', properties: { next: { $ref: '#/components/schemas/loop' } } },
  };
  const thing = convertSchema({ $ref: '#/components/schemas/thing' }, components) as unknown as TSchema;

  it('merges allOf, maps discriminator variants with their tag, keeps required, enums and formats', () => {
    expect(validate(thing, { id: 'x', kind: 'a' }).errors).toEqual([]);
    expect(validate(thing, { id: 'x', kind: 'b', n: 3, big: 2 ** 40 }).errors).toEqual([]);
    expect(validate(thing, { id: 'x', kind: 'b' }).errors.map((e) => [e.pointer, e.keyword])).toContainEqual(['/n', 'required']);
    expect(validate(thing, { kind: 'a' }).errors.map((e) => [e.pointer, e.keyword])).toContainEqual(['/id', 'required']);
    expect(validate(thing, { id: 'x', kind: 'c' }).errors.map((e) => [e.pointer, e.keyword])).toContainEqual(['/kind', 'discriminator']);
    expect(validate(thing, { id: 'x', kind: 'b', n: 2 ** 31 }).errors.map((e) => [e.pointer, e.keyword])).toContainEqual(['/n', 'format']);
    expect(validate(thing, { id: 'x', kind: 'a', big: 1.5 }).errors.map((e) => e.pointer)).toContain('/big');
  });

  it('reads nullable as the schema or null, and date-time as RFC 3339', () => {
    expect(validate(thing, { id: 'x', kind: 'a', at: null }).errors).toEqual([]);
    expect(validate(thing, { id: 'x', kind: 'a', at: '2025-10-16T09:30:00Z' }).errors).toEqual([]);
    expect(validate(thing, { id: 'x', kind: 'a', at: '16/10/2025' }).valid).toBe(false);
  });

  it('closes variants only in the strict view, and refuses a $ref cycle', () => {
    expect(validate(thing, { id: 'x', kind: 'a', extra: 1 }, 'documented').valid).toBe(true);
    expect(validate(thing, { id: 'x', kind: 'a', extra: 1 }, 'strict').errors.map((e) => [e.pointer, e.keyword])).toContainEqual([
      '/extra',
      'additionalProperties',
    ]);
    expect(() => convertSchema({ $ref: '#/components/schemas/loop' }, components)).toThrow(/cycle/);
  });
});
