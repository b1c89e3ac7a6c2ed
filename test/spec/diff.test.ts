import { describe, expect, it } from 'vitest';
import { SPEC_DIFF_RULES, type SpecDiffRuleId } from '../../api-model/rulebook/spec-diff.ts';
import { diffSpecs } from '../../spec/diff.ts';
import { sideOf } from '../../spec/resolve.ts';
import { baseDocument } from './documents.ts';

type Doc = ReturnType<typeof baseDocument>;

const diff = (a: Doc, b: Doc) => diffSpecs(sideOf('a.yaml', 'a.yaml', a), sideOf('b.yaml', 'b.yaml', b));

const REV = '/paths/~1rev-users.create/post';
const S = '/components/schemas';

interface Case {
  /** What one change to the base document does, read from old to new… */
  forward: SpecDiffRuleId;
  /** …and read from new to old. */
  reverse: SpecDiffRuleId;
  from: string;
  to: string;
  endpoints?: string[];
  change: (d: Doc) => void;
}

// Each line: one change, the rule it is in both directions, and the pointer on each side.
const CASES: Case[] = [
  { forward: 'endpoint-removed', reverse: 'endpoint-added', from: '/paths/~1dev-users.create', to: '/paths', endpoints: ['dev-users.create'], change: (d) => delete d.paths['/dev-users.create'] },
  { forward: 'response-status-removed', reverse: 'response-status-added', from: `${REV}/responses/400`, to: `${REV}/responses`, change: (d) => delete d.paths['/rev-users.create'].post.responses['400'] },
  { forward: 'request-media-type-added', reverse: 'request-media-type-removed', from: `${REV}/requestBody/content`, to: `${REV}/requestBody/content/text~1plain`, change: (d) => { d.paths['/rev-users.create'].post.requestBody.content['text/plain'] = { schema: { type: 'string' } }; } },
  { forward: 'response-media-type-added', reverse: 'response-media-type-removed', from: `${REV}/responses/400/content`, to: `${REV}/responses/400/content/text~1plain`, change: (d) => { d.paths['/rev-users.create'].post.responses['400'].content['text/plain'] = { schema: { type: 'string' } }; } },
  { forward: 'request-body-became-required', reverse: 'request-body-became-optional', from: `${REV}/requestBody/required`, to: `${REV}/requestBody/required`, change: (d) => { d.paths['/rev-users.create'].post.requestBody.required = true; } },
  { forward: 'request-parameter-added-required', reverse: 'request-parameter-removed', from: REV, to: `${REV}/parameters/1`, change: (d) => d.paths['/rev-users.create'].post.parameters.push({ name: 'x', in: 'query', required: true, schema: { type: 'string' } }) },
  { forward: 'request-parameter-added', reverse: 'request-parameter-removed', from: REV, to: `${REV}/parameters/1`, change: (d) => d.paths['/rev-users.create'].post.parameters.push({ name: 'x', in: 'query', schema: { type: 'string' } }) },
  { forward: 'request-parameter-became-required', reverse: 'request-parameter-became-optional', from: `${REV}/parameters/0`, to: `${REV}/parameters/0`, change: (d) => { d.paths['/rev-users.create'].post.parameters[0].required = true; } },
  { forward: 'request-property-added-required', reverse: 'request-property-removed', from: `${S}/req`, to: `${S}/req/properties/phone`, endpoints: ['rev-users.create', 'dev-users.create'], change: (d) => { d.components.schemas.req.properties.phone = { type: 'string' }; d.components.schemas.req.required.push('phone'); } },
  { forward: 'request-property-added', reverse: 'request-property-removed', from: `${S}/req`, to: `${S}/req/properties/phone`, change: (d) => { d.components.schemas.req.properties.phone = { type: 'string' }; } },
  { forward: 'request-property-became-required', reverse: 'request-property-became-optional', from: `${S}/req/properties/state`, to: `${S}/req/properties/state`, change: (d) => d.components.schemas.req.required.push('state') },
  { forward: 'request-property-type-narrowed', reverse: 'request-property-type-widened', from: `${S}/req/properties/count`, to: `${S}/req/properties/count`, change: (d) => { d.components.schemas.req.properties.count.type = 'integer'; } },
  { forward: 'request-property-format-changed', reverse: 'request-property-format-changed', from: `${S}/req/properties/when/format`, to: `${S}/req/properties/when/format`, change: (d) => { d.components.schemas.req.properties.when.format = 'date'; } },
  { forward: 'request-property-format-removed', reverse: 'request-property-format-changed', from: `${S}/req/properties/when/format`, to: `${S}/req/properties/when`, change: (d) => delete d.components.schemas.req.properties.when.format },
  { forward: 'request-enum-value-removed', reverse: 'request-enum-value-added', from: `${S}/req/properties/state/enum`, to: `${S}/req/properties/state/enum`, change: (d) => { d.components.schemas.req.properties.state.enum = ['shadow']; } },
  { forward: 'request-discriminator-mapping-added', reverse: 'request-discriminator-mapping-removed', from: `${S}/kind/discriminator`, to: `${S}/kind/discriminator/mapping/b`, change: (d) => { d.components.schemas.kind.discriminator.mapping.b = '#/components/schemas/kind-b'; d.components.schemas.kind.oneOf.push({ $ref: '#/components/schemas/kind-b' }); } },
  { forward: 'response-property-removed', reverse: 'response-property-added', from: `${S}/user/allOf/1/properties/age`, to: `${S}/user`, change: (d) => delete d.components.schemas.user.allOf[1].properties.age },
  { forward: 'response-property-removed', reverse: 'response-property-added', from: `${S}/base/properties/display_id`, to: `${S}/user`, change: (d) => delete d.components.schemas.base.properties.display_id },
  { forward: 'response-property-became-optional', reverse: 'response-property-became-required', from: `${S}/user/allOf/1/properties/state`, to: `${S}/user/allOf/1/properties/state`, change: (d) => { d.components.schemas.user.allOf[1].required = []; } },
  { forward: 'response-property-type-changed', reverse: 'response-property-type-narrowed', from: `${S}/user/allOf/1/properties/age`, to: `${S}/user/allOf/1/properties/age`, change: (d) => { d.components.schemas.user.allOf[1].properties.age.type = 'number'; } },
  { forward: 'response-property-type-changed', reverse: 'response-property-type-changed', from: `${S}/user/allOf/1/properties/age`, to: `${S}/user/allOf/1/properties/age`, change: (d) => { d.components.schemas.user.allOf[1].properties.age.type = 'string'; } },
  { forward: 'response-property-became-nullable', reverse: 'response-property-type-narrowed', from: `${S}/user/allOf/1/properties/age`, to: `${S}/user/allOf/1/properties/age`, change: (d) => { d.components.schemas.user.allOf[1].properties.age.nullable = true; } },
  { forward: 'response-property-format-changed', reverse: 'response-property-format-changed', from: `${S}/user/allOf/1/properties/created_date/format`, to: `${S}/user/allOf/1/properties/created_date/format`, change: (d) => { d.components.schemas.user.allOf[1].properties.created_date.format = 'date'; } },
  { forward: 'response-property-format-changed', reverse: 'response-property-format-added', from: `${S}/user/allOf/1/properties/created_date/format`, to: `${S}/user/allOf/1/properties/created_date`, change: (d) => delete d.components.schemas.user.allOf[1].properties.created_date.format },
  { forward: 'response-enum-value-added', reverse: 'response-enum-value-removed', from: `${S}/user/allOf/1/properties/state/enum`, to: `${S}/user/allOf/1/properties/state/enum`, change: (d) => d.components.schemas.user.allOf[1].properties.state.enum.push('locked') },
  { forward: 'response-discriminator-mapping-added', reverse: 'response-discriminator-mapping-removed', from: `${S}/org/discriminator`, to: `${S}/org/discriminator/mapping/dev_org`, change: (d) => { d.components.schemas.org.discriminator.mapping.dev_org = '#/components/schemas/dev-org'; d.components.schemas.org.oneOf.push({ $ref: '#/components/schemas/dev-org' }); } },
  { forward: 'format-annotation-changed', reverse: 'format-annotation-changed', from: `${S}/base/properties/id`, to: `${S}/base/properties/id/format`, change: (d) => { d.components.schemas.base.properties.id.format = 'id'; } },
];

