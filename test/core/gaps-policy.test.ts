import { describe, expect, it } from 'vitest';
import { type CheckResult, gapsOf, incompleteness, type PillarResult } from '../../core/results.ts';
import { fixedWindowOnly, loadCheck } from '../../load/result.ts';

// What --require complete counts: gaps the user can close, not what cannot apply by design.
const check = (outcome: CheckResult['outcome'], extra: Partial<CheckResult> = {}): CheckResult => ({
  id: `c.${outcome}.${Math.random()}`,
  pillar: 'drift',
  name: 'a check',
  endpoint: 'rev-users.create',
  outcome,
  durationMs: 0,
  findings: [],
  ...extra,
});
const pillar = (checks: CheckResult[]): PillarResult =>
  ({ pillar: 'drift', startedAt: new Date(0).toISOString(), durationMs: 0, requestsSent: 0, checks }) as PillarResult;

describe('the gaps --require complete counts', () => {
  it('counts a skip for a missing fixture, an inconclusive check and a record the cleanup could not remove', () => {
    const r = {
      pillars: [pillar([check('pass'), check('skipped', { reason: 'needs tenant fixtures: revOrg' }), check('inconclusive')])],
      records: { remaining: 1, left: [{ endpoint: 'rev-users.create', id: 'REVU-1', why: 'cleanup failed: 500' }] },
    };
    expect(gapsOf(r)).toEqual({ skipped: 1, inconclusive: 1, recordsLeft: 1 });
    expect(incompleteness({ ...r, require: 'complete' })).toBe('incomplete: 1 skipped, 1 inconclusive, 1 record left');
    expect(incompleteness({ ...r, require: 'none' })).toBeNull();
  });

  it('does not count a skip by design or a dev user deactivated for want of a documented delete', () => {
    const r = {
      pillars: [pillar([check('pass'), check('skipped', { reason: "needs the simulator's setup routes", notApplicable: true })])],
      records: { remaining: 1, left: [{ endpoint: 'dev-users.create', id: 'DEVU-1', why: 'no documented delete', deactivated: true as const }] },
    };
    expect(gapsOf(r)).toEqual({ skipped: 0, inconclusive: 0, recordsLeft: 0 });
    expect(incompleteness({ ...r, require: 'complete' })).toBeNull();
  });

  it('a fixed-window check on a limiter found to be a bucket cannot apply; with no algorithm found it is a gap', () => {
    const onBucket = loadCheck('load.x', 'x', [], { undecided: fixedWindowOnly('token_bucket', 'the capacity phase found token_bucket') });
    expect(onBucket).toMatchObject({ outcome: 'skipped', notApplicable: true });
    const unknown = loadCheck('load.x', 'x', [], { undecided: fixedWindowOnly(null, 'the estimator found no algorithm') });
    expect(unknown.outcome).toBe('skipped');
    expect(unknown.notApplicable).toBeUndefined();
  });
});
