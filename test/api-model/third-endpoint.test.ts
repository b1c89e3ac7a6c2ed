import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueCases } from '../../api-model/cases/catalogue.ts';
import { addEndpointForTest, endpointModels } from '../../api-model/endpoints/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupPlan } from '../../cleanup/index.ts';
import { interactions } from '../../contracts/pact/interactions.ts';
import { createRunContext } from '../../core/run-context.ts';
import { driftCases } from '../../drift/requests.ts';
import { checkSampled2xx, FindingSink } from '../../load/checks.ts';
import type { Observation } from '../../load/observe.ts';
import { ledgerRecorder, loadRequestFor } from '../../load/request.ts';
import { propertyClasses } from '../../properties/catalog.ts';
import { generatedSources } from '../../properties/generators/bodies.ts';
import { SYNTHETIC_ENDPOINT } from '../fixtures/synthetic-endpoint.ts';

// A third create endpoint, from a small OpenAPI document of the test's own, added to the
// model: every pillar must cover it without a line of pillar code changing. A pillar that
// keeps a list of its own endpoints fails here.

const NAME = SYNTHETIC_ENDPOINT.spec.name;
let remove: () => void;
beforeAll(() => {
  remove = addEndpointForTest(SYNTHETIC_ENDPOINT);
});
afterAll(() => remove());

describe('a third endpoint added to the model', () => {
  it('is in the model and its catalogue', () => {
    expect(endpointModels().map((m) => m.spec.name)).toContain(NAME);
    expect(catalogueCases().filter((c) => c.endpoint === NAME).map((c) => c.name)).toEqual(SYNTHETIC_ENDPOINT.cases.map((c) => c.name));
  });

  it('gets a drift request for every case drift can send, built from the case', () => {
    const cases = driftCases().filter((c) => c.endpoint.name === NAME);
    expect(cases.map((c) => c.name).sort()).toEqual(
      ['minimal-create', 'fields-create', 'full-create', 'missing-name', 'wrong-json-type', 'taken-external-ref', 'custom-fields-without-spec', 'malformed-json', 'no-token', 'throttled', 'read-only-token'].sort(),
    );
    const minimal = cases.find((c) => c.name === 'minimal-create')!.prepare({ runId: 'dg3rd', fixtures: {}, simulator: true });
    expect(minimal.request.path).toBe('/widgets.create');
    expect(minimal.request.body).toEqual({ name: 'devrev-gate dg3rd', external_ref: 'dg3rd-widget-minimal' });
    const taken = cases.find((c) => c.name === 'taken-external-ref')!.prepare({ runId: 'dg3rd', fixtures: {}, simulator: false });
    expect(taken.setup).toEqual([{ kind: 'api', request: taken.request }]);
  });

  it('gets a Pact interaction for every case the SDK can send, its request from the case', () => {
    const mine = interactions().filter((i) => i.endpoint.name === NAME);
    // Cut-off JSON, hostile bytes and a wrong JSON type are not what a typed client sends.
    const sendable = SYNTHETIC_ENDPOINT.cases.filter((c) => c.request && c.name !== 'malformed-json' && c.name !== 'wrong-json-type');
    expect(mine.map((i) => i.caseName).sort()).toEqual(sendable.map((c) => c.name).sort());
    expect(new Set(mine.map((i) => i.status))).toEqual(new Set(sendable.map((c) => c.status)));
    const taken = mine.find((i) => i.caseName === 'taken-external-ref')!;
    expect(taken.states.map((st) => st.params?.['endpoint'])).toContain(NAME);
  });

  it('gets the property classes every endpoint gets: valid, missing-required, wrong-type, not-an-object, no-token, uniqueness', () => {
    const classes = (propertyClasses(generatedSources())[NAME] ?? []).map((c) => c.cls);
    const p = SYNTHETIC_ENDPOINT.classPrefix;
    expect(classes).toEqual(expect.arrayContaining([`${p}.valid.minimal`, `${p}.missing.name`, `${p}.not-an-object`]));
    expect(classes.some((c) => c.startsWith(`${p}.wrong-type.`))).toBe(true);
    expect(classes.some((c) => c.startsWith(`${p}.no-token`))).toBe(true);
    expect(classes.some((c) => c.startsWith(`${p}.stateful.`))).toBe(true);
  });

  it("gets load's create, its own 201 check, its records in the ledger and removed with its own cleanup call", () => {
    const ctx = createRunContext({ target: { url: 'http://127.0.0.1:9', kind: 'loopback' }, token: 'tok', outDir: mkdtempSync(join(tmpdir(), 'dg-3rd-')), quiet: true });
    const send = loadRequestFor(SYNTHETIC_ENDPOINT);
    const [a, b] = [send(ctx, 'tok'), send(ctx, 'tok')];
    expect(a.path).toBe('/widgets.create');
    expect(JSON.parse(a.body).external_ref).not.toBe(JSON.parse(b.body).external_ref);
    const seen = (status: number, body: unknown): Observation => ({ sentMs: 0, recvMs: 1, status, headers: {}, body });
    const sink = new FindingSink({ checkId: 'load.probe.sampled-2xx', remote: false, reproduction: null, endpoint: NAME });
    checkSampled2xx([seen(201, { widget: { id: 'w-1', name: 'n' } })], sink, SYNTHETIC_ENDPOINT);
    expect(sink.findings()).toEqual([]);
    checkSampled2xx([seen(201, { widget: { id: 'w-2' } })], sink, SYNTHETIC_ENDPOINT);
    expect(sink.findings().map((f) => f.pointer)).toEqual(['/widget/name']);
    ledgerRecorder(ctx, [SYNTHETIC_ENDPOINT])(seen(201, { widget: { id: 'w-3', name: 'n' } }));
    const entries = ctx.ledger.outstanding();
    expect(entries.map((e) => [e.endpoint, e.id])).toEqual([[NAME, 'w-3']]);
    expect(cleanupPlan(entries).map((st) => ('request' in st ? st.request.path : st.reason))).toEqual(['/widgets.delete']);
  });
});
