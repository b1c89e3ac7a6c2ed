import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../api-model/openapi/document.ts';
import { pinnedSlice } from '../../api-model/openapi/slice.ts';
import { loadVersion, type VersionView, versionView } from '../../api-model/openapi/version.ts';
import { runContracts } from '../../contracts/pact/index.ts';
import type { Finding, Impact, PillarResult } from '../../core/results.ts';
import type { SpecChange } from '../../docs-drift/diff.ts';
import { createRunContext } from '../../core/run-context.ts';
import { runSpecDiff } from '../../docs-drift/index.ts';
import { COMMITTED_PACT } from '../../docs-drift/pact-check.ts';
import { interactionOf, readPactView } from '../../docs-drift/pact-view.ts';
import { openSide, type SpecSide, sideOf } from '../../docs-drift/resolve.ts';
import { runDrift } from '../../drift/index.ts';
import { startSimulator } from '../../simulator/index.ts';
import { observedItems, predictedItems, shownSides } from './prediction.ts';

// #24 item 3: what `spec diff --from pinned --to VERSION` predicts a client notices is what
// drift and contracts report against the simulator serving VERSION, no more, no less
// (prediction.ts states the rule). The pact is the one the contracts run writes, read as a
// file: no interaction is named or counted here.

const REFERENCE = resolve(import.meta.dirname, '../../../shared/reference');
const HISTORY = join(REFERENCE, 'openapi-history');
const HISTORICAL = ['openapi-beta-2024-07-25-1b342da.yaml', 'openapi-beta-2025-01-28-5f08057.yaml'].map((f) => join(HISTORY, f));

