import { type Static, type TSchema, Type } from '@sinclair/typebox';
import {
  Finding,
  OUTCOMES,
  type OutcomeName,
  Pillar,
  type PillarResult,
  RunResults,
  SEVERITIES,
  type SeverityName,
} from '../core/results.ts';
import { notRun, outcomeView } from './outcome.ts';

/**
 * summary.json: the verdict and every finding of one run, flat enough for a CI step to
 * read with jq. Its shape is defined once, here, from the results model's own types; the
 * JSON Schema shipped in reports/summary.schema.json is generated from it
 * (`npm run schema:summary`), never written by hand.
 */

export const SUMMARY_SCHEMA_VERSION = 1;
export const SUMMARY_SCHEMA_ID = 'https://github.com/devrev-gate/devrev-gate/reports/summary.schema.json';

const count = () => Type.Integer({ minimum: 0 });

export const CheckCounts = Type.Object(
  { ...Object.fromEntries(OUTCOMES.map((o) => [o, count()])), total: count() } as Record<OutcomeName | 'total', ReturnType<typeof count>>,
  { additionalProperties: false, description: 'checks by outcome' },
);

export const FindingCounts = Type.Object(
  {
    ...Object.fromEntries(SEVERITIES.map((s) => [s, count()])),
    ignored: count(),
    total: count(),
  } as Record<SeverityName | 'ignored' | 'total', ReturnType<typeof count>>,
  {
    additionalProperties: false,
    description: 'findings by severity; ignored findings (an ignore file listed them) are counted only under "ignored"',
  },
);

const { expected: _e, actual: _a, ...findingProps } = Finding.properties;

/** A finding as the summary lists it: the model's Finding, with the check's name beside it. */
export const SummaryFinding = Type.Object(
  {
    ...findingProps,
    checkName: Type.String(),
    pointer: Type.String({ description: "RFC 6901 JSON pointer (the issue's \"path\") into the answer or request" }),
    expected: Type.Unknown({ description: 'what the docs say; null when the rule states no value' }),
    actual: Type.Unknown({ description: 'what the target did; null when there is no single value' }),
  },
  { additionalProperties: false, title: 'summary-finding' },
);

export const PillarSummary = Type.Object(
  {
    pillar: Pillar,
    startedAt: Type.String({ format: 'date-time' }),
    durationMs: Type.Number({ minimum: 0 }),
    requestsSent: count(),
    checks: CheckCounts,
    findings: FindingCounts,
  },
  { additionalProperties: false },
);

const R = RunResults.properties;

export const NotRunEntry = Type.Object(
  {
    pillar: Pillar,
    checkId: Type.String(),
    name: Type.String(),
    endpoint: Type.String(),
    outcome: Type.Union([Type.Literal('skipped'), Type.Literal('inconclusive')]),
    reason: Type.String(),
  },
  { additionalProperties: false, title: 'not-run' },
);

export const Summary = Type.Object(
  {
    summaryVersion: Type.Literal(SUMMARY_SCHEMA_VERSION),
    tool: R.tool,
    runId: R.runId,
    outcome: R.outcome,
    exitCode: Type.Integer({ description: 'the exit code of the run: 0 passed, 1 failed, 2 setup error, 3 tool fault, 130 interrupted' }),
    verdict: R.verdict,
    interrupted: R.interrupted,
    error: R.error,
    failOn: R.failOn,
    require: R.require,
    gaps: Type.Object(
      { skipped: count(), inconclusive: count(), recordsLeft: count() },
      { additionalProperties: false, description: 'what did not run to a verdict: checks skipped or inconclusive, records left on the target' },
    ),
    incomplete: Type.Optional(Type.String({ description: 'why --require complete failed the run' })),
    notRun: Type.Array(NotRunEntry, { description: 'every skipped or inconclusive check, with its reason' }),
    target: R.target,
    pinned: R.pinned,
    startedAt: R.startedAt,
    durationMs: R.durationMs,
    requests: R.requests,
    records: R.records,
    totals: Type.Object({ checks: CheckCounts, findings: FindingCounts }, { additionalProperties: false }),
    pillars: Type.Array(PillarSummary),
    findings: Type.Array(SummaryFinding),
  },
  { additionalProperties: false, title: 'devrev-gate-summary' },
);
export type Summary = Static<typeof Summary>;
export type SummaryFinding = Static<typeof SummaryFinding>;

