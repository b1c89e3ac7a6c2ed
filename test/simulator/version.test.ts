import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDocument, type OpenApiDocument } from '../../api-model/openapi/document.ts';
import { pinnedSlice } from '../../api-model/openapi/slice.ts';
import { loadVersion, type VersionView, versionView } from '../../api-model/openapi/version.ts';
import { RevUsersCreateResponse } from '../../api-model/shapes/endpoints.ts';
import { validate } from '../../api-model/shapes/validate.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { send } from './http.ts';

// The simulator serving a documented version (`--openapi`): the 2024-07-25 beta document as
// published, and copies of the pinned slice the tests change in one place each. Every
// expectation is read from the document served, never restated.

const HISTORY = resolve(import.meta.dirname, '../../../shared/reference/openapi-history');
const JULY_2024 = resolve(HISTORY, 'openapi-beta-2024-07-25-1b342da.yaml');
const PUBLISHED = [JULY_2024, resolve(HISTORY, 'openapi-beta-2025-01-28-5f08057.yaml'), resolve(import.meta.dirname, '../../../shared/reference/openapi-beta.yaml')];

// biome-ignore lint/suspicious/noExplicitAny: each test edits the copy where its change lives
type Editable = Record<string, any>;
const pinCopy = (): OpenApiDocument & Editable & { paths: Editable } => structuredClone(pinnedSlice()) as OpenApiDocument & Editable & { paths: Editable };
const viewOf = (doc: OpenApiDocument, name: string): VersionView => versionView({ doc, file: name, sha256: name });

const running: RunningSimulator[] = [];
const start = async (version?: VersionView) => {
  const sim = await startSimulator({ rateLimit: false, ...(version ? { version } : {}) });
  running.push(sim);
  return sim.url;
};
afterAll(async () => {
  await Promise.all(running.map((s) => s.close()));
});

const success = (v: VersionView, path: string) => {
  const e = v.endpoints.get(path)!;
  return e.spec.responses[e.spec.successStatus]!;
};

describe.runIf(existsSync(JULY_2024))('the 2024-07-25 beta document served (runs only where ../shared/reference/openapi-history exists)', () => {
  let july: VersionView;
  let served: string;
  let pin: string;
  beforeAll(async () => {
    july = loadVersion(JULY_2024);
    served = await start(july);
    pin = await start();
  });

  it('answers dev-users.create, which that version does not document, with the 404 of a route DevRev does not have', async () => {
    const doc = loadDocument(JULY_2024).doc;
    expect(doc.paths['/dev-users.create']).toBeUndefined();
    const body = { email: 'new@example.org', state: 'shadow' };
    const r = await send(served, '/dev-users.create', { body, authorization: 'key-1' });
    const unknownRoute = await send(pin, '/no-such.route', { body: {} });
    expect(r.status).toBe(404);
    expect(r.json).toEqual(unknownRoute.json);
    // The pin documents it: the same request is created there.
    expect((await send(pin, '/dev-users.create', { body })).status).toBe(201);
  });

  it('answers rev-users.create in that version\'s shape: a field it does not know is not sent, where the pin\'s answer has it', async () => {
    const schema = success(july, '/rev-users.create');
    // external_refs is a field the pin's rev-user has and this version's lacks.
    const body = { display_name: 'July', external_refs: ['crm-1', 'crm-2'], phone_numbers: ['+14155550100'] };
    const r = await send(served, '/rev-users.create', { body, authorization: 'key-1' });
    expect(r.status).toBe(201);
    expect(validate(schema, r.json, 'strict').errors).toEqual([]);
    expect(Object.keys((r.json as Editable)['rev_user'])).not.toContain('external_refs');

    const p = await send(pin, '/rev-users.create', { body });
    expect(p.status).toBe(201);
    expect(validate(RevUsersCreateResponse, p.json, 'strict').errors).toEqual([]);
    expect(validate(schema, p.json, 'strict').errors.map((e) => e.pointer)).toEqual(['/rev_user/external_refs']);
  });

  it('keeps the prose rules: a phone number that is not E.164 is refused in that version too', async () => {
    const r = await send(served, '/rev-users.create', { body: { phone_numbers: ['4155550100'] }, authorization: 'key-1' });
    expect(r.status).toBe(400);
    expect(validate(july.endpoints.get('/rev-users.create')!.spec.responses[400]!, r.json, 'strict').errors).toEqual([]);
  });

  it('authenticates with its API-key scheme: `Authorization: <token>`, the form it documents, is accepted', async () => {
    const doc = loadDocument(JULY_2024).doc as Editable;
    const scheme = doc['components']['securitySchemes']['auth-token'];
    expect(scheme).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    const creator = async (base: string, authorization: string | null) => {
      const r = await send(base, '/rev-users.create', { body: {}, authorization });
      return { status: r.status, id: (r.json as Editable)['rev_user']?.['created_by']?.['id'] as string | undefined };
    };
    const bare = await creator(served, 'k-2024');
    expect(bare.status).toBe(201);
    // The same caller as the form DevRev documents later (its server always took both), and
    // as the pin's reading of the same header.
    expect(await creator(served, 'Bearer k-2024')).toEqual(bare);
    expect(await creator(pin, 'k-2024')).toEqual(bare);
    expect((await creator(served, null)).status).toBe(401);
  });

  it('takes an empty request where that version makes the body optional, and the pin, which requires it, refuses it', async () => {
    const doc = loadDocument(JULY_2024).doc as Editable;
    expect(doc.paths['/rev-users.create'].post.requestBody.required).toBeUndefined();
    expect((pinnedSlice() as Editable).paths['/rev-users.create'].post.requestBody.required).toBe(true);
    expect((await send(served, '/rev-users.create', { body: undefined, contentType: null, authorization: 'key-1' })).status).toBe(201);
    expect((await send(pin, '/rev-users.create', { body: undefined, contentType: null })).status).toBe(400);
  });
});

