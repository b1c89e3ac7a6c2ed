import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseKey, catalogueCases } from '../../api-model/cases/catalogue.ts';
import { addEndpointForTest, endpointModels } from '../../api-model/endpoints/index.ts';
import { checkRequest } from '../../api-model/prose-rules/request.ts';
import { isRawCase, uniquify } from '../../properties/case.ts';
import { properties, propertyClasses } from '../../properties/catalog.ts';
import { fixtureSources, generatedSources } from '../../properties/generators/bodies.ts';
import { runProperties } from '../../properties/index.ts';
import { confirmLabel } from '../../properties/oracle.ts';
import { SYNTHETIC_ENDPOINT } from '../fixtures/synthetic-endpoint.ts';
import { checkOf, contextFor } from './helpers.ts';

// A third create endpoint added to the model (widgets.create: a required name, a unique
// external_ref, an enum, an array of integers; it documents 409): the properties cover it
// without a line of pillar code naming it, and a run against a provider of the test's own
// checks it end to end.

const NAME = SYNTHETIC_ENDPOINT.spec.name;
const seed = Date.now() | 0;
console.log(`third endpoint properties seed ${seed}`);

let remove: () => void;
beforeAll(() => {
  remove = addEndpointForTest(SYNTHETIC_ENDPOINT);
});
afterAll(() => remove());

const classesOf = (sources = generatedSources()) => propertyClasses(sources)[NAME] ?? [];

describe('a third endpoint in the properties', () => {
  it('gets valid, missing-required, wrong-type, not-an-object, no-token, enum and uniqueness classes', () => {
    const names = classesOf().map((c) => c.cls);
    for (const cls of [
      'widget.valid.minimal',
      'widget.valid.fields',
      'widget.missing.name',
      'widget.wrong-type.name',
      'widget.wrong-type.external_ref',
      'widget.wrong-type.colour',
      'widget.wrong-type.sizes',
      'widget.wrong-type.sizes[]',
      'widget.not-an-object',
      'widget.no-token.minimal',
      'widget.no-token.fields',
      'widget.colour.case-or-whitespace',
      'widget.colour.empty',
      'widget.colour.arbitrary',
      'widget.stateful.create-fresh',
      'widget.stateful.create-taken',
      'any.raw-bytes',
    ])
      expect(names, cls).toContain(cls);
    // Only the required field gets a missing class; the pinned endpoints keep theirs.
    expect(names.filter((n) => n.startsWith('widget.missing.'))).toEqual(['widget.missing.name']);
    const counts = Object.fromEntries(endpointModels().map((m) => [m.spec.name, (propertyClasses(generatedSources())[m.spec.name] ?? []).length]));
    expect(Object.keys(counts)).toHaveLength(endpointModels().length);
    for (const [e, n] of Object.entries(counts)) expect(n, e).toBeGreaterThan(10);
  });

  it('gets a uniqueness run of its own, named after its unique field and covering its taken-unique case', () => {
    const unique = properties().filter((p) => p.kind === 'stateful');
    // Its own run, after the pinned endpoints' (its unique field is rev users' too: so prefixed).
    expect(unique.map((p) => p.name)).toContain('external-ref-unique');
    expect(unique.map((p) => p.name).at(-1)).toBe('widget-external-ref-unique');
    const widget = unique.find((p) => p.kind === 'stateful' && p.endpoint === NAME)!;
    expect(widget.cases).toEqual([`${NAME}/taken-external-ref`]);
    expect(widget.basis).toBe('assumed');
  });

  it('has every property mapped to catalogue cases that exist, with their basis', () => {
    const keys = new Set(catalogueCases().map(caseKey));
    const mapped = properties().flatMap((p) => p.cases);
    expect(mapped.filter((k) => !keys.has(k))).toEqual([]);
    for (const k of [`${NAME}/minimal-create`, `${NAME}/missing-name`, `${NAME}/wrong-json-type`, `${NAME}/no-token`, `${NAME}/hostile-input`, `${NAME}/taken-external-ref`])
      expect(mapped, k).toContain(k);
    expect(properties().find((p) => p.name === 'widget-colour-documented-only')?.basis).toBe('spec');
  });

  it('generates cases of every class that the oracle confirms, on the simulator and on a real tenant', () => {
    for (const sources of [generatedSources(), fixtureSources({})]) {
      for (const p of properties()) {
        if (p.kind !== 'cases') continue;
        for (const c of p.classes(sources).classes) {
          if (!c.name.startsWith('widget.')) continue;
          for (const x of fc.sample(c.arb, { seed, numRuns: 30 })) {
            expect(x.endpoint).toBe(NAME);
            if (!isRawCase(x)) confirmLabel(x, uniquify(x.body, 'dg3rd-1', x.endpoint));
          }
        }
      }
    }
  });

  it('is gone once the test removes it: the classes are computed when asked', () => {
    remove();
    try {
      expect(propertyClasses(generatedSources())).not.toHaveProperty(NAME);
      expect(properties().map((p) => p.name)).not.toContain('widget-external-ref-unique');
    } finally {
      remove = addEndpointForTest(SYNTHETIC_ENDPOINT);
    }
  });
});

