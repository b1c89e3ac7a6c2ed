import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequest } from '../../api-model/prose-rules/index.ts';
import {
  DEV_USERS_CREATE,
  DEV_USERS_DEACTIVATE,
  DevUsersCreateResponse,
  ErrorBadRequest,
  ErrorConflict,
  ErrorForbidden,
  ErrorNotFound,
  ErrorUnauthorized,
  RateLimitHeaders,
  REV_USERS_CREATE,
  REV_USERS_DELETE,
  RevUsersCreateResponse,
  RouteNotFound,
  validate,
} from '../../api-model/shapes/index.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { bearer, control, type Raw, send } from './http.ts';

// The simulator's answers, checked against what DevRev documents: the schemas of
// api-model/shapes (strict view for 201 bodies) and the prose rules of api-model/prose-rules.

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ readOnlyTokens: ['reader-from-options'] });
});
afterAll(() => sim.close());

const expectValid = (schema: Parameters<typeof validate>[0], value: unknown, view: 'documented' | 'strict' = 'documented') => {
  const verdict = validate(schema, value, view);
  expect(verdict.errors).toEqual([]);
};

const expectRateLimitHeaders = (r: Raw) => expectValid(RateLimitHeaders, r.headers);

const REV_DON = /^don:identity:dvrv-us-1:devo\/([A-Za-z0-9]+):revu\/([A-Za-z0-9]+)$/;
const DEV_DON = /^don:identity:dvrv-us-1:devo\/([A-Za-z0-9]+):devu\/([0-9]+)$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// The schemas already checked these bodies; the field reads below only need to be short.
// biome-ignore lint/suspicious/noExplicitAny: reading fields of a body validated above
type Loose = Record<string, any>;

let unique = 0;
const uniq = (prefix: string) => `${prefix}-${process.pid}-${++unique}`;

describe('successful creates', () => {
  it('answers a full rev user create with 201 and a body that passes the strict documented schema', async () => {
    const token = uniq('tok');
    const request = {
      display_name: 'Ada Lovelace',
      description: 'first customer contact',
      email: 'ada@example.com',
      external_ref: uniq('crm'),
      external_refs: [uniq('crm-alt')],
      phone_numbers: ['+14155550100', '+447700900123'],
      rev_org: 'don:identity:dvrv-us-1:devo/11Fv8qJc9n:revo/abc',
      display_picture: 'don:core:dvrv-us-1:devo/11Fv8qJc9n:artifact/1',
      artifacts: ['don:core:dvrv-us-1:devo/11Fv8qJc9n:artifact/2'],
      tags: [{ id: 'don:core:dvrv-us-1:devo/11Fv8qJc9n:tag/7', value: 'gold' }],
      custom_fields: { tnt__tier: 'gold', ctype__region: 'emea' },
      custom_schema_spec: { tenant_fragment: true, subtype: 'partner' },
    };
    expect(checkRequest(REV_USERS_CREATE, request)).toEqual([]);
    const r = await send(sim.url, '/rev-users.create', { body: request, authorization: bearer(token) });
    expect(r.status).toBe(201);
    expectValid(RevUsersCreateResponse, r.json, 'strict');
    expectRateLimitHeaders(r);
    const u = (r.json as { rev_user: Loose }).rev_user;
    const don = REV_DON.exec(u.id);
    expect(don).not.toBeNull();
    expect(u.display_id).toBe(`REVU-${don![2]}`);
    expect(u.created_date).toMatch(ISO_8601);
    expect(u.modified_date).toMatch(ISO_8601);
    expect(Number.isNaN(Date.parse(u.created_date))).toBe(false);
    expect(u.created_by.type).toBe('dev_user');
    expect(u.created_by.id).toMatch(DEV_DON);
    expect(u.modified_by).toEqual(u.created_by);
    expect(u.state).toBe('active');
    // Stored fields come back as sent.
    for (const key of ['display_name', 'description', 'email', 'external_ref', 'external_refs', 'phone_numbers', 'custom_fields'] as const) {
      expect(u[key]).toEqual(request[key]);
    }
    expect(u.rev_org.id).toBe(request.rev_org);
    expect(u.tags[0].tag.id).toBe(request.tags[0]!.id);
    expect(u.tags[0].value).toBe('gold');
    // The caller summary is not built from the token's text.
    expect(r.text).not.toContain(token);
  });

  it('answers a minimal rev user create with 201 and assigns an external_ref', async () => {
    const r = await send(sim.url, '/rev-users.create', { body: {} });
    expect(r.status).toBe(201);
    expectValid(RevUsersCreateResponse, r.json, 'strict');
    const u = (r.json as { rev_user: Loose }).rev_user;
    expect(typeof u.external_ref).toBe('string');
    expect(typeof u.display_name).toBe('string');
  });

  it('answers a dev user create with 201, state shadow and matching DON and display ids', async () => {
    const request = { email: `${uniq('dev')}@example.com`, state: 'shadow', full_name: 'Grace Hopper' };
    const r = await send(sim.url, '/dev-users.create', { body: request });
    expect(r.status).toBe(201);
    expectValid(DevUsersCreateResponse, r.json, 'strict');
    expectRateLimitHeaders(r);
    const u = (r.json as { dev_user: Loose }).dev_user;
    const don = DEV_DON.exec(u.id);
    expect(don).not.toBeNull();
    expect(u.display_id).toBe(`DEVU-${don![2]}`);
    expect(u.state).toBe('shadow');
    expect(u.email).toBe(request.email);
    expect(u.full_name).toBe(request.full_name);
    expect(u.created_by.type).toBe('dev_user');
    expect(u.created_date).toMatch(ISO_8601);
  });

  it('keeps the created users, listed by the reserved users route', async () => {
    const ref = uniq('listed');
    await send(sim.url, '/rev-users.create', { body: { external_ref: ref } });
    const r = await send(sim.url, '/__simulator/users', { method: 'GET', authorization: null });
    expect(r.status).toBe(200);
    const users = r.json as { rev_users: Array<{ external_refs: string[] }>; dev_users: unknown[] };
    expect(users.rev_users.some((u) => u.external_refs.includes(ref))).toBe(true);
  });
});