describe('versions written by the test (the pinned slice with one change)', () => {
  it('refuses an empty body once the request body became required, and takes it in the version before', async () => {
    const before = pinCopy();
    delete before.paths['/rev-users.create'].post.requestBody.required;
    const after = pinCopy();
    expect(after.paths['/rev-users.create'].post.requestBody.required).toBe(true);
    const beforeUrl = await start(viewOf(before, 'before.json'));
    const afterView = viewOf(after, 'after.json');
    const afterUrl = await start(afterView);
    const empty = { body: undefined, contentType: null } as const;
    expect((await send(beforeUrl, '/rev-users.create', empty)).status).toBe(201);
    const refused = await send(afterUrl, '/rev-users.create', empty);
    expect(refused.status).toBe(400);
    expect(validate(afterView.endpoints.get('/rev-users.create')!.spec.responses[400]!, refused.json, 'strict').errors).toEqual([]);
  });

  it('checks a request against the version\'s own schema: a field it newly requires is refused when missing', async () => {
    const doc = pinCopy();
    const request = doc['components']['schemas']['rev-users-create-request'];
    request.required = [...(request.required ?? []), 'display_name'];
    const url = await start(viewOf(doc, 'display-name-required.json'));
    const missing = await send(url, '/rev-users.create', { body: { email: 'a@example.org' } });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ type: 'missing_required_field', field_name: 'display_name' });
    expect((await send(url, '/rev-users.create', { body: { display_name: 'A' } })).status).toBe(201);
  });

  it('sends a response field the version requires, so its answer validates against it and fails against the pin where they differ', async () => {
    const doc = pinCopy();
    const revUser = doc['components']['schemas']['rev-user'];
    // rev-user is an allOf of the base and its own fields: the new one goes with its own.
    const own = revUser.allOf.find((b: Editable) => b.properties);
    own.properties.tier = { type: 'string', enum: ['gold', 'silver'] };
    own.required = [...(own.required ?? []), 'tier'];
    const view = viewOf(doc, 'tier-required.json');
    const r = await send(await start(view), '/rev-users.create', { body: { display_name: 'T' } });
    expect(r.status).toBe(201);
    expect(validate(success(view, '/rev-users.create'), r.json, 'strict').errors).toEqual([]);
    expect((r.json as Editable)['rev_user']['tier']).toBe('gold');
    expect(validate(RevUsersCreateResponse, r.json, 'strict').errors.map((e) => e.pointer)).toEqual(['/rev_user/tier']);
  });

  it('reads the API key from the header the scheme names, and refuses a bearer token it no longer documents', async () => {
    const doc = pinCopy();
    doc['components']['securitySchemes'] = { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } };
    doc['security'] = [{ key: [] }];
    const url = await start(viewOf(doc, 'api-key-header.json'));
    const r = await fetch(`${url}/rev-users.create`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k' }, body: '{}' });
    expect(r.status).toBe(201);
    expect((await send(url, '/rev-users.create', { body: {}, authorization: 'Bearer k' })).status).toBe(401);
  });

  it('a forced fault armed for a request to an endpoint the version lacks ends with its 404, not in the next call', async () => {
    const doc = pinCopy();
    delete doc.paths['/dev-users.create'];
    const url = await start(viewOf(doc, 'no-dev-users.json'));
    // What the "next request fails with a server error" provider state does.
    expect((await send(url, '/__simulator/faults', { body: { status: 500, count: 1 } })).status).toBeLessThan(300);
    expect((await send(url, '/dev-users.create', { body: { email: 'a@example.org', state: 'shadow' } })).status).toBe(404);
    expect((await send(url, '/rev-users.create', { body: { display_name: 'Next' } })).status).toBe(201);
  });

  it('serving the pin itself answers as the simulator does without --openapi', async () => {
    const pinned = await start();
    const same = await start(viewOf(pinCopy(), 'pin-copy.json'));
    const bodies = [
      {},
      { display_name: 'P', phone_numbers: ['+14155550100'], external_refs: ['x-1'], custom_fields: { tnt__a: 1 }, custom_schema_spec: { tenant_fragment: true } },
      { phone_numbers: ['123'] },
      { display_name: 5 },
      { custom_fields: { tnt__a: 1 } },
    ];
    const stable = (j: unknown) => JSON.parse(JSON.stringify(j).replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"T"'));
    for (const body of bodies) {
      const [a, b] = [await send(pinned, '/rev-users.create', { body }), await send(same, '/rev-users.create', { body })];
      expect([b.status, stable(b.json)]).toEqual([a.status, stable(a.json)]);
    }
    for (const path of ['/dev-users.create', '/rev-users.delete', '/dev-users.deactivate']) {
      const [a, b] = [await send(pinned, path, { body: {} }), await send(same, path, { body: {} })];
      expect([b.status, b.json]).toEqual([a.status, a.json]);
    }
  });
});