const dir = mkdtempSync(join(tmpdir(), 'devrev-gate-prediction-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sides {
  predicted: ReturnType<typeof predictedItems>;
  observed: ReturnType<typeof observedItems>;
}

/** Both sides for one version: the simulator serving it (as `--openapi` starts it), then the diff. */
const compare = async (name: string, version: VersionView, to: SpecSide): Promise<Sides> => {
  const out = mkdtempSync(join(dir, `${name}-`));
  const sim = await startSimulator({ version });
  let drift: PillarResult;
  let contracts: PillarResult;
  try {
    const ctx = createRunContext({ target: { url: sim.url, kind: 'simulator' }, token: 'prediction-test-token', outDir: out, quiet: true });
    drift = await runDrift(ctx);
    contracts = await runContracts(ctx, { pactDir: join(out, 'pacts') });
  } finally {
    await sim.close();
  }
  // The consumer side runs against Pact's mock server, not the version: a failure there (the
  // mock-server flake, CONTRIBUTING.md) would leave calls unverified, so it stops the test.
  const consumer = contracts.checks.find((c) => c.id === 'contracts.consumer');
  expect(consumer?.findings.map((f) => f.message) ?? ['no consumer check'], 'the pact consumer side failed').toEqual([]);
  // Every call of the pact was sent to the version: one left out would be a silent "less".
  const unjudged = contracts.checks.filter((c) => c.outcome === 'skipped' || (c.outcome === 'inconclusive' && !/every request with a token got 401/.test(c.reason ?? '')));
  expect(unjudged.map((c) => `${c.name}: ${c.reason}`), 'contracts calls not judged against the version').toEqual([]);
  const pactFile = (contracts.data as { pactFile: string }).pactFile;
  const pact = readPactView(pactFile);
  const run = await runSpecDiff(openSide('pinned'), to, { pact: false, impactPacts: [pact] });
  return {
    predicted: predictedItems(run.changes, run.impacts, pact),
    observed: observedItems([drift, contracts], pact),
  };
};

const expectSame = ({ predicted, observed }: Sides) => {
  const sorted = (s: Set<string>) => [...s].sort();
  // PREDICTION_SHOW=1 prints both sides, and the drift findings no pact call looks at.
  if (process.env['PREDICTION_SHOW']) {
    const unread = observed.unread.map((f) => `  not a pact call's: ${f.pillar} ${f.endpoint} ${f.caseId ?? ''} ${f.status} ${f.ruleId} ${f.pointer}`);
    const permitted = [...predicted.permitted.items].map((x) => `  permitted, not sent: ${x}`);
    console.log([expect.getState().currentTestName, shownSides(predicted, observed.noticed) || '  (nothing on either side)', ...unread, ...permitted].join('\n'));
  }
  expect(sorted(observed.noticed.items), `predicted vs observed:\n${shownSides(predicted, observed.noticed)}`).toEqual(sorted(predicted.items));
};

describe.runIf(HISTORICAL.every(existsSync))('the historical documents (runs only where ../shared/reference/openapi-history exists)', () => {
  it.each(HISTORICAL)('%s: spec diff predicts what drift and contracts observe', async (file) => {
    const sides = await compare(file.replace(/.*openapi-beta-/, '').slice(0, 10), loadVersion(file), openSide(file));
    expectSame(sides);
    // Neither document has dev-users.create: both sides name it, so the test is not vacuous.
    expect([...sides.observed.noticed.items]).toContain('dev-users.create: endpoint answers 404');
  }, 120_000);
});

// biome-ignore lint/suspicious/noExplicitAny: each version edits the copy where its change lives
type Editable = Record<string, any>;
const pinCopy = (): OpenApiDocument & Editable => structuredClone(pinnedSlice()) as OpenApiDocument & Editable;
const pinnedPact = () => readPactView(COMMITTED_PACT);

/** The one-change version as `serve --openapi` and `spec diff --to` both read it. */
const oneChange = async (name: string, edit: (doc: Editable) => void): Promise<Sides> => {
  const doc = pinCopy();
  edit(doc);
  return compare(name, versionView({ doc, file: `${name}.json`, sha256: name }), sideOf(`${name}.json`, `${name}.json`, doc));
};

/** A field of the rev user the pact's 201 calls read, picked from the pact file. */
const revUserFieldReadByPact = (doc: Editable): string => {
  const own = doc['components'].schemas['rev-user'].allOf[1];
  const read = pinnedPact().interactions.filter((i) => i.endpoint === 'rev-users.create' && i.status === 201).flatMap((i) => i.reads.map((r) => r.path));
  const field = read.find((p) => p.length === 2 && p[0] === 'rev_user' && p[1]! in own.properties && !(own.required ?? []).includes(p[1]))?.[1];
  if (!field) throw new Error('the pact reads no optional field of the rev user: pick another change');
  return field;
};

const items = (s: Sides) => [...s.observed.noticed.items].sort();

describe('versions written here, one change each from the pinned slice', () => {
  it('a response field the pact reads, removed: both sides name it missing', async () => {
    let field = '';
    const sides = await oneChange('field-removed', (doc) => {
      field = revUserFieldReadByPact(doc);
      delete doc['components'].schemas['rev-user'].allOf[1].properties[field];
    });
    expectSame(sides);
    expect(items(sides)).toEqual([`rev-users.create: response 201 /rev_user/${field} missing`]);
  }, 60_000);

  it('a new required response field: a client that does not read it notices nothing', async () => {
    const sides = await oneChange('required-response-field', (doc) => {
      const own = doc['components'].schemas['rev-user'].allOf[1];
      own.properties.loyalty_tier = { type: 'string' };
      own.required = [...(own.required ?? []), 'loyalty_tier'];
    });
    expectSame(sides);
    expect(items(sides)).toEqual([]);
  }, 60_000);

  it('an endpoint the pact calls, removed: it answers 404 on both sides', async () => {
    // Whichever endpoint the pact's first call uses.
    const endpoint = pinnedPact().interactions[0]!.endpoint;
    const sides = await oneChange('endpoint-removed', (doc) => {
      delete doc['paths'][`/${endpoint}`];
    });
    expectSame(sides);
    expect(items(sides)).toEqual([`${endpoint}: endpoint answers 404`]);
  }, 60_000);

  it('a request body made optional (the pin already requires every body): every call sends one, nothing changes', async () => {
    const sides = await oneChange('body-optional', (doc) => {
      doc['paths']['/rev-users.create'].post.requestBody.required = false;
    });
    expectSame(sides);
    expect(items(sides)).toEqual([]);
  }, 60_000);

  it('a new required request field no call sends: the calls expecting to be accepted are refused', async () => {
    const sides = await oneChange('required-request-field', (doc) => {
      const req = doc['components'].schemas['rev-users-create-request'];
      req.properties.tenant_ref = { type: 'string' };
      req.required = [...(req.required ?? []), 'tenant_ref'];
    });
    expectSame(sides);
    expect(items(sides)).toContain('rev-users.create: expecting 201 answers 400');
  }, 60_000);

  it('the security scheme moves the token to another header: every call with a token is refused', async () => {
    const sides = await oneChange('api-key-header', (doc) => {
      doc['components'].securitySchemes['auth-token'] = { type: 'apiKey', in: 'header', name: 'X-Api-Key' };
    });
    expectSame(sides);
    expect(items(sides)).toContain('rev-users.create: expecting 201 answers 401');
  }, 60_000);

  it('the security scheme becomes an API key in Authorization (the 2024 form): the SDK\'s token still meets it', async () => {
    const sides = await oneChange('api-key-authorization', (doc) => {
      doc['components'].securitySchemes['auth-token'] = { type: 'apiKey', in: 'header', name: 'Authorization' };
    });
    expectSame(sides);
    expect(items(sides)).toEqual([]);
  }, 60_000);

  it('a response field the pact reads changes type: both sides name it', async () => {
    let field = '';
    const sides = await oneChange('field-type', (doc) => {
      field = revUserFieldReadByPact(doc);
      doc['components'].schemas['rev-user'].allOf[1].properties[field] = { type: 'integer' };
    });
    expectSame(sides);
    expect(items(sides)).toEqual([`rev-users.create: response 201 /rev_user/${field} changed`]);
  }, 60_000);

  it('the id every answer has becomes optional: a permission spec diff flags, not an answer a client gets', async () => {
    const sides = await oneChange('id-optional', (doc) => {
      doc['components'].schemas['atom-base'].required = [];
    });
    expectSame(sides);
    expect(items(sides)).toEqual([]);
    // Kept apart, not lost: every call reading an id is listed as permitted.
    expect([...sides.predicted.permitted.items].sort()).toEqual(['dev-users.create: response 201 /dev_user/id response-property-became-optional', 'rev-users.create: response 201 /rev_user/id response-property-became-optional']);
  }, 60_000);

  it('an additive optional field, in the request and the answer: nothing predicted, nothing observed', async () => {
    const sides = await oneChange('additive', (doc) => {
      doc['components'].schemas['rev-users-create-request'].properties.nickname = { type: 'string' };
      doc['components'].schemas['rev-user'].allOf[1].properties.nickname = { type: 'string' };
    });
    expectSame(sides);
    expect(items(sides)).toEqual([]);
  }, 60_000);
});

describe('the rule, on findings and changes written here (no server)', () => {
  // A one-call pact: rev-users.create 201, reading /rev_user/id.
  const pact = {
    file: 'one-call.json',
    interactions: [
      interactionOf(
        { description: 'one call', request: { method: 'POST', path: '/rev-users.create', body: { content: { display_name: 'x' }, contentType: 'application/json' } }, response: { status: 201, body: { content: { rev_user: { id: 'x' } }, contentType: 'application/json' } } },
        0,
      ),
    ],
  };
  const finding = (f: Partial<Finding>): Finding => ({ checkId: 'c', pillar: 'drift', endpoint: 'rev-users.create', status: 201, ruleId: 'response-required-property-missing', severity: 'error', basis: 'spec', pointer: '', message: '', reproduction: null, ...f });
  const pillar = (findings: Finding[]) => ({ checks: [{ id: 'c', pillar: 'drift', name: 'c', endpoint: 'rev-users.create', outcome: 'pass', durationMs: 0, findings }] }) as unknown as PillarResult;

  it('a drift finding at a field no pact call reads is no item, but is kept as unread; warnings are neither', () => {
    const { noticed, unread } = observedItems(
      [pillar([finding({ pointer: '/rev_user/id' }), finding({ pointer: '/rev_user/display_id' }), finding({ pointer: '/rev_user/id', severity: 'warning', ruleId: 'response-property-format-changed' })])],
      pact,
    );
    expect([...noticed.items]).toEqual(['rev-users.create: response 201 /rev_user/id missing']);
    expect(unread.map((f) => f.pointer)).toEqual(['/rev_user/display_id']);
  });

  it('a change that breaks our contract in a way no case turns into an answer still shows as an item, never dropped', () => {
    const change: SpecChange = { ruleId: 'response-header-removed', from: '/x', to: null, before: undefined, after: undefined, endpoints: ['rev-users.create'], places: ['response 201 header X-Thing'], summary: '' };
    const impact: Impact = { group: 'breaks-our-contract', pacts: [{ file: pact.file, touches: [{ interaction: 'one call', how: 'reads response header X-Thing (status 201)' }] }] };
    expect([...predictedItems([change], new Map([[change, impact]]), pact).items]).toEqual(['rev-users.create: response-header-removed at response 201 header X-Thing']);
  });
});
