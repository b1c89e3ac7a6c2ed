import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueCases } from '../../api-model/cases/catalogue.ts';
import { addEndpointForTest, endpointModels } from '../../api-model/endpoints/index.ts';
import { driftCases } from '../../drift/requests.ts';
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
});
