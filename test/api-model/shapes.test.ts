import type { Static } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BAD_REQUEST_TYPES,
  DEV_USERS_CREATE,
  documentedStatuses,
  RateLimitHeaders,
  REV_USERS_CREATE,
  RetryAfterHeaders,
  RevUsersCreateResponse,
  RouteNotFound,
  type DevUsersCreateRequest,
  validate,
} from '../../api-model/shapes/index.ts';
import { badRequestBodies, created201, errorBodies } from '../fixtures/documented-examples.ts';
import { WRONG } from '../fixtures/wrong-bodies.ts';
import { CREATE_ENDPOINTS } from '../../api-model/endpoints/index.ts';

const bodiesFor = (endpoint: (typeof CREATE_ENDPOINTS)[number]): Array<[number, string, unknown]> => {
  const out: Array<[number, string, unknown]> = [];
  const [full, minimal] = created201[endpoint.name]!;
  out.push([201, 'full', full], [201, 'minimal', minimal]);
  for (const [type, body] of Object.entries(badRequestBodies)) out.push([400, type, body]);
  for (const [status, body] of Object.entries(errorBodies)) {
    if (Number(status) in endpoint.responses) out.push([Number(status), body.type, body]);
  }
  return out;
};

describe('the documented shapes', () => {
  it('list exactly the statuses DevRev documents for each endpoint', () => {
    expect(documentedStatuses(REV_USERS_CREATE)).toEqual([201, 400, 401, 403, 409, 429, 500, 503]);
    expect(documentedStatuses(DEV_USERS_CREATE)).toEqual([201, 400, 401, 403, 429, 500, 503]);
  });

  it('know all sixteen 400 types of the pinned spec and have an example for each', () => {
    expect(BAD_REQUEST_TYPES).toHaveLength(16);
    expect(Object.keys(badRequestBodies).sort()).toEqual([...BAD_REQUEST_TYPES].sort());
  });

  for (const endpoint of CREATE_ENDPOINTS) {
    describe(endpoint.name, () => {
      it('has an example body for every documented status', () => {
        const covered = new Set(bodiesFor(endpoint).map(([s]) => s));
        expect([...covered].sort()).toEqual(documentedStatuses(endpoint));
      });

      for (const [status, label, body] of bodiesFor(endpoint)) {
        it(`accepts a realistic ${status} (${label}) body in both views`, () => {
          const schema = endpoint.responses[status]!;
          expect(validate(schema, body, 'documented').errors).toEqual([]);
          expect(validate(schema, body, 'strict').errors).toEqual([]);
        });
      }
    });
  }

  it('accepts the untyped 404 body of the errors page', () => {
    expect(validate(RouteNotFound, { message: 'route not found' }).valid).toBe(true);
  });

  it('accepts the documented rate-limit headers and a whole-second Retry-After', () => {
    const h = { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '900', 'x-ratelimit-reset': '1720636800' };
    expect(validate(RateLimitHeaders, h).valid).toBe(true);
    expect(validate(RetryAfterHeaders, { 'retry-after': '30' }).valid).toBe(true);
  });
});

describe('the documented shapes reject wrong bodies at the right pointer', () => {
  for (const c of WRONG) {
    it(`rejects ${c.name} at ${c.pointer}`, () => {
      const verdict = validate(c.schema, c.body, c.view ?? 'documented');
      expect(verdict.valid).toBe(false);
      expect(verdict.errors.map((e) => [e.pointer, e.keyword])).toContainEqual([c.pointer, c.keyword]);
    });
  }

  it('lets undocumented properties through in the documented view', () => {
    expect(validate(RevUsersCreateResponse, { rev_user: { id: 'x', nickname: 'a' }, trace: 1 }).valid).toBe(true);
  });

  it('keeps custom_fields open even in the strict view', () => {
    expect(validate(RevUsersCreateResponse, { rev_user: { id: 'x', custom_fields: { tnt__anything: [1] } } }, 'strict').valid).toBe(true);
  });
});

describe('the TypeScript types follow from the schemas', () => {
  it('types the rev user id as a required string and the state as the documented enum', () => {
    type RevUser = Static<typeof RevUsersCreateResponse>['rev_user'];
    expectTypeOf<RevUser['id']>().toEqualTypeOf<string>();
    expectTypeOf<RevUser['state']>().toEqualTypeOf<
      'active' | 'deactivated' | 'deleted' | 'locked' | 'shadow' | 'unassigned' | undefined
    >();
  });

  it('types the dev user request with email and state required and state only "shadow"', () => {
    type Req = Static<typeof DevUsersCreateRequest>;
    expectTypeOf<Req['state']>().toEqualTypeOf<'shadow'>();
    expectTypeOf<Req['email']>().toEqualTypeOf<string>();
    const req: Req = { email: 'a@b.example', state: 'shadow' };
    expect(validate(DEV_USERS_CREATE.request, req).valid).toBe(true);
  });

  it('types created_by as a union discriminated by type', () => {
    type CreatedBy = NonNullable<Static<typeof RevUsersCreateResponse>['rev_user']['created_by']>;
    expectTypeOf<CreatedBy['type']>().toEqualTypeOf<'dev_user' | 'rev_user' | 'service_account' | 'sys_user'>();
  });
});
