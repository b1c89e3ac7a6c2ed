import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { REPORT_FILES, writeReports } from '../../reports/index.ts';
import { buildSummary, renderSummarySchema, type Summary } from '../../reports/summary.ts';
import { NASTY, NASTY_POINTER, passingResults, syntheticResults } from './fixture.ts';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const SCHEMA_FILE = resolve(import.meta.dirname, '../../reports/summary.schema.json');

// The shipped file, not the TypeBox object: what a CI consumer would validate with.
const shippedValidator = () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv, ['date-time']);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
};

const written = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-summary-'));
  await writeReports(syntheticResults(), dir);
  return JSON.parse(readFileSync(join(dir, REPORT_FILES.summary), 'utf8')) as Summary;
};

describe('summary.json', () => {
  it('ships a schema file identical to the one generated from the TypeBox definitions', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8'), 'run npm run schema:summary').toBe(renderSummarySchema());
  });

  it('written from a realistic run, validates against the shipped schema', async () => {
    const validate = shippedValidator();
    const summary = await written();
    expect(validate(summary), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(buildSummary(passingResults())), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the shipped schema rejects a summary that lost a finding field or gained an unknown one', async () => {
    const validate = shippedValidator();
    const summary = await written();
    const noPointer = structuredClone(summary) as unknown as { findings: Array<Record<string, unknown>> };
    delete noPointer.findings[0]!['pointer'];
    expect(validate(noPointer)).toBe(false);
    const badVerdict = { ...summary, verdict: 'maybe' };
    expect(validate(badVerdict)).toBe(false);
    const extra = { ...summary, surprise: 1 };
    expect(validate(extra)).toBe(false);
  });

  it('holds the verdict, target, pinned snapshot and counts that add up per pillar and in total', async () => {
    const s = await written();
    expect(s.verdict).toBe('fail');
    expect(s.target).toEqual({ url: 'http://127.0.0.1:8080', kind: 'simulator' });
    expect(s.pinned.commit).toBe('7da689d');
    expect(s.requests).toEqual({ sent: 14 + 25 + 510 + 490, budget: 5000 });
    expect(s.records).toEqual({ created: 212, removed: 212, remaining: 0 });
    expect(s.pillars.map((p) => p.pillar)).toEqual(['contracts', 'drift', 'properties', 'load']);
    const drift = s.pillars.find((p) => p.pillar === 'drift')!;
    expect(drift.checks).toEqual({ pass: 1, fail: 1, skipped: 1, inconclusive: 1, total: 4 });
    expect(drift.findings).toEqual({ error: 2, warning: 1, info: 0, ignored: 1, total: 4 });
    expect(drift.durationMs).toBe(512);
    expect(s.totals.checks.total).toBe(4 + 4 + 2 + 2);
    expect(s.totals.checks.fail).toBe(1);
    expect(s.totals.findings.total).toBe(s.findings.length);
  });

  it('lists every finding with rule, severity, endpoint, status, pointer, expected, actual and reproduction', async () => {
    const s = await written();
    expect(s.findings).toHaveLength(4);
    // Gating findings first, ignored last.
    expect(s.findings.map((f) => f.ruleId)).toEqual([
      'response.required-missing',
      'response.type-changed',
      'headers.ratelimit-missing',
      'response.additional-property',
    ]);
    const typeChanged = s.findings[1]!;
    expect(typeChanged).toMatchObject({
      severity: 'error',
      endpoint: 'rev-users.create',
      status: 201,
      pointer: NASTY_POINTER,
      expected: { type: 'string' },
      actual: `${NASTY.pipes} ${NASTY.quotes}`,
      checkName: 'rev-users.create minimal-create → 201',
    });
    expect(typeChanged.reproduction).toContain(NASTY.cdata);
    // A rule with no value on one side still carries the key, as null.
    expect(s.findings[2]).toHaveProperty('expected', null);
    expect(s.findings[3]!.ignored).toEqual({ reason: `known legacy field ${NASTY.pipes}`, expires: '2027-01-31' });
  });
});
