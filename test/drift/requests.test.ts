import { describe, expect, it } from 'vitest';
import { checkRequest } from '../../api-model/prose-rules/request.ts';
import { endpointModels } from '../../api-model/endpoints/index.ts';
import { documentedStatuses } from '../../api-model/shapes/endpoints.ts';
import { type CaseEnv, driftCases, skipReason } from '../../drift/requests.ts';

const DRIFT_CASES = driftCases();

const sim: CaseEnv = { runId: 'dgtest123', fixtures: {}, simulator: true };
const remote: CaseEnv = { runId: 'dgtest123', fixtures: {}, simulator: false };

const bodyOf = (c: (typeof DRIFT_CASES)[number], env: CaseEnv) => c.prepare(env).request.body;

describe('the drift request set', () => {
  it('has unique names per endpoint and covers every endpoint', () => {
    const ids = DRIFT_CASES.map((c) => `${c.endpoint.name} ${c.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(DRIFT_CASES.map((c) => c.endpoint.name))).toEqual(new Set(endpointModels().map((m) => m.spec.name)));
  });

  it('expects only statuses each endpoint documents, and says on what basis', () => {
    for (const c of DRIFT_CASES) {
      expect(documentedStatuses(c.endpoint)).toContain(c.expected.status);
      expect(['spec', 'prose', 'assumed']).toContain(c.expected.basis);
    }
  });

  it('sends, for every case expecting 201, a body the rules oracle calls valid', () => {
    const creates = DRIFT_CASES.filter((c) => c.expected.status === 201);
    expect(creates.map((c) => `${c.endpoint.name} ${c.name}`).sort()).toEqual(
      endpointModels().flatMap((m) => ['fields-create', 'full-create', 'minimal-create'].map((n) => `${m.spec.name} ${n}`)).sort(),
    );
    for (const c of creates) expect(checkRequest(c.endpoint, bodyOf(c, sim)), c.name).toEqual([]);
  });

  it('sends, for every case expecting 400, a request that breaks exactly the rule it names', () => {
    const bad = DRIFT_CASES.filter((c) => c.expected.status === 400);
    expect(bad.length).toBe(endpointModels().flatMap((m) => m.cases.filter((c) => c.status === 400 && c.request)).length);
    for (const c of bad) {
      const { request } = c.prepare(sim);
      if (c.violates === 'malformed-json') {
        expect(() => JSON.parse(String(request.rawBody))).toThrow();
        continue;
      }
      const kinds = checkRequest(c.endpoint, request.body).map((v) => v.kind);
      expect(kinds, c.name).toEqual([c.violates]);
    }
  });

  it('covers the documented 400 rules: E.164, custom fields, JSON types, malformed JSON, dev-user email and state', () => {
    const kinds = (ep: string) =>
      DRIFT_CASES.filter((c) => c.endpoint.name === ep && c.expected.status === 400).map((c) => c.violates).sort();
    expect(kinds('rev-users.create')).toEqual(['custom-schema-spec', 'e164', 'malformed-json', 'wrong-json-type']);
    expect(kinds('dev-users.create')).toEqual(['custom-schema-spec', 'enum', 'malformed-json', 'missing-required', 'wrong-json-type']);
  });

  it('sends the 401 cases without any token, and expects exactly 401', () => {
    const noToken = DRIFT_CASES.filter((c) => c.name === 'no-token');
    expect(noToken).toHaveLength(endpointModels().length);
    for (const c of noToken) {
      expect(c.prepare(sim).request.auth).toBe('none');
      expect(c.expected.status).toBe(401);
      expect(checkRequest(c.endpoint, bodyOf(c, sim))).toEqual([]);
    }
  });

  it('provokes the 409 by repeating the external_ref of a rev user it creates first', () => {
    const c = DRIFT_CASES.find((x) => x.name === 'taken-external-ref')!;
    const p = c.prepare(sim);
    expect(p.setup).toEqual([{ kind: 'api', request: p.request }]);
    expect(c.expected).toMatchObject({ status: 409, basis: 'assumed' });
  });

  it('puts the run id into every value that must be unique, so runs never collide', () => {
    for (const c of DRIFT_CASES) {
      const p = c.prepare(sim);
      const text = p.request.rawBody === undefined ? JSON.stringify(p.request.body) : String(p.request.rawBody);
      const unique = [...text.matchAll(/"(external_ref|email)":\s*"([^"]*)"/g)].map((m) => m[2]);
      for (const v of unique) expect(v, `${c.endpoint.name} ${c.name}`).toContain('dgtest123');
    }
    const other = DRIFT_CASES.map((c) => JSON.stringify(c.prepare({ ...sim, runId: 'dgother99' }).request.body));
    expect(other.join()).not.toContain('dgtest123');
  });

  it('skips, by name and with the reason, what a real tenant cannot provide without fixtures', () => {
    const skipped = DRIFT_CASES.filter((c) => skipReason(c, remote)).map((c) => `${c.endpoint.name} ${c.name}`);
    expect(skipped.sort()).toEqual(
      endpointModels().flatMap((m) => ['full-create', 'read-only-token', 'throttled'].map((n) => `${m.spec.name} ${n}`)).sort(),
    );
    const full = DRIFT_CASES.find((c) => c.name === 'full-create' && c.endpoint.name === 'rev-users.create')!;
    expect(skipReason(full, remote)).toContain('revOrg');
    expect(skipReason(full, { ...remote, fixtures: { revOrg: 'R', account: 'A', tag: 'T', artifact: 'X', tenantCustomFields: { tnt__a: 1 } } })).toBeNull();
    for (const c of DRIFT_CASES) expect(skipReason(c, sim)).toBeNull();
  });

  it('uses the tenant fixtures, not stand-ins, when they are given', () => {
    const full = DRIFT_CASES.find((c) => c.name === 'full-create' && c.endpoint.name === 'rev-users.create')!;
    const body = full.prepare({ ...remote, fixtures: { revOrg: 'REV-abc', tag: 'TAG-9' } }).request.body as Record<string, unknown>;
    expect(body['rev_org']).toBe('REV-abc');
    expect(body['tags']).toEqual([{ id: 'TAG-9', value: 'drift' }]);
  });
});