describe.runIf(PUBLISHED.every(existsSync))('every published document served (runs only where ../shared/reference exists)', () => {
  // Valid, invalid by schema, invalid by prose, and unknown ids: each endpoint's answers.
  const requests = [
    {},
    {
      display_name: 'Every',
      email: 'every@example.org',
      state: 'shadow',
      phone_numbers: ['+14155550100'],
      external_refs: ['every-1'],
      tags: [{ id: 'don:core:dvrv-us-1:devo/1:tag/1', value: 'v' }],
      rev_org: 'don:identity:dvrv-us-1:devo/1:revo/1',
      custom_fields: { tnt__tier: 'gold' },
      custom_schema_spec: { tenant_fragment: true },
    },
    { phone_numbers: ['4155550100'] },
    { display_name: 5 },
    { id: 'don:identity:dvrv-us-1:devo/1:revu/none' },
  ];
  it.each(PUBLISHED)('%s: every answer has a status the version documents and validates against its shape (strict view)', async (file) => {
    const view = loadVersion(file);
    const url = await start(view);
    for (const [path, endpoint] of view.endpoints) {
      for (const body of requests) {
        const r = await send(url, path, { body, authorization: 'every-user' });
        const schema = endpoint.spec.responses[r.status];
        expect(schema, `${path} ${JSON.stringify(body)} answered ${r.status}`).toBeDefined();
        expect(validate(schema!, r.json, 'strict').errors, `${path} ${JSON.stringify(body)}`).toEqual([]);
      }
    }
  });

  it('the newest published document, whole, is served as the pin is (the pin was cut from it)', async () => {
    const newest = loadVersion(PUBLISHED[2]!);
    const [pinned, whole] = [await start(), await start(newest)];
    const stable = (j: unknown) => JSON.parse(JSON.stringify(j).replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"T"'));
    for (const path of newest.endpoints.keys()) {
      for (const body of requests) {
        const [a, b] = [await send(pinned, path, { body }), await send(whole, path, { body })];
        expect([b.status, stable(b.json)], `${path} ${JSON.stringify(body)}`).toEqual([a.status, stable(a.json)]);
      }
    }
  });
});
