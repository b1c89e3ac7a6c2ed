import { describe, expect, it } from 'vitest';
import { renderVerdictLine } from '../../reports/terminal.ts';
import { passingResults, syntheticResults } from './fixture.ts';

describe('the verdict line at the end of a run', () => {
  it('says why the run failed: which pillar failed checks and how many findings of each severity', () => {
    const line = renderVerdictLine(syntheticResults());
    expect(line).toMatch(/^verdict: FAIL in 18\.4 s · /);
    expect(line).toContain('drift 1 passed, 1 failed, 1 skipped, 1 inconclusive');
    expect(line).toContain('contracts 4 passed;');
    expect(line).toContain('2 errors, 1 warning, 0 info, 1 ignored');
    expect(line).not.toContain('\n');
  });

  it('says PASS, and marks a run that was cut short', () => {
    expect(renderVerdictLine(passingResults())).toMatch(/^verdict: PASS in /);
    expect(renderVerdictLine({ ...passingResults(), interrupted: true, verdict: 'fail' })).toMatch(/^verdict: FAIL \(interrupted\)/);
  });
});
