import { createHash } from 'node:crypto';
import { type CheckResult, type FailOnName, type Finding, gates, IMPACT_GROUP_TITLES, type OutcomeName, type PillarResult, type RunResults } from '../core/results.ts';
import { pointerLabel } from '../core/pointer.ts';
import { type OutcomeView, outcomeView } from './outcome.ts';
import { caseOf } from './summary.ts';
import { valueText } from './text.ts';

/**
 * ctrf.json, the Common Test Report Format (spec 0.0.x) that GitHub summary actions and
 * other CTRF readers take: every check is one test, with its status, duration, message,
 * the findings as its trace, and the retries/flaky fields where a check ran part of itself
 * again. An inconclusive check is "other" (its rawStatus says which).
 */

export const CTRF_SPEC_VERSION = '0.0.0';

const STATUS: Record<OutcomeName, 'passed' | 'failed' | 'skipped' | 'other'> = {
  pass: 'passed',
  fail: 'failed',
  skipped: 'skipped',
  inconclusive: 'other',
};

/** A UUID (version 5 layout) derived from `name`: `report --from` writes the same document again. */
const uuidOf = (name: string): string => {
  const h = createHash('sha256').update(name).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

const findingLine = (f: Finding) =>
  `${f.ignored ? `${f.severity} (ignored: ${f.ignored.reason}${f.ignored.expires ? `, until ${f.ignored.expires}` : ''})` : f.severity} ${f.ruleId} ` +
  `[${caseOf(f)}] ${f.endpoint} ${f.status ?? 'no answer'} ${pointerLabel(f.pointer)}: ${f.message}` +
  (f.expected !== undefined || f.actual !== undefined ? ` (expected ${valueText(f.expected)}; actual ${valueText(f.actual)})` : '') +
  (f.impact ? ` [${IMPACT_GROUP_TITLES[f.impact.group]}]` : '');

const messageOf = (c: CheckResult, failOn: FailOnName): string | undefined => {
  if (c.outcome === 'fail') {
    const first = c.findings.find((f) => gates(f, failOn)) ?? c.findings.find((f) => !f.ignored) ?? c.findings[0];
    return first ? `${c.findings.length} finding(s): ${first.message}` : (c.reason ?? 'check failed');
  }
  if (c.outcome === 'skipped' || c.outcome === 'inconclusive') return c.reason ?? c.outcome;
  return c.findings.length > 0 ? `${c.findings.length} finding(s) that --fail-on does not fail on, or ignored` : undefined;
};

/** One CTRF test, as this writer fills it. */
interface CtrfTest {
  name: string;
  status: 'passed' | 'failed' | 'skipped' | 'other';
  duration: number;
  start: number;
  stop: number;
  suite: string[];
  message?: string;
  trace?: string;
  rawStatus: string;
  tags: string[];
  type: string;
  retries?: number;
  flaky?: boolean;
  extra: { checkId: string; findings: unknown[]; [key: string]: unknown };
}

const testOf = (p: PillarResult, c: CheckResult, start: number, failOn: FailOnName): CtrfTest => {
  const message = messageOf(c, failOn);
  return {
    name: c.name.includes(c.endpoint) ? c.name : `${c.name} [${c.endpoint}]`,
    status: STATUS[c.outcome],
    duration: Math.round(Math.max(0, c.durationMs)),
    start,
    stop: start + Math.round(Math.max(0, c.durationMs)),
    suite: ['devrev-gate', p.pillar],
    ...(message ? { message } : {}),
    ...(c.findings.length > 0 ? { trace: c.findings.map(findingLine).join('\n') } : {}),
    rawStatus: c.outcome,
    tags: [p.pillar, c.endpoint],
    type: p.pillar === 'contracts' ? 'contract' : p.pillar,
    ...(c.retries !== undefined ? { retries: c.retries, flaky: c.retries > 0 && c.outcome === 'pass' } : {}),
    extra: {
      checkId: c.id,
      findings: c.findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        basis: f.basis,
        case: caseOf(f),
        status: f.status,
        pointer: f.pointer,
        ...(f.ignored ? { ignored: f.ignored } : {}),
        ...(f.impact ? { impact: f.impact.group } : {}),
      })),
    },
  };
};

/** The run itself as the last test: its status is the run's outcome (rawStatus names it). */
const runTest = (results: RunResults, view: OutcomeView): CtrfTest => {
  const start = Date.parse(results.startedAt);
  const duration = Math.round(results.durationMs);
  return {
    name: `run outcome: ${view.headline}`,
    status: view.outcome === 'passed' ? 'passed' : 'failed',
    duration,
    start,
    stop: start + duration,
    suite: ['devrev-gate', 'run'],
    message: view.why,
    rawStatus: view.outcome,
    tags: ['run'],
    type: 'run',
    extra: { checkId: 'run.outcome', exitCode: view.exitCode, gaps: view.gaps, findings: [] },
  };
};

export const buildCtrf = (results: RunResults) => {
  const start = Date.parse(results.startedAt);
  const stop = start + Math.round(results.durationMs);
  const view = outcomeView(results);
  const tests = [...results.pillars.flatMap((p) => p.checks.map((c) => testOf(p, c, Date.parse(p.startedAt), results.failOn))), runTest(results, view)];
  const count = (status: string) => tests.filter((t) => t.status === status).length;
  return {
    reportFormat: 'CTRF' as const,
    specVersion: CTRF_SPEC_VERSION,
    reportId: uuidOf(`devrev-gate ${results.runId}`),
    runId: results.runId,
    timestamp: new Date(stop).toISOString(),
    generatedBy: `${results.tool.name} ${results.tool.version}`,
    results: {
      tool: { name: results.tool.name, version: results.tool.version },
      summary: {
        tests: tests.length,
        passed: count('passed'),
        failed: count('failed'),
        skipped: count('skipped'),
        pending: 0,
        other: count('other'),
        flaky: tests.filter((t) => t.flaky === true).length,
        suites: results.pillars.length,
        start,
        stop,
        duration: Math.round(results.durationMs),
      },
      tests,
      environment: {
        reportName: `devrev-gate ${results.runId}`,
        testEnvironment: results.target.kind,
        healthy: view.executionSuccessful,
        extra: { target: results.target.url },
      },
      extra: {
        outcome: view.outcome,
        exitCode: view.exitCode,
        verdict: results.verdict,
        failOn: results.failOn,
        require: results.require,
        gaps: view.gaps,
        ...(view.incomplete ? { incomplete: view.incomplete } : {}),
        recordsLeft: results.records.left ?? [],
        pinned: results.pinned,
        interrupted: results.interrupted,
        ...(results.error ? { error: results.error } : {}),
      },
    },
  };
};

export const renderCtrf = (results: RunResults): string => `${JSON.stringify(buildCtrf(results), null, 2)}\n`;