/** The JSON Schema file's exact text: TypeBox's schema with its symbols dropped. */
export const renderSummarySchema = (): string => {
  const schema: TSchema = { $schema: 'http://json-schema.org/draft-07/schema#', $id: SUMMARY_SCHEMA_ID, ...Summary };
  return `${JSON.stringify(schema, null, 2)}\n`;
};

const zeroChecks = () => ({ pass: 0, fail: 0, skipped: 0, inconclusive: 0, total: 0 });
const zeroFindings = () => ({ error: 0, warning: 0, info: 0, ignored: 0, total: 0 });

const countPillar = (p: PillarResult) => {
  const checks = zeroChecks();
  const findings = zeroFindings();
  for (const c of p.checks) {
    checks[c.outcome]++;
    checks.total++;
    for (const f of c.findings) {
      if (f.ignored) findings.ignored++;
      else findings[f.severity]++;
      findings.total++;
    }
  }
  return { checks, findings };
};

const addInto = <T extends Record<string, number>>(into: T, from: T) => {
  for (const k of Object.keys(from) as Array<keyof T>) (into[k] as number) += from[k] as number;
};

const severityOrder: Record<SeverityName, number> = { error: 0, warning: 1, info: 2 };

/** Findings in the order a reader wants them: gating first, then by severity, pillar, check. */
export const orderedFindings = (results: RunResults): SummaryFinding[] => {
  const all = results.pillars.flatMap((p) =>
    p.checks.flatMap((c) =>
      c.findings.map(
        (f): SummaryFinding => ({
          ...f,
          checkName: c.name,
          expected: f.expected === undefined ? null : f.expected,
          actual: f.actual === undefined ? null : f.actual,
        }),
      ),
    ),
  );
  return all
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        Number(Boolean(a.f.ignored)) - Number(Boolean(b.f.ignored)) ||
        severityOrder[a.f.severity] - severityOrder[b.f.severity] ||
        a.i - b.i,
    )
    .map((x) => x.f);
};

/** The case (catalogue case, generated class, probe phase) that produced a finding; its check when the pillar names none. */
export { caseOf } from '../core/finding-id.ts';

export const buildSummary = (results: RunResults): Summary => {
  const view = outcomeView(results);
  const totals = { checks: zeroChecks(), findings: zeroFindings() };
  const pillars = results.pillars.map((p) => {
    const counts = countPillar(p);
    addInto(totals.checks, counts.checks);
    addInto(totals.findings, counts.findings);
    return { pillar: p.pillar, startedAt: p.startedAt, durationMs: p.durationMs, requestsSent: p.requestsSent, ...counts };
  });
  return {
    summaryVersion: SUMMARY_SCHEMA_VERSION,
    tool: results.tool,
    runId: results.runId,
    outcome: view.outcome,
    exitCode: view.exitCode,
    verdict: results.verdict,
    interrupted: results.interrupted,
    ...(results.error ? { error: results.error } : {}),
    failOn: results.failOn,
    require: results.require,
    gaps: view.gaps,
    ...(view.incomplete ? { incomplete: view.incomplete } : {}),
    notRun: notRun(results),
    target: results.target,
    pinned: results.pinned,
    startedAt: results.startedAt,
    durationMs: results.durationMs,
    requests: results.requests,
    records: results.records,
    totals,
    pillars,
    findings: orderedFindings(results),
  };
};

export const renderSummaryJson = (results: RunResults): string => `${JSON.stringify(buildSummary(results), null, 2)}\n`;