describe('authentication and authorisation', () => {
  it('accepts both Authorization: Bearer <token> and the raw token the SDK sends, as the same user', async () => {
    const token = uniq('both-forms');
    const a = await send(sim.url, '/rev-users.create', { body: {}, authorization: `Bearer ${token}` });
    const b = await send(sim.url, '/rev-users.create', { body: {}, authorization: token });
    expect([a.status, b.status]).toEqual([201, 201]);
    const by = (r: Raw) => (r.json as { rev_user: { created_by: { id: string } } }).rev_user.created_by.id;
    expect(by(a)).toBe(by(b));
    // Both forms spend one quota: the second answer has one unit less left.
    expect(Number(b.headers['x-ratelimit-remaining'])).toBe(Number(a.headers['x-ratelimit-remaining']) - 1);
  });

  it('treats each distinct token as a distinct user', async () => {
    const by = async (token: string) =>
      ((await send(sim.url, '/rev-users.create', { body: {}, authorization: token })).json as { rev_user: { created_by: { id: string } } })
        .rev_user.created_by.id;
    expect(await by(uniq('user-a'))).not.toBe(await by(uniq('user-b')));
  });

  it.each([
    ['no Authorization header', null],
    ['an empty header', ''],
    ['"Bearer" with no token', 'Bearer'],
    ['"Bearer " and spaces', 'Bearer    '],
  ])('answers 401 unauthenticated for %s', async (_name, authorization) => {
    for (const path of ['/rev-users.create', '/dev-users.create']) {
      const r = await send(sim.url, path, { body: { email: 'x@example.com', state: 'shadow' }, authorization });
      expect(r.status).toBe(401);
      expectValid(ErrorUnauthorized, r.json);
      expectRateLimitHeaders(r);
    }
  });

  it('answers 403 forbidden to a read-only token given as an option', async () => {
    const r = await send(sim.url, '/rev-users.create', { body: {}, authorization: bearer('reader-from-options') });
    expect(r.status).toBe(403);
    expectValid(ErrorForbidden, r.json);
    expectRateLimitHeaders(r);
  });

  it('answers 403 forbidden on both creates to a token made read-only through the reserved route', async () => {
    const token = uniq('reader');
    expect((await control(sim.url, 'read-only-tokens', { token })).status).toBe(200);
    for (const [path, body] of [
      ['/rev-users.create', {}],
      ['/dev-users.create', { email: `${uniq('ro')}@example.com`, state: 'shadow' }],
    ] as const) {
      const r = await send(sim.url, path, { body, authorization: token });
      expect(r.status).toBe(403);
      expectValid(ErrorForbidden, r.json);
    }
  });
});

