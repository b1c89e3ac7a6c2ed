import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContracts } from '../../contracts/pact/index.ts';
import { interactions } from '../../contracts/pact/interactions.ts';
import { fixtureStates, simulatorStates } from '../../contracts/pact/states.ts';
import { endpointModels } from '../../api-model/endpoints/index.ts';
import { createRunContext } from '../../core/run-context.ts';
import type { PillarResult } from '../../core/results.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { DELETE_HEADER, type Mutate, startDriftProxy } from '../support/drift-proxy.ts';

const TOKEN = 'verify-test-token';
let sim: RunningSimulator;
const dir = mkdtempSync(join(tmpdir(), 'dg-verify-'));
beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const verifyThrough = async (mutate: Mutate): Promise<PillarResult> => {
  const proxy = await startDriftProxy(sim.url, mutate);
  try {
    const ctx = createRunContext({ target: { url: proxy.url, kind: 'loopback' }, token: TOKEN, outDir: dir });
    return await runContracts(ctx, { pactDir: join(dir, 'pacts'), states: simulatorStates(sim.url) });
  } finally {
    await proxy.close();
  }
};

/** The interactions of an endpoint with a status, as the model makes them. */
const described = (endpoint: string, status: number) =>
  interactions()
    .filter((i) => i.endpoint.name === endpoint && i.status === status)
    .map((i) => i.description)
    .sort();

const failing = (p: PillarResult) => p.checks.filter((c) => c.outcome === 'fail');
const findingsOf = (p: PillarResult) => p.checks.flatMap((c) => c.findings);

describe('provider verification', () => {
  it('passes against the embedded simulator, every interaction verified and none skipped', async () => {
    const ctx = createRunContext({ target: { url: sim.url, kind: 'simulator' }, token: TOKEN, outDir: dir });
    const p = await runContracts(ctx, { pactDir: join(dir, 'pacts') });
    expect(failing(p)).toEqual([]);
    // One check per interaction and the consumer's; one request per interaction.
    expect(p.checks.filter((c) => c.outcome === 'pass')).toHaveLength(interactions().length + 1);
    expect(p.requestsSent).toBe(interactions().length);
  });

  it('notes every user it creates on a target that is not the embedded simulator, for cleanup', async () => {
    const ctx = createRunContext({ target: { url: sim.url, kind: 'loopback' }, token: TOKEN, outDir: dir });
    const p = await runContracts(ctx, { pactDir: join(dir, 'pacts'), states: simulatorStates(sim.url) });
    expect(failing(p)).toEqual([]);
    // The real token reached the provider: the 201s were created under it and noted for cleanup.
    expect(ctx.ledger.all().filter((e) => e.event === 'created').length).toBe(interactions().filter((i) => i.status === 201).length);
  });

  it('fails naming /rev_user/id when the provider drops the id', async () => {
    const p = await verifyThrough((x) => {
      const body = x.body as { rev_user?: Record<string, unknown> } | undefined;
      if (x.status !== 201 || !body?.rev_user) return undefined;
      const { id: _drop, ...rest } = body.rev_user;
      return { body: { rev_user: rest } };
    });
    const f = findingsOf(p);
    expect(failing(p).map((c) => c.name).sort()).toEqual(described('rev-users.create', 201));
    expect(f.every((x) => x.pointer === '/rev_user/id' && x.expected === 'present' && x.actual === 'absent')).toBe(true);
    expect(f[0]?.message).toContain('rev-users.create 201');
  });

  it('fails naming the envelope when the provider renames dev_user to user', async () => {
    const p = await verifyThrough((x) => {
      const body = x.body as { dev_user?: unknown } | undefined;
      return x.status === 201 && body?.dev_user ? { body: { user: body.dev_user } } : undefined;
    });
    expect(failing(p).map((c) => c.name).sort()).toEqual(described('dev-users.create', 201));
    expect(findingsOf(p).map((x) => x.pointer)).toContain('/dev_user');
  });

  it('fails naming the Retry-After header when a 429 comes without it', async () => {
    const p = await verifyThrough((x) => (x.status === 429 ? { headers: { 'retry-after': DELETE_HEADER } } : undefined));
    expect(failing(p).map((c) => c.name).sort()).toEqual(interactions().filter((i) => i.status === 429).map((i) => i.description).sort());
    expect(failing(p)).toHaveLength(endpointModels().length);
    for (const f of findingsOf(p)) {
      expect(f.pointer).toBe('/headers/retry-after');
      expect(f.status).toBe(429);
    }
  });

  it('reports interactions whose state the target cannot set as skipped, by name, and still verifies the rest', async () => {
    // A loopback target with no setup hook and no fixtures: only the fresh-name states can be set.
    const ctx = createRunContext({ target: { url: sim.url, kind: 'loopback' }, token: TOKEN, outDir: dir });
    const p = await runContracts(ctx, { pactDir: join(dir, 'pacts'), states: fixtureStates() });
    const skipped = p.checks.filter((c) => c.outcome === 'skipped');
    expect(skipped.map((c) => c.name)).toContain('rev-users.create 409 for a taken external_ref');
    expect(skipped.map((c) => c.name)).toContain('dev-users.create 201 full request');
    expect(skipped.find((c) => c.name.includes('403'))?.reason).toContain('"the caller is read-only"');
    // The reason names the config file init writes, where the user adds the fixtures.
    expect(skipped.find((c) => c.name === 'dev-users.create 201 full request')?.reason).toContain(
      'fixtures from devrev-gate.config.yaml',
    );
    expect(p.checks.find((c) => c.name === 'rev-users.create 201 minimal request')?.outcome).toBe('pass');
    expect(failing(p)).toEqual([]);
  });
});
