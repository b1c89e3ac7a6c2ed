import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunContext, type Fixtures, type RunContext } from '../../core/run-context.ts';
import type { TargetKind } from '../../core/target.ts';
import type { Counterexample } from '../../properties/index.ts';
import type { PillarResult } from '../../core/results.ts';

/** A quiet run context against a provider on this machine, with its own output folder. */
export const contextFor = (url: string, kind: TargetKind = 'simulator', fixtures: Fixtures = {}): RunContext =>
  createRunContext({
    target: { url, kind },
    token: 'property-selftest-token',
    outDir: mkdtempSync(join(tmpdir(), 'dg-props-')),
    quiet: true,
    fixtures,
  });

export const checkOf = (r: PillarResult, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};

export const counterexamplesOf = (r: PillarResult): Counterexample[] =>
  ((r.data ?? {}) as { counterexamples?: Counterexample[] }).counterexamples ?? [];

export const bodyOf = (x: Counterexample): Record<string, unknown> =>
  (x.case as { body: Record<string, unknown> }).body;
