import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatePillar } from '../../api-model/gate.ts';
import { parseIgnore } from '../../api-model/ignore.ts';
import { runContracts } from '../../contracts/pact/index.ts';
import { simulatorStates } from '../../contracts/pact/states.ts';
import type { PillarResult } from '../../core/results.ts';
import { createRunContext } from '../../core/run-context.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { startMutatingProxy } from '../support/mutating-proxy.ts';

/**
 * The contracts pillar against a provider that lost dev-users.create (a proxy answers 404
 * for it, the simulator the rest), gated with ignore files as a team writes them. An entry
 * naming the status it accepts never silences a finding with another status.
 */
const dir = mkdtempSync(join(tmpdir(), 'dg-ignore-status-'));
let sim: RunningSimulator;
let pillar: PillarResult;

beforeAll(async () => {
  sim = await startSimulator({});
  const proxy = await startMutatingProxy(
    sim.url,
    () => undefined,
    (r) => (r.path.endsWith('/dev-users.create') ? { status: 404, body: { type: 'not_found', message: 'route not found' } } : undefined),
  );
  try {
    const ctx = createRunContext({ target: { url: proxy.url, kind: 'loopback' }, token: 'ignore-status-token', outDir: dir, quiet: true });
    pillar = await runContracts(ctx, { pactDir: join(dir, 'pacts'), states: simulatorStates(sim.url) });
  } finally {
    await proxy.close();
  }
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const gate = (yaml: string) =>
  gatePillar(pillar, { failOn: 'error', ignore: parseIgnore(yaml, 'devrev-gate.ignore.yaml'), realTarget: true, now: Date.now() });
const statusFindings = (p: PillarResult) => p.checks.flatMap((c) => c.findings).filter((f) => f.ruleId === 'pact-status' && f.endpoint === 'dev-users.create');

describe('ignore entries against a provider without dev-users.create', () => {
  it('finds every dev-users.create interaction answered 404', () => {
    const found = statusFindings(pillar);
    expect(found.length).toBeGreaterThanOrEqual(8);
    expect(new Set(found.map((f) => f.actual))).toEqual(new Set([404]));
    expect(new Set(found.map((f) => f.caseId)).size).toBe(found.length);
  });

  it('an entry for a known 422 on one case silences none of the 404s; one naming 404 and a case silences exactly that one', () => {
    const known = gate('- rule: pact-status\n  endpoint: dev-users.create\n  path: /status\n  case: dev-users.create 400 for a state other than shadow\n  actual: 422\n  reason: DEV-40\n');
    expect(statusFindings(known).filter((f) => f.ignored)).toEqual([]);
    const outcomes = (p: PillarResult) => p.checks.map((c) => [c.id, c.outcome]);
    expect(outcomes(known)).toEqual(outcomes(gate('[]')));

    const one = gate('- rule: pact-status\n  path: /status\n  case: dev-users.create 201 minimal request\n  actual: 404\n  reason: DEV-41\n');
    expect(statusFindings(one).filter((f) => f.ignored).map((f) => f.caseId)).toEqual(['dev-users.create 201 minimal request']);
    expect(one.checks.find((c) => c.name === 'dev-users.create 201 minimal request')?.outcome).toBe('pass');
    expect(one.checks.find((c) => c.name === 'dev-users.create 201 full request')?.outcome).toBe('fail');

    // The coarse form names no status, so it accepts every status at /status: the README shows the narrow form first.
    const coarse = gate('- rule: pact-status\n  endpoint: dev-users.create\n  path: /status\n  reason: DEV-42\n');
    expect(statusFindings(coarse).every((f) => f.ignored)).toBe(true);
  });
});
