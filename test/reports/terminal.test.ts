import { describe, expect, it } from 'vitest';
import { renderFindingsTable, renderVerdictLine } from '../../reports/terminal.ts';
import { cleanPassResults, everyPillarResults, passingResults, syntheticResults } from './fixture.ts';

describe('the verdict line at the end of a run', () => {
  it('says why the run failed: which pillar failed checks and how many findings of each severity', () => {
    const line = renderVerdictLine(syntheticResults());
    expect(line).toMatch(/^verdict: FAIL in 18\.4 s · /);
    expect(line).toContain('drift 1 passed, 1 failed, 1 skipped, 1 inconclusive');
    expect(line).toContain('contracts 4 passed;');
    expect(line).toContain('2 errors, 1 warning, 0 info, 1 ignored');
    expect(line).not.toContain('\n');
  });

  it('says PASS, PASS with gaps for a pass that left checks undone, and marks a run that was cut short', () => {
    expect(renderVerdictLine(cleanPassResults())).toMatch(/^verdict: PASS in /);
    expect(renderVerdictLine(passingResults())).toMatch(/^verdict: PASS with gaps \(1 skipped, 1 inconclusive\) in /);
    expect(renderVerdictLine({ ...passingResults(), interrupted: true, outcome: 'interrupted', verdict: 'fail' })).toMatch(/^verdict: INTERRUPTED in /);
  });
});

describe("the gate's findings table", () => {
  it('lists every pillar\'s findings, gating first, with the case, the whole-body pointer by name, and what did not run', () => {
    const lines = renderFindingsTable(everyPillarResults()).trimEnd().split('\n');
    expect(lines[0]).toBe('findings: 5 errors, 1 warning, 0 info, 2 ignored');
    expect(lines[1]).toMatch(/^SEVERITY +PILLAR +CASE +ENDPOINT +STATUS +RULE +POINTER$/);
    const rows = lines.slice(2, 2 + 8);
    expect(new Set(rows.map((r) => r.split(/\s{2,}/)[1]))).toEqual(new Set(['contracts', 'drift', 'properties', 'load']));
    expect(rows.at(-1)).toMatch(/^(error|warning|info) \(ignored\)/);
    expect(rows.find((r) => r.includes('properties.never-5xx.status'))).toMatch(/raw-bytes .* \(whole body\)$/);
    expect(lines).toContain('skipped: drift rev-users.create throttled → 429: needs the simulator\'s throttle route & a "real" target has none');
    expect(lines.join('\n')).not.toMatch(/[\u0000-\u0009\u000B-\u001F]/);
  });

  it('says there is nothing to show when there is nothing', () => {
    const r = passingResults();
    r.pillars = r.pillars.filter((p) => p.pillar !== 'drift');
    expect(renderFindingsTable(r)).toBe('findings: none\n');
  });

  it('does not say "findings: none" as if the target was checked when the run stopped before any check', () => {
    const r = passingResults();
    r.pillars = [];
    expect(renderFindingsTable(r)).toBe('findings: none: no check ran to a verdict\n');
  });
});