describe('spec diff: one change per rule, read in both directions', () => {
  it.each(CASES)('$forward / $reverse: $to', (c) => {
    const a = baseDocument();
    const b = baseDocument();
    c.change(b);
    const there = diff(a, b);
    expect(there.map((x) => x.ruleId)).toEqual([c.forward]);
    expect(there[0]).toMatchObject({ from: c.from, to: c.to });
    if (c.endpoints) expect(there[0]!.endpoints).toEqual(c.endpoints);
    const back = diff(b, a);
    expect(back.map((x) => x.ruleId)).toEqual([c.reverse]);
    expect(back[0]).toMatchObject({ from: c.to, to: c.from });
  });

  it('covers every diff rule of the rule book (the pact-* rules belong to the pact check)', () => {
    const covered = new Set(CASES.flatMap((c) => [c.forward, c.reverse]));
    const rules = Object.keys(SPEC_DIFF_RULES).filter((r) => !r.startsWith('pact-'));
    expect(rules.filter((r) => !covered.has(r as SpecDiffRuleId))).toEqual([]);
  });

  it('a change in a shared component is one change naming every endpoint and place that reaches it', () => {
    const b = baseDocument();
    delete b.components.schemas.user.allOf[1].properties.age;
    const [c] = diff(baseDocument(), b);
    expect(c!.endpoints).toEqual(['rev-users.create', 'dev-users.create']);
    expect(c!.places).toEqual(['response 201 /rev_user/age']);
  });

  it('descriptions, examples, titles and vendor extensions are not changes', () => {
    const b = baseDocument();
    // Schemas, operations, bodies, answers and parameters; not the maps keyed by name.
    const MAPS = ['paths', 'schemas', 'properties', 'mapping', 'responses', 'content'];
    const decorate = (v: unknown, key = ''): void => {
      if (Array.isArray(v)) for (const x of v) decorate(x);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        for (const [k, x] of Object.entries(o)) decorate(x, k);
        if (!MAPS.includes(key) && !('$ref' in o)) Object.assign(o, { description: 'new words', example: 'x', title: 'T', 'x-fern-sdk': { any: 1 } });
      }
    };
    decorate(b.paths, 'paths');
    decorate(b.components.schemas, 'schemas');
    b.info = { title: 'renamed', version: '2', 'x-logo': 'l' };
    expect(diff(baseDocument(), b)).toEqual([]);
  });

  it('direction decides severity: the same property added is an error in a request and info in an answer', () => {
    const req = baseDocument();
    req.components.schemas.req.properties.phone = { type: 'string' };
    req.components.schemas.req.required.push('phone');
    const res = baseDocument();
    res.components.schemas.user.allOf[1].properties.phone = { type: 'string' };
    res.components.schemas.user.allOf[1].required.push('phone');
    expect(SPEC_DIFF_RULES[diff(baseDocument(), req)[0]!.ruleId].severity).toBe('error');
    expect(SPEC_DIFF_RULES[diff(baseDocument(), res)[0]!.ruleId].severity).toBe('info');
  });

  it('a recursive schema is compared once: the change is reported where it is first reached', () => {
    const a = baseDocument();
    a.components.schemas.base.properties.parent = { $ref: '#/components/schemas/user' };
    const b = structuredClone(a);
    b.components.schemas.user.allOf[1].properties.age.type = 'string';
    const changes = diff(a, b);
    expect(changes.map((c) => c.ruleId)).toEqual(['response-property-type-changed']);
    expect(changes[0]!.places).toEqual(['response 201 /rev_user/age']);
  });
});
