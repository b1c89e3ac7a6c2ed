import type { Static } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BAD_REQUEST_TYPES,
  CREATE_ENDPOINTS,
  DEV_USERS_CREATE,
  documentedStatuses,
  ErrorBadRequest,
  RateLimitHeaders,
  REV_USERS_CREATE,
  RetryAfterHeaders,
  RevUsersCreateResponse,
  RouteNotFound,
  type DevUsersCreateRequest,
  validate,
} from '../../api-model/shapes/index.ts';
import {
  badRequestBodies,
  devUser201Full,
  errorBodies,
  revUser201Full,
  revUser201Minimal,
} from '../fixtures/documented-examples.ts';

const bodiesFor = (endpoint: (typeof CREATE_ENDPOINTS)[number]): Array<[number, string, unknown]> => {
  const out: Array<[number, string, unknown]> = [];
  if (endpoint.name === 'rev-users.create') {
    out.push([201, 'full', revUser201Full], [201, 'minimal', revUser201Minimal]);
  } else {
    out.push([201, 'full', devUser201Full], [201, 'minimal', { dev_user: { id: 'don:identity:dvrv-us-1:devo/1:devu/3' } }]);
  }
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
          const schema = endpoint.responses[status as keyof typeof endpoint.responses];
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

// Each wrong body must be rejected, and the first error must point at the right place.
const WRONG: Array<{ name: string; schema: Parameters<typeof validate>[0]; body: unknown; pointer: string; keyword: string; view?: 'strict' }> = [
  { name: 'a rev user without id', schema: RevUsersCreateResponse, body: { rev_user: { display_id: 'REVU-1' } }, pointer: '/rev_user/id', keyword: 'required' },
  { name: 'a body without the envelope key', schema: RevUsersCreateResponse, body: { id: 'x' }, pointer: '/rev_user', keyword: 'required' },
  { name: 'a renamed envelope key', schema: DEV_USERS_CREATE.responses[201], body: { devUser: { id: 'x' } }, pointer: '/dev_user', keyword: 'required' },
  { name: 'an id that is a number', schema: RevUsersCreateResponse, body: { rev_user: { id: 42 } }, pointer: '/rev_user/id', keyword: 'type' },
  { name: 'phone_numbers as a string', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', phone_numbers: '+14155550100' } }, pointer: '/rev_user/phone_numbers', keyword: 'type' },
  { name: 'a created_date that is not a date-time', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', created_date: '16/10/2025' } }, pointer: '/rev_user/created_date', keyword: 'format' },
  { name: 'a date-time without a time zone', schema: DEV_USERS_CREATE.responses[201], body: { dev_user: { id: 'x', experience_start_date: '2025-10-16T10:00:00' } }, pointer: '/dev_user/experience_start_date', keyword: 'format' },
  { name: 'an unknown user state', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', state: 'archived' } }, pointer: '/rev_user/state', keyword: 'anyOf' },
  { name: 'a created_by with an unknown type discriminator', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', created_by: { type: 'robot', id: 'y' } } }, pointer: '/rev_user/created_by/type', keyword: 'discriminator' },
  { name: 'a created_by without its type', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', created_by: { id: 'y' } } }, pointer: '/rev_user/created_by/type', keyword: 'discriminator' },
  { name: 'a rev_org summary of an unknown org type', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', rev_org: { type: 'team', id: 'y' } } }, pointer: '/rev_user/rev_org/type', keyword: 'discriminator' },
  { name: 'a dev_org summary without dev_slug', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', rev_org: { type: 'dev_org', id: 'y' } } }, pointer: '/rev_user/rev_org/dev_slug', keyword: 'required' },
  { name: 'a tag without its name', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', tags: [{ tag: { id: 't' } }] } }, pointer: '/rev_user/tags/0/tag/name', keyword: 'required' },
  { name: 'an employment_status without its ordinal', schema: DEV_USERS_CREATE.responses[201], body: { dev_user: { id: 'x', job_history: [{ employment_status: { id: 1, label: 'Full time' } }] } }, pointer: '/dev_user/job_history/0/employment_status/ordinal', keyword: 'required' },
  { name: 'a fractional enum id', schema: DEV_USERS_CREATE.responses[201], body: { dev_user: { id: 'x', job_history: [{ employment_status: { id: 1.5, label: 'x', ordinal: 1 } }] } }, pointer: '/dev_user/job_history/0/employment_status/id', keyword: 'type' },
  { name: 'an artifact file size as a string', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', display_picture: { id: 'a', file: { size: '10' } } } }, pointer: '/rev_user/display_picture/file/size', keyword: 'type' },
  { name: 'is_verified as a string', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', is_verified: 'true' } }, pointer: '/rev_user/is_verified', keyword: 'type' },
  { name: 'a nulled display_name', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', display_name: null } }, pointer: '/rev_user/display_name', keyword: 'type' },
  { name: 'an undocumented property, in the strict view', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', nickname: 'a' } }, pointer: '/rev_user/nickname', keyword: 'additionalProperties', view: 'strict' },
  { name: 'an undocumented property in a nested summary, in the strict view', schema: RevUsersCreateResponse, body: { rev_user: { id: 'x', created_by: { type: 'dev_user', id: 'y', role: 'admin' } } }, pointer: '/rev_user/created_by/role', keyword: 'additionalProperties', view: 'strict' },
  { name: 'a 400 of an unknown type', schema: ErrorBadRequest, body: { type: 'oops' }, pointer: '/type', keyword: 'discriminator' },
  { name: 'a 400 without type', schema: ErrorBadRequest, body: { message: 'bad' }, pointer: '/type', keyword: 'discriminator' },
  { name: 'an invalid_enum_value without allowed_values', schema: ErrorBadRequest, body: { type: 'invalid_enum_value', field_name: 'state', value: 'x' }, pointer: '/allowed_values', keyword: 'required' },
  { name: 'a missing_required_field without field_name', schema: ErrorBadRequest, body: { type: 'missing_required_field' }, pointer: '/field_name', keyword: 'required' },
  { name: 'an unexpected_json_type naming an unknown JSON type', schema: ErrorBadRequest, body: { type: 'unexpected_json_type', field_name: 'email', expected: 'string', actual: 'integer' }, pointer: '/actual', keyword: 'anyOf' },
  { name: 'a customization error of an unknown subtype', schema: ErrorBadRequest, body: { type: 'customization_validation_error', subtype: 'nope' }, pointer: '/subtype', keyword: 'anyOf' },
  { name: 'a 429 whose retry_after is a string', schema: REV_USERS_CREATE.responses[429], body: { type: 'too_many_requests', retry_after: '30' }, pointer: '/retry_after', keyword: 'type' },
  { name: 'a 429 whose retry_after is fractional', schema: REV_USERS_CREATE.responses[429], body: { type: 'too_many_requests', retry_after: 1.5 }, pointer: '/retry_after', keyword: 'type' },
  { name: 'a 429 typed as another error', schema: REV_USERS_CREATE.responses[429], body: { type: 'forbidden' }, pointer: '/type', keyword: 'discriminator' },
  { name: 'a 500 whose reference_id is a number', schema: REV_USERS_CREATE.responses[500], body: { type: 'internal_error', reference_id: 7 }, pointer: '/reference_id', keyword: 'type' },
  { name: 'a 401 whose message is an object', schema: REV_USERS_CREATE.responses[401], body: { type: 'unauthenticated', message: { text: 'no' } }, pointer: '/message', keyword: 'type' },
  { name: 'a 409 on the 403 schema', schema: REV_USERS_CREATE.responses[403], body: { type: 'conflict' }, pointer: '/type', keyword: 'discriminator' },
  { name: 'a typed 404 instead of the route-not-found body', schema: RouteNotFound, body: { type: 'not_found' }, pointer: '/message', keyword: 'required' },
  { name: 'an X-Ratelimit-Remaining that is not a number', schema: RateLimitHeaders, body: { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': '1' }, pointer: '/x-ratelimit-remaining', keyword: 'pattern' },
  { name: 'a Retry-After given as an HTTP date', schema: RetryAfterHeaders, body: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, pointer: '/retry-after', keyword: 'pattern' },
];

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
