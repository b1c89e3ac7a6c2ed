import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { schema as CTRF_SCHEMA, validate as ctrfValidate } from 'ctrf';
import { describe, expect, it } from 'vitest';
import { buildCtrf, renderCtrf } from '../../reports/ctrf.ts';
import { everyPillarResults } from './fixture.ts';

// CTRF's published schema, as the reference implementation (the `ctrf` package) ships it.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const validator = () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(CTRF_SCHEMA);
};

describe('ctrf.json', () => {
  it("validates against CTRF's published schema for a run with findings of every pillar, ignored ones included", () => {
    const validate = validator();
    const doc = JSON.parse(renderCtrf(everyPillarResults())) as Record<string, unknown>;
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(ctrfValidate(doc as never).valid).toBe(true);
    // The schema refuses what is not CTRF: the check above can fail.
    expect(validate({ ...doc, reportFormat: 'JUnit' })).toBe(false);
  });

  it('lists every check as a test with its status, duration and message, and counts that add up', () => {
    const results = everyPillarResults();
    const checks = results.pillars.flatMap((p) => p.checks);
    const doc = buildCtrf(results);
    const tests = doc.results.tests;
    // One test per check, then the run's own outcome (a failed run here).
    expect(tests).toHaveLength(checks.length + 1);
    expect(tests.at(-1)).toMatchObject({ name: 'run outcome: FAIL', status: 'failed', rawStatus: 'failed', suite: ['devrev-gate', 'run'] });
    const s = doc.results.summary;
    expect(s.tests).toBe(checks.length + 1);
    expect(s.passed + s.failed + s.skipped + s.pending + s.other).toBe(s.tests);
    expect(s.failed).toBe(checks.filter((c) => c.outcome === 'fail').length + 1);
    expect(s.skipped).toBe(checks.filter((c) => c.outcome === 'skipped').length);
    expect(s.other).toBe(checks.filter((c) => c.outcome === 'inconclusive').length);
    const inconclusive = tests.find((t) => t.rawStatus === 'inconclusive')!;
    expect(inconclusive.status).toBe('other');
    expect(inconclusive.message).toContain('429 after 3 retries');
    const failed = tests.find((t) => t.extra.checkId === 'drift.rev-users.create.minimal-create')!;
    expect(failed.status).toBe('failed');
    expect(failed.message).toMatch(/^3 finding\(s\): rev_user\.id is missing/);
    expect(failed.trace).toContain('ignored: known legacy field');
    expect(failed.trace).toContain('response.type-changed');
    expect(failed.duration).toBe(13);
    expect(failed.suite).toEqual(['devrev-gate', 'drift']);
  });

  it('sets retries and flaky only where a check ran part of itself again', () => {
    const doc = buildCtrf(everyPillarResults());
    const consumer = doc.results.tests.find((t) => t.extra.checkId === 'contracts.consumer')!;
    expect(consumer.retries).toBe(1);
    expect(consumer.flaky).toBe(true);
    expect(doc.results.summary.flaky).toBe(1);
    expect(doc.results.tests.filter((t) => t.retries !== undefined)).toHaveLength(1);
  });

  it('writes the same report id for the same run, so report --from reproduces the file', () => {
    expect(renderCtrf(everyPillarResults())).toBe(renderCtrf(everyPillarResults()));
    expect(buildCtrf(everyPillarResults()).reportId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
