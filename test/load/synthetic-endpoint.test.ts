import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import type { BodyOf } from '../../api-model/cases/request-values.ts';
import { created, everyCreate } from '../../api-model/cases/templates.ts';
import { addEndpointForTest, type EndpointModel, endpointModels, harmlessRequestEndpoint } from '../../api-model/endpoints/index.ts';
import { ErrorBadRequest, ErrorConflict, ErrorTooManyRequests } from '../../api-model/shapes/endpoints.ts';
import { validate } from '../../api-model/shapes/validate.ts';
import { cleanupLedger, cleanupPlan, describeRemaining } from '../../cleanup/index.ts';
import { UsageError } from '../../core/errors.ts';
import { createRunContext } from '../../core/run-context.ts';
import { PROBE_CHECKS } from '../../load/check-ids.ts';
import { checkSampled2xx, FindingSink } from '../../load/checks.ts';
import { loadCase, loadEndpoint, nonCreating } from '../../load/endpoint.ts';
import { runLoadProbe } from '../../load/index.ts';
import type { Observation } from '../../load/observe.ts';
import { validateLoadOptions } from '../../load/options.ts';
import { chooseProbeRequest, nonCreatingRequest } from '../../load/probe-request.ts';
import { ledgerRecorder, loadRequestFor } from '../../load/request.ts';
import { startSimulator } from '../../simulator/index.ts';

// A third create endpoint, made up for this test: load must send it its own valid create,
// check its 201 with its own schema, record its records by its own envelope and remove them
// with its own cleanup endpoint, none of which load or cleanup names.

const Widget = Type.Object({ id: Type.String(), display_id: Type.String(), code: Type.String() }, { additionalProperties: true });
const WIDGETS_CREATE = {
  name: 'widgets.create',
  path: '/widgets.create',
  request: Type.Object({ code: Type.String(), colour: Type.Optional(Type.String()), note: Type.Optional(Type.String()) }),
  envelope: 'widget',
  successStatus: 201,
  responses: { 201: Type.Object({ widget: Widget }, { title: 'widgets-create-response' }), 400: ErrorBadRequest, 409: ErrorConflict, 429: ErrorTooManyRequests },
};
const WIDGETS_DELETE = {
  name: 'widgets.delete',
  path: '/widgets.delete',
  request: Type.Object({ id: Type.String() }),
  envelope: null,
  successStatus: 200,
  responses: { 200: Type.Object({}) },
};

const minimal: BodyOf = (v, what) => ({ code: v.tagged('code', 'text', `widget-${what}`) });

const WIDGETS: EndpointModel = {
  spec: WIDGETS_CREATE,
  classPrefix: 'widget',
  cleanup: { endpoint: WIDGETS_DELETE, event: 'removed', goneOn404: true },
  uniqueFields: ['code'],
  fixtureFreeFields: ['code', 'colour', 'note'],
  echoed: [],
  reads: [],
  cases: [
    // More fields than the minimal create: load repeats the smallest valid create.
    created('fields-create', 'code, colour and note', (v, what) => ({ ...minimal(v, what), colour: 'blue', note: v.text('note') })),
    created('minimal-create', 'only a code', minimal),
    created('full-create', 'a tag of the tenant', (v, what) => ({ ...minimal(v, what), tag: v.fixture('tag') }), { fixtures: ['tag'] }),
    ...everyCreate(minimal),
  ],
};

let remove: (() => void) | null = null;
const withWidgets = () => {
  remove = addEndpointForTest(WIDGETS);
};
afterEach(() => {
  remove?.();
  remove = null;
});

const ctxFor = (url: string, maxRequests?: number) =>
  createRunContext({ target: { url, kind: 'loopback' }, token: 'tok-widgets', outDir: mkdtempSync(join(tmpdir(), 'dg-widgets-')), quiet: true, ...(maxRequests ? { maxRequests } : {}) });

const observation = (status: number, body: unknown): Observation => ({ sentMs: 0, recvMs: 1, status, headers: {}, body });

