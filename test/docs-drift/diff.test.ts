import { describe, expect, it } from 'vitest';
import { SLICE_PATHS } from '../../api-model/openapi/slice-paths.ts';
import { SPEC_DIFF_RULES, type SpecDiffRuleId } from '../../api-model/rulebook/spec-diff.ts';
import { casesFor } from '../../docs-drift/cases.ts';
import { diffSpecs } from '../../docs-drift/diff.ts';
import { openSide, PINNED, sideOf } from '../../docs-drift/resolve.ts';
import { baseDocument } from './documents.ts';

type Doc = ReturnType<typeof baseDocument>;

const diff = (a: Doc, b: Doc) => diffSpecs(sideOf('a.yaml', 'a.yaml', a), sideOf('b.yaml', 'b.yaml', b));

const REV = '/paths/~1rev-users.create/post';
const DEV = '/paths/~1dev-users.create/post';
const R429 = `${REV}/responses/429`;
const S = '/components/schemas';
const SCHEMES = '/components/securitySchemes';
const BOTH = ['rev-users.create', 'dev-users.create'];

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
  { forward: 'response-header-removed', reverse: 'response-header-added', from: `${R429}/headers/Retry-After`, to: R429, change: (d) => delete d.paths['/rev-users.create'].post.responses['429'].headers['Retry-After'] },
  { forward: 'response-header-removed', reverse: 'response-header-added', from: '/components/headers/remaining', to: R429, change: (d) => delete d.paths['/rev-users.create'].post.responses['429'].headers['X-RateLimit-Remaining'] },
  { forward: 'response-header-became-required', reverse: 'response-header-became-optional', from: `${R429}/headers/Retry-After`, to: `${R429}/headers/Retry-After/required`, change: (d) => { d.paths['/rev-users.create'].post.responses['429'].headers['Retry-After'].required = true; } },
  { forward: 'response-header-type-changed', reverse: 'response-header-type-changed', from: `${R429}/headers/Retry-After/schema`, to: `${R429}/headers/Retry-After/schema`, change: (d) => { d.paths['/rev-users.create'].post.responses['429'].headers['Retry-After'].schema.type = 'string'; } },
  { forward: 'response-header-type-changed', reverse: 'response-header-type-narrowed', from: '/components/headers/remaining/schema', to: '/components/headers/remaining/schema', change: (d) => { d.components.headers.remaining.schema.type = 'number'; } },
  { forward: 'security-requirement-added', reverse: 'security-requirement-removed', from: '/security/0', to: '/security/0', endpoints: ['rev-users.create'], change: (d) => { d.security[0].key = []; } },
  { forward: 'security-requirement-removed', reverse: 'security-requirement-added', from: `${DEV}/security/0`, to: `${DEV}/security`, endpoints: ['dev-users.create'], change: (d) => { d.paths['/dev-users.create'].post.security = []; } },
  { forward: 'security-alternative-added', reverse: 'security-requirement-added', from: '/security', to: '/security/1', endpoints: ['rev-users.create'], change: (d) => d.security.push({ key: [] }) },
  { forward: 'security-scheme-changed', reverse: 'security-scheme-changed', from: `${SCHEMES}/bearer/scheme`, to: `${SCHEMES}/bearer/scheme`, endpoints: BOTH, change: (d) => { d.components.securitySchemes.bearer.scheme = 'basic'; } },
  { forward: 'security-scheme-changed', reverse: 'security-scheme-changed', from: `${SCHEMES}/bearer/type`, to: `${SCHEMES}/bearer/type`, endpoints: BOTH, change: (d) => { d.components.securitySchemes.bearer = { type: 'apiKey', in: 'header', name: 'Authorization' }; } },
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
    if (c.endpoints) expect(back[0]!.endpoints).toEqual(c.endpoints);
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
    const MAPS = ['paths', 'schemas', 'properties', 'mapping', 'responses', 'content', 'headers', 'securitySchemes'];
    const decorate = (v: unknown, key = ''): void => {
      // A security requirement is keyed by scheme names only.
      if (key === 'security') return;
      if (Array.isArray(v)) for (const x of v) decorate(x);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        for (const [k, x] of Object.entries(o)) decorate(x, k);
        if (!MAPS.includes(key) && !('$ref' in o)) Object.assign(o, { description: 'new words', example: 'x', title: 'T', 'x-fern-sdk': { any: 1 } });
      }
    };
    decorate(b.paths, 'paths');
    decorate(b.components.schemas, 'schemas');
    decorate(b.components.headers, 'headers');
    decorate(b.components.securitySchemes, 'securitySchemes');
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

  it('header names and HTTP auth schemes ignore case, as HTTP does', () => {
    const b = baseDocument();
    const headers = b.paths['/rev-users.create'].post.responses['429'].headers;
    headers['retry-after'] = headers['Retry-After'];
    delete headers['Retry-After'];
    b.components.securitySchemes.bearer.scheme = 'Bearer';
    expect(diff(baseDocument(), b)).toEqual([]);
  });

  it('a header change is placed under its status, and only that status', () => {
    const b = baseDocument();
    delete b.paths['/rev-users.create'].post.responses['429'].headers['Retry-After'];
    const [c] = diff(baseDocument(), b);
    expect(c!.places).toEqual(['response 429 header Retry-After']);
    expect(c!.endpoints).toEqual(['rev-users.create']);
  });
});

describe('spec diff on the pinned slice: the answer headers and security DevRev documents are compared', () => {
  const pinned = openSide(PINNED);
  const edited = (edit: (d: Doc) => void) => {
    const d = structuredClone(pinned.doc) as Doc;
    edit(d);
    return diffSpecs(pinned, sideOf('edited', 'edited.json', d));
  };

  it('Retry-After dropped from the shared 429 is one error naming every endpoint', () => {
    const changes = edited((d) => delete d.components.responses['too-many-requests'].headers['Retry-After']);
    expect(changes.map((c) => [c.ruleId, SPEC_DIFF_RULES[c.ruleId].severity, c.from, c.to])).toEqual([
      ['response-header-removed', 'error', '/components/responses/too-many-requests/headers/Retry-After', '/components/responses/too-many-requests'],
    ]);
    expect(changes[0]!.endpoints).toEqual(SLICE_PATHS.map((p) => p.slice(1)));
    // The cases it touches are the pact's 429 answers, whatever their bodies hold.
    const cases = casesFor(changes[0]!);
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.every((c) => / 429 /.test(c))).toBe(true);
  });

  it('the bearer scheme becoming an API key is one error; dropping the requirement is a warning per document', () => {
    const scheme = edited((d) => {
      d.components.securitySchemes['auth-token'] = { type: 'apiKey', in: 'header', name: 'Authorization' };
    });
    expect(scheme.map((c) => [c.ruleId, SPEC_DIFF_RULES[c.ruleId].severity, c.from, c.to])).toEqual([
      ['security-scheme-changed', 'error', `${SCHEMES}/auth-token/type`, `${SCHEMES}/auth-token/type`],
    ]);
    const dropped = edited((d) => delete d.security);
    expect(dropped.map((c) => [c.ruleId, SPEC_DIFF_RULES[c.ruleId].severity, c.from, c.to])).toEqual([['security-requirement-removed', 'warning', '/security/0', '']]);
    expect(dropped[0]!.endpoints).toEqual(SLICE_PATHS.map((p) => p.slice(1)));
  });
});
