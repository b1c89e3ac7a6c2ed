import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatePillar, isRealTarget } from '../../api-model/gate.ts';
import { LOAD_RULES } from '../../api-model/rulebook/load.ts';
import type { TargetKind } from '../../core/target.ts';
import { createRunContext } from '../../core/run-context.ts';
import { validateLoadOptions } from '../../load/options.ts';
import { probeResult } from '../../load/probe.ts';
import type { Observation } from '../../load/observe.ts';

// The probe's findings keep the rule book's severity; the cap of an `assumed` finding on a
// real target comes from the run's target alone (the gate), as for every other pillar.

const answers: Observation[] = [
  { sentMs: 1000, recvMs: 1010, status: 201, headers: {} },
  { sentMs: 1020, recvMs: 1030, status: 503, headers: {} },
];

const probeOn = (kind: TargetKind) => {
  const ctx = createRunContext({ target: { url: 'http://127.0.0.1:9', kind }, token: 'tok-cap', outDir: mkdtempSync(join(tmpdir(), 'dg-cap-')), quiet: true });
  const result = probeResult(ctx, validateLoadOptions({}), answers, { startMs: 1000, endMs: 1030 });
  const gated = gatePillar(result, { failOn: 'error', ignore: null, realTarget: isRealTarget(ctx.target), now: Date.now() });
  const severity = (p: typeof result) => p.checks.flatMap((c) => c.findings).find((f) => f.ruleId === 'overload-5xx')?.severity;
  return { found: severity(result), gated: severity(gated) };
};

describe('an assumed probe finding on a real target', () => {
  it('is found at the rule book severity and capped at warning by the gate on a real target only', () => {
    expect(LOAD_RULES['overload-5xx']).toMatchObject({ severity: 'error', basis: 'assumed' });
    expect(probeOn('simulator')).toEqual({ found: 'error', gated: 'error' });
    expect(probeOn('loopback')).toEqual({ found: 'error', gated: 'warning' });
    expect(probeOn('remote')).toEqual({ found: 'error', gated: 'warning' });
  });
});
