import { describe, expect, it } from 'vitest';
import { basisOfCases, caseKey, catalogueCase, catalogueCases } from '../../api-model/cases/catalogue.ts';
import { CREATE_ENDPOINTS, endpointByName, endpointModels } from '../../api-model/endpoints/index.ts';
import { checkRequest } from '../../api-model/prose-rules/index.ts';
import { interactions } from '../../contracts/pact/interactions.ts';
import type { BasisName } from '../../core/results.ts';
import { driftCases } from '../../drift/requests.ts';
import { properties } from '../../properties/catalog.ts';

const DRIFT_CASES = driftCases();
const CASES = catalogueCases();

// Every pillar's cases are views of the one catalogue: a case or a basis a pillar carries
// that the catalogue lacks fails here.

interface View {
  pillar: string;
  endpoint: string;
  name: string;
  status?: number;
  basis: BasisName;
}

/** What is wrong with a pillar's views, measured against the catalogue. */
const disagreements = (views: readonly View[]): string[] =>
  views.flatMap((v) => {
    const c = CASES.find((x) => x.endpoint === v.endpoint && x.name === v.name);
    if (!c) return [`${v.pillar}: ${v.endpoint} ${v.name} is not in the catalogue`];
    const out: string[] = [];
    if (v.status !== undefined && v.status !== c.status) out.push(`${v.pillar}: ${v.endpoint} ${v.name} status ${v.status}, catalogue ${c.status}`);
    if (v.basis !== c.basis) out.push(`${v.pillar}: ${v.endpoint} ${v.name} basis ${v.basis}, catalogue ${c.basis}`);
    return out;
  });

const driftViews = (): View[] =>
  DRIFT_CASES.map((c) => ({ pillar: 'drift', endpoint: c.endpoint.name, name: c.name, status: c.expected.status, basis: c.expected.basis }));
const pactViews = (): View[] =>
  interactions().map((i) => ({ pillar: 'contracts', endpoint: i.endpoint.name, name: i.caseName, status: i.status, basis: i.basis }));
const propertyViews = (): View[] =>
  properties().flatMap((p) =>
    p.cases.map((k) => {
      const [endpoint, name] = k.split('/') as [string, string];
      return { pillar: `properties.${p.name}`, endpoint, name, basis: p.basis };
    }),
  );

describe('the case catalogue', () => {
  it('names each case once', () => {
    const keys = CASES.map(caseKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of CASES) expect(endpointByName(c.endpoint)?.responses, caseKey(c)).toHaveProperty(String(c.status));
  });

  it('has, for every create endpoint, the cases every endpoint documents', () => {
    const everyEndpoint = ['minimal-create', 'fields-create', 'full-create', 'no-token', 'throttled', 'read-only-token', 'server-error', 'unavailable', 'hostile-input', 'malformed-json'];
    for (const e of CREATE_ENDPOINTS) {
      for (const name of everyEndpoint) expect(CASES.find((c) => c.endpoint === e.name && c.name === name), `${e.name} ${name}`).toBeDefined();
    }
  });

  it('is covered: every case is a view of at least one pillar', () => {
    const viewed = new Set([...driftViews(), ...pactViews(), ...propertyViews()].map((v) => `${v.endpoint}/${v.name}`));
    expect(CASES.map(caseKey).filter((k) => !viewed.has(k))).toEqual([]);
  });

  it('settles what the pillars disagreed on, from the documents', () => {
    // The document lists email as required: spec (Pact said prose).
    expect(catalogueCase('dev-users.create', 'missing-email').basis).toBe('spec');
    // 403 is documented, its trigger (a read-only caller) is not: assumed (Pact said spec).
    expect(catalogueCase('rev-users.create', 'read-only-token').basis).toBe('assumed');
    expect(catalogueCase('dev-users.create', 'read-only-token').basis).toBe('assumed');
    // "Retry-After in seconds" is on the rate-limits page: prose.
    expect(catalogueCase('rev-users.create', 'throttled').basis).toBe('prose');
  });

  it('holds every fixture-free field in a request the oracle judges valid', () => {
    for (const m of endpointModels()) {
      const endpoint = m.spec.name;
      const c = DRIFT_CASES.find((x) => x.endpoint.name === endpoint && x.name === 'fields-create')!;
      expect(c.needs, endpoint).toBeUndefined();
      const body = c.prepare({ runId: 'dgcase1', fixtures: {}, simulator: false }).request.body as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual([...m.fixtureFreeFields].sort());
      expect(checkRequest(c.endpoint, body)).toEqual([]);
    }
  });
});

describe('each pillar is a view of the catalogue', () => {
  it('drift: every request-set case, its status and basis', () => {
    expect(disagreements(driftViews())).toEqual([]);
  });

  it('contracts: every Pact interaction, its status and basis', () => {
    expect(disagreements(pactViews())).toEqual([]);
  });

  it('properties: every property, the cases it covers and its basis', () => {
    expect(disagreements(propertyViews())).toEqual([]);
    for (const p of properties()) expect(p.basis, p.name).toBe(basisOfCases(p.cases));
  });

  it('fails a pillar that carries a case or a basis the catalogue does not', () => {
    const drift = driftViews();
    expect(disagreements([...drift, { pillar: 'drift', endpoint: 'rev-users.create', name: 'made-up', status: 400, basis: 'spec' }])).toEqual([
      'drift: rev-users.create made-up is not in the catalogue',
    ]);
    const pact = pactViews().map((v) => (v.name === 'read-only-token' ? { ...v, basis: 'spec' as const } : v));
    expect(disagreements(pact)).toEqual(endpointModels().map((m) => `contracts: ${m.spec.name} read-only-token basis spec, catalogue assumed`));
    expect(() => catalogueCase('rev-users.create', 'made-up')).toThrow(/no rev-users.create made-up/);
    expect(() => basisOfCases(['rev-users.create/minimal-create', 'rev-users.create/taken-external-ref'])).toThrow(/different bases/);
  });
});