/** A widgets.create provider written for this test: the documented answers, and a switch to forget the 409. */
const widgetProvider = async (options: { conflicts: boolean }) => {
  const taken = new Set<string>();
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url !== SYNTHETIC_ENDPOINT.spec.path) return send(404, { message: 'route not found' });
      if (!req.headers.authorization) return send(401, { type: 'unauthenticated', message: 'a token is required' });
      let body: unknown;
      try {
        if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(req.headers['content-type'] ?? '')) throw new Error('not JSON');
        body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        return send(400, { type: 'parse_error', message: 'the body is not JSON' });
      }
      const violations = checkRequest(SYNTHETIC_ENDPOINT.spec, body);
      if (violations.length) return send(400, { type: 'bad_request', message: violations[0]!.message });
      const b = body as Record<string, unknown>;
      const ref = typeof b['external_ref'] === 'string' ? b['external_ref'] : null;
      if (ref && taken.has(ref) && options.conflicts) return send(409, { type: 'conflict', message: 'external_ref is taken' });
      if (ref) taken.add(ref);
      const widget = Object.fromEntries(['name', 'external_ref', 'colour', 'sizes'].filter((k) => k in b).map((k) => [k, b[k]]));
      return send(201, { widget: { id: `don:core:dvrv-us-1:devo/0:widget/${++n}`, ...widget } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
};

// A tenant that defines custom fields: every class is available.
const FIXTURES = { tenantCustomFields: { tnt__tier: 'gold' }, subtype: { name: 'vip', fields: { ctype__level: 3 } } };

/** Only the classes and properties that reach the third endpoint. */
const widgetOnly = () => {
  const classes = classesOf(fixtureSources(FIXTURES));
  expect(classes.filter((c) => c.unavailable)).toEqual([]);
  return { properties: [...new Set(classes.map((c) => c.property))], classes: classes.map((c) => c.cls) };
};

describe('the properties run against a third endpoint', () => {
  it('check it end to end: every property passes and every one of its classes is hit', async () => {
    const provider = await widgetProvider({ conflicts: true });
    try {
      const only = widgetOnly();
      const r = await runProperties(contextFor(provider.url, 'loopback', FIXTURES), { seed, ...only, runsPerClass: 10, statefulRuns: 10 });
      for (const c of r.checks) expect({ id: c.id, outcome: c.outcome, reason: c.reason }).toMatchObject({ outcome: 'pass' });
      const counts = (r.data as { classCounts: Record<string, number> }).classCounts;
      for (const cls of only.classes) expect(counts[cls], cls).toBeGreaterThan(0);
      expect(checkOf(r, 'properties.widget-external-ref-unique').endpoint).toBe(NAME);
    } finally {
      await provider.close();
    }
  });

  it('fail its uniqueness run when the provider never answers 409 for a taken external_ref', async () => {
    const provider = await widgetProvider({ conflicts: false });
    try {
      const r = await runProperties(contextFor(provider.url, 'loopback'), { seed, properties: ['widget-external-ref-unique'], statefulRuns: 10 });
      const check = checkOf(r, 'properties.widget-external-ref-unique');
      expect(check.findings[0]).toMatchObject({ ruleId: 'properties.widget-external-ref-unique.status', endpoint: NAME, expected: 409, actual: 201 });
    } finally {
      await provider.close();
    }
  });
});