describe('validation with the documented 400 bodies', () => {
  // [name, path, body, content type, expected type, expected field_name]
  const cases: Array<[string, string, unknown, string | null, string, string | undefined]> = [
    ['malformed JSON', '/rev-users.create', '{"email": ', 'application/json', 'parse_error', undefined],
    ['a text/plain body', '/rev-users.create', '{}', 'text/plain', 'parse_error', undefined],
    ['no content type', '/dev-users.create', '{}', null, 'parse_error', undefined],
    ['invalid UTF-8', '/rev-users.create', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'application/json', 'parse_error', undefined],
    ['a JSON array body', '/rev-users.create', [], 'application/json', 'parse_error', undefined],
    ['a JSON string body', '/dev-users.create', '"shadow"', 'application/json', 'parse_error', undefined],
    ['email of the wrong JSON type', '/rev-users.create', { email: 42 }, 'application/json', 'unexpected_json_type', 'email'],
    ['phone_numbers not an array', '/rev-users.create', { phone_numbers: '+14155550100' }, 'application/json', 'unexpected_json_type', 'phone_numbers'],
    ['dev user without email', '/dev-users.create', { state: 'shadow' }, 'application/json', 'missing_required_field', 'email'],
    ['dev user without state', '/dev-users.create', { email: 'a@example.com' }, 'application/json', 'missing_required_field', 'state'],
    ['dev user state active', '/dev-users.create', { email: 'a@example.com', state: 'active' }, 'application/json', 'invalid_enum_value', 'state'],
    ['a phone number without +', '/rev-users.create', { phone_numbers: ['14155550100'] }, 'application/json', 'value_not_permitted', 'phone_numbers'],
    ['a phone number of 16 digits', '/rev-users.create', { phone_numbers: ['+1234567890123456'] }, 'application/json', 'value_not_permitted', 'phone_numbers'],
    ['a tenant custom field without tenant_fragment', '/rev-users.create', { custom_fields: { tnt__tier: 'x' } }, 'application/json', 'customization_validation_error', 'custom_fields'],
    ['a subtype custom field without subtype', '/dev-users.create', { email: 'a@example.com', state: 'shadow', custom_fields: { ctype__x: 1 } }, 'application/json', 'customization_validation_error', 'custom_fields'],
    ['a custom field with no fragment prefix', '/rev-users.create', { custom_fields: { tier: 'x' }, custom_schema_spec: { tenant_fragment: true } }, 'application/json', 'customization_validation_error', 'custom_fields'],
  ];

  it.each(cases)('answers 400 %s', async (_name, path, body, contentType, type, fieldName) => {
    // Cases with a parsable object body must be invalid by the independent oracle too.
    if (body !== null && typeof body === 'object' && !Array.isArray(body) && !(body instanceof Uint8Array)) {
      const endpoint = path === '/rev-users.create' ? REV_USERS_CREATE : DEV_USERS_CREATE;
      expect(checkRequest(endpoint, body).length).toBeGreaterThan(0);
    }
    const r = await send(sim.url, path, { body, contentType });
    expect(r.status).toBe(400);
    expectValid(ErrorBadRequest, r.json);
    expectRateLimitHeaders(r);
    const b = r.json as Record<string, unknown>;
    expect(b['type']).toBe(type);
    if (fieldName !== undefined) expect(b['field_name']).toBe(fieldName);
    if (type === 'invalid_enum_value') expect(b['allowed_values']).toEqual(['shadow']);
    if (type === 'unexpected_json_type') expect(b['expected']).not.toBe(b['actual']);
  });

  it('names the expected and actual JSON types of a wrongly typed field', async () => {
    const r = await send(sim.url, '/rev-users.create', { body: { display_name: true } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ type: 'unexpected_json_type', field_name: 'display_name', expected: 'string', actual: 'bool' });
  });

  it('answers an oversized body with a documented 400, not 413 and not a dropped connection', async () => {
    const small = await startSimulator({ maxBodyBytes: 1024 });
    try {
      const body = { description: 'x'.repeat(4096) };
      expect(checkRequest(REV_USERS_CREATE, body)).toEqual([]);
      const r = await send(small.url, '/rev-users.create', { body });
      expect(r.status).toBe(400);
      expectValid(ErrorBadRequest, r.json);
      expect((r.json as { type: string }).type).toBe('bad_request');
      // The simulator still serves afterwards.
      expect((await send(small.url, '/rev-users.create', { body: {} })).status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('answers JSON nested deeper than it accepts with a documented 400', async () => {
    const depth = 5000;
    const r = await send(sim.url, '/rev-users.create', {
      body: `{"custom_fields":{"tnt__x":${'['.repeat(depth)}${']'.repeat(depth)}},"custom_schema_spec":{"tenant_fragment":true}}`,
    });
    expect(r.status).toBe(400);
    expectValid(ErrorBadRequest, r.json);
  });
});

describe('uniqueness', () => {
  it('answers 409 conflict to a second rev user with a taken external_ref', async () => {
    const ref = uniq('dup');
    expect((await send(sim.url, '/rev-users.create', { body: { external_ref: ref } })).status).toBe(201);
    const r = await send(sim.url, '/rev-users.create', { body: { external_ref: ref } });
    expect(r.status).toBe(409);
    expectValid(ErrorConflict, r.json);
    expectRateLimitHeaders(r);
  });

  it('answers 409 when an external_refs entry is taken, and when a ref was marked taken through the reserved route', async () => {
    const ref = uniq('multi');
    expect((await send(sim.url, '/rev-users.create', { body: { external_refs: [ref] } })).status).toBe(201);
    expect((await send(sim.url, '/rev-users.create', { body: { external_ref: ref } })).status).toBe(409);
    const marked = uniq('marked');
    expect((await control(sim.url, 'taken', { endpoint: 'rev-users.create', field: 'external_ref', value: marked })).status).toBe(200);
    const r = await send(sim.url, '/rev-users.create', { body: { external_refs: [uniq('free'), marked] } });
    expect(r.status).toBe(409);
    expectValid(ErrorConflict, r.json);
  });

  it('answers a second dev user with a taken email with a documented 400, since dev-users.create lists no 409', async () => {
    const email = `${uniq('twice')}@example.com`;
    expect((await send(sim.url, '/dev-users.create', { body: { email, state: 'shadow' } })).status).toBe(201);
    const r = await send(sim.url, '/dev-users.create', { body: { email: email.toUpperCase(), state: 'shadow' } });
    expect(r.status).toBe(400);
    expectValid(ErrorBadRequest, r.json);
    expect(r.json).toMatchObject({ type: 'value_not_permitted', field_name: 'email' });
  });

  it('marks a value of any endpoint\'s own unique field taken through the reserved route, and refuses a field that is not unique', async () => {
    const email = `${uniq('reserved')}@example.com`;
    expect((await control(sim.url, 'taken', { endpoint: 'dev-users.create', field: 'email', value: email })).status).toBe(200);
    const r = await send(sim.url, '/dev-users.create', { body: { email, state: 'shadow' } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ type: 'value_not_permitted', field_name: 'email' });
    expect((await control(sim.url, 'taken', { endpoint: 'dev-users.create', field: 'full_name', value: 'x' })).status).toBe(400);
    expect((await control(sim.url, 'taken', { endpoint: 'no-such.create', field: 'email', value: 'x' })).status).toBe(400);
  });
});

describe('routes', () => {
  it('answers an unknown route with the documented 404 body', async () => {
    const r = await send(sim.url, '/rev-users.frobnicate', { body: {} });
    expect(r.status).toBe(404);
    expectValid(RouteNotFound, r.json, 'strict');
    expect(r.json).toEqual({ message: 'route not found' });
    expectRateLimitHeaders(r);
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers %s on a create route with the documented 404 body', async (method) => {
    const r = await send(sim.url, '/rev-users.create', { method, body: method === 'GET' ? undefined : {} });
    expect(r.status).toBe(404);
    expectValid(RouteNotFound, r.json, 'strict');
  });

  it('deletes a rev user (200 {}), frees its external_ref, and answers 404 not_found for an unknown id', async () => {
    const ref = uniq('gone');
    const created = await send(sim.url, '/rev-users.create', { body: { external_ref: ref } });
    const id = (created.json as { rev_user: { id: string } }).rev_user.id;
    const del = await send(sim.url, '/rev-users.delete', { body: { id } });
    expect(del.status).toBe(200);
    expectValid(REV_USERS_DELETE.responses[200], del.json, 'strict');
    expect((await send(sim.url, '/rev-users.create', { body: { external_ref: ref } })).status).toBe(201);
    const again = await send(sim.url, '/rev-users.delete', { body: { id } });
    expect(again.status).toBe(404);
    expectValid(ErrorNotFound, again.json);
  });

  it('deactivates a dev user (200 {}) and answers 404 not_found for an unknown id', async () => {
    const created = await send(sim.url, '/dev-users.create', { body: { email: `${uniq('deact')}@example.com`, state: 'shadow' } });
    const id = (created.json as { dev_user: { id: string } }).dev_user.id;
    const r = await send(sim.url, '/dev-users.deactivate', { body: { id } });
    expect(r.status).toBe(200);
    expectValid(DEV_USERS_DEACTIVATE.responses[200], r.json, 'strict');
    const missing = await send(sim.url, '/dev-users.deactivate', { body: { id: `${id}999` } });
    expect(missing.status).toBe(404);
    expectValid(ErrorNotFound, missing.json);
    const bad = await send(sim.url, '/dev-users.deactivate', { body: {} });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ type: 'missing_required_field', field_name: 'id' });
  });

  it('answers the reserved routes only under /__simulator/ and refuses bad setup input', async () => {
    expect((await control(sim.url, 'faults', { status: 418, count: 1 })).status).toBe(400);
    expect((await control(sim.url, 'read-only-tokens', {})).status).toBe(400);
    expect((await control(sim.url, 'no-such-thing', {})).status).toBe(404);
  });
});