describe('load and cleanup of an endpoint added to the model', () => {
  it('repeats its smallest valid create that needs no tenant record, with a code of its own each time', () => {
    withWidgets();
    expect(loadCase(WIDGETS).name).toBe('minimal-create');
    const send = loadRequestFor(WIDGETS);
    const ctx = { runId: 'dgrun1' };
    const [a, b] = [send(ctx, 'tok'), send(ctx, 'tok')];
    expect(a.path).toBe('/widgets.create');
    const [ba, bb] = [JSON.parse(a.body), JSON.parse(b.body)];
    expect(validate(WIDGETS_CREATE.request, ba).errors).toEqual([]);
    expect(ba.code).toContain('dgrun1');
    expect(ba.code).not.toBe(bb.code);
    // --endpoint takes it while it is modelled, and no longer once it is gone.
    expect(validateLoadOptions({ endpoint: 'widgets.create' }).endpoint).toBe('widgets.create');
    expect(loadEndpoint('widgets.create')).toBe(WIDGETS);
    remove?.();
    remove = null;
    expect(() => validateLoadOptions({ endpoint: 'widgets.create' })).toThrow(UsageError);
  });

  it('a create that writes a unique field as a constant cannot be repeated under load', () => {
    const constant: EndpointModel = { ...WIDGETS, cases: [created('minimal-create', 'a fixed code', () => ({ code: 'same' }))] };
    expect(() => loadCase(constant)).toThrow(/code \(unique\) as a constant/);
  });

  it('checks its 201 with its own schema, and the findings name it', () => {
    withWidgets();
    const sink = new FindingSink({ checkId: 'load.probe.sampled-2xx', remote: false, reproduction: null, endpoint: 'widgets.create' });
    const good = observation(201, { widget: { id: 'don:core:dvrv-us-1:devo/0:widget/1', display_id: 'WID-1', code: 'x' } });
    expect(checkSampled2xx([good], sink, WIDGETS)).toBe(1);
    expect(sink.findings()).toEqual([]);
    // A rev user's body is a fine 201 of another endpoint, not of this one.
    const other = observation(201, { rev_user: { id: 'don:identity:dvrv-us-1:devo/0:revu/1' } });
    checkSampled2xx([other], sink, WIDGETS);
    const f = sink.findings();
    expect(f.map((x) => [x.ruleId, x.pointer, x.endpoint])).toEqual([['overload-2xx-body-invalid', '/widget', 'widgets.create']]);
    expect(f[0]!.expected).toBe('widgets-create-response');
  });

  it('the ledger recorder recognises its record by its envelope, and cleanup plans its own delete', () => {
    withWidgets();
    const ctx = ctxFor('http://127.0.0.1:9');
    const record = ledgerRecorder(ctx);
    record(observation(201, { widget: { id: 'don:core:dvrv-us-1:devo/0:widget/7', display_id: 'WID-7', code: 'x' } }));
    // A record of another endpoint in the body is not taken for a widget when only widgets were sent.
    ledgerRecorder(ctx, [WIDGETS])(observation(201, { rev_user: { id: 'don:identity:dvrv-us-1:devo/0:revu/1' } }));
    const entries = ctx.ledger.outstanding();
    expect(entries.map((e) => [e.endpoint, e.id, e.displayId])).toEqual([['widgets.create', 'don:core:dvrv-us-1:devo/0:widget/7', 'WID-7']]);
    const plan = cleanupPlan(entries);
    expect(plan).toEqual([{ entry: entries[0], cleanup: WIDGETS.cleanup, request: { path: '/widgets.delete', body: { id: 'don:core:dvrv-us-1:devo/0:widget/7' } } }]);
    // Every modelled endpoint's records are planned with that endpoint's own cleanup.
    for (const m of endpointModels()) {
      const [step] = cleanupPlan([{ ...entries[0]!, endpoint: m.spec.name }]);
      expect(step && 'request' in step ? step.request.path : null).toBe(m.cleanup.endpoint.path);
    }
  });

  it('probes it end to end: no conflicts, its 201s pass, every widget it created is in the ledger and removed with widgets.delete', async () => {
    withWidgets();
    const server = await widgetServer();
    try {
      const ctx = ctxFor(server.url, 80);
      const choice = await chooseProbeRequest(ctx, 'tok-widgets', 2000, 'widgets.create');
      // The provider does not count a request without required fields: creates it is.
      expect([choice.creates, choice.endpoint]).toEqual([true, 'widgets.create']);
      const p = await runLoadProbe(ctx, { endpoint: 'widgets.create', probeDurationS: 1, concurrency: 2, sampleEvery: 1, say: () => {} });
      expect(server.conflicts).toBe(0);
      expect(server.created.size).toBeGreaterThan(0);
      expect(new Set(p.checks.map((c) => c.endpoint))).toEqual(new Set(['widgets.create']));
      const sampled = p.checks.find((c) => c.id === PROBE_CHECKS.sampled2xx.id)!;
      expect([sampled.outcome, sampled.findings]).toEqual(['pass', []]);
      const ledger = ctx.ledger.outstanding();
      expect(ledger.every((e) => e.endpoint === 'widgets.create')).toBe(true);
      expect(new Set(ledger.map((e) => e.id))).toEqual(new Set(server.created.keys()));
      const report = await cleanupLedger(ctx, ctx.ledger);
      expect([report.failed, report.deactivated]).toEqual([[], []]);
      expect(report.removed).toHaveLength(ledger.length);
      expect(server.created.size).toBe(0);
      expect(server.deletes).toBe(ledger.length);
      expect(ctx.ledger.outstanding()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('the request that creates nothing is the model\'s harmless endpoint and its documented 400, whatever load creates with', async () => {
    withWidgets();
    const n = nonCreating()!;
    expect(n.model).toBe(harmlessRequestEndpoint());
    expect(Object.hasOwn(n.model.spec.responses, n.status)).toBe(true);
    expect(nonCreatingRequest('tok')).toMatchObject({ path: n.model.spec.path, body: '{}' });
    // On the embedded simulator load creates with the endpoint asked for.
    const ctx = createRunContext({ target: { url: 'http://127.0.0.1:9', kind: 'simulator' }, outDir: mkdtempSync(join(tmpdir(), 'dg-widgets-')), quiet: true });
    const choice = await chooseProbeRequest(ctx, 'tok', 100, 'widgets.create');
    expect([choice.creates, choice.model, choice.admitted({ status: 201 })]).toEqual([true, WIDGETS, true]);
  });
});

describe('load pointed at another pinned endpoint (--endpoint)', () => {
  it('probes dev-users.create on the simulator without a false finding, records its dev users and deactivates them', async () => {
    const sim = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 10, windowS: 1 } });
    try {
      const ctx = ctxFor(sim.url, 120);
      const p = await runLoadProbe(ctx, { endpoint: 'dev-users.create', probeDurationS: 1, concurrency: 2, sampleEvery: 1, say: () => {} });
      expect(new Set(p.checks.map((c) => c.endpoint))).toEqual(new Set(['dev-users.create']));
      const failed = p.checks.filter((c) => c.findings.length > 0);
      expect(failed.map((c) => c.id), JSON.stringify(failed.flatMap((c) => c.findings), null, 1)).toEqual([]);
      const sampled = p.checks.find((c) => c.id === PROBE_CHECKS.sampled2xx.id)!;
      expect(sampled.outcome).toBe('pass');
      const ledger = ctx.ledger.outstanding();
      expect(ledger.length).toBeGreaterThan(0);
      expect(new Set(ledger.map((e) => e.endpoint))).toEqual(new Set(['dev-users.create']));
      const report = await cleanupLedger(ctx, ctx.ledger);
      expect([report.failed, report.removed.length, report.deactivated.length]).toEqual([[], 0, ledger.length]);
      expect(describeRemaining(report)).toEqual([expect.stringMatching(/deactivated dev user, no documented delete/)]);
    } finally {
      await sim.close();
    }
  });
});

/**
 * A provider of widgets written for this test: a fixed window of 10 creates a second per
 * token, 409 on a code it already holds, 400 to a body without a code (dev users too: the
 * request that creates nothing, not counted), 200 to a delete of a widget it holds.
 */
const widgetServer = async () => {
  const created = new Map<string, string>();
  const codes = new Set<string>();
  const state = { conflicts: 0, deletes: 0 };
  let seq = 0;
  let windowStart = Date.now();
  let used = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return answer(400, { type: 'parse_error', message: 'not JSON' });
      }
      if (req.url === '/dev-users.create') return answer(400, { type: 'missing_required_field', message: 'email is required', field_name: 'email' });
      if (req.url === '/widgets.delete') {
        const id = String(body['id']);
        if (!created.has(id)) return answer(404, { type: 'not_found', message: 'no such widget' });
        codes.delete(created.get(id)!);
        created.delete(id);
        state.deletes++;
        return answer(200, {});
      }
      if (req.url !== '/widgets.create') return answer(404, { type: 'not_found', message: 'route not found' });
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        used = 0;
      }
      if (used >= 10) {
        const wait = Math.max(1, Math.ceil((windowStart + 1000 - now) / 1000));
        return answer(429, { type: 'too_many_requests', message: 'slow down', retry_after: wait }, { 'retry-after': String(wait) });
      }
      used++;
      const code = body['code'];
      if (typeof code !== 'string') return answer(400, { type: 'missing_required_field', message: 'code is required', field_name: 'code' });
      if (codes.has(code)) {
        state.conflicts++;
        return answer(409, { type: 'conflict', message: `code ${code} is taken` });
      }
      const n = ++seq;
      const id = `don:core:dvrv-us-1:devo/0:widget/${n}`;
      codes.add(code);
      created.set(id, code);
      return answer(201, { widget: { id, display_id: `WID-${n}`, code } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    created,
    get conflicts() {
      return state.conflicts;
    },
    get deletes() {
      return state.deletes;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
