import {
  type CheckResult,
  capForBasis,
  type FailOnName,
  type Finding,
  gates,
  type PillarName,
  type PillarResult,
  type SeverityName,
} from '../core/results.ts';
import type { Target } from '../core/target.ts';
import { applyIgnore, type IgnoreFile, isExpired } from './ignore.ts';
import { isSuiteRule, severityOfRule } from './rulebook/index.ts';

/**
 * The one gate step: turns a pillar's findings into check outcomes, the same way for every
 * pillar. Pillars report findings with the severity the rule book gives; here, and only
 * here, an `assumed` finding is capped at `warning` on a real target, the ignore file marks
 * what it covers, and `--fail-on` decides which checks fail. Skipped and inconclusive
 * checks keep their outcome: they judged nothing.
 */
export interface GateOptions {
  failOn: FailOnName;
  ignore: IgnoreFile | null;
  /** Any target but the embedded in-process simulator (a `serve` reached by URL is real). */
  realTarget: boolean;
  /** The clock for ignore-entry expiry, in ms. */
  now: number;
}

export const isRealTarget = (target: Pick<Target, 'kind'>): boolean => target.kind !== 'simulator';

export const gateFindings = (findings: Finding[], o: GateOptions): Finding[] =>
  applyIgnore(
    findings.map((f) => {
      // A suite failure is never the provider's and never capped.
      if (isSuiteRule(f.ruleId)) return f;
      const severity = capForBasis(f.severity, f.basis, o.realTarget);
      return severity === f.severity ? f : { ...f, severity };
    }),
    o.ignore,
    o.now,
  );

export const gateCheck = (check: CheckResult, o: GateOptions): CheckResult => {
  const findings = gateFindings(check.findings, o);
  const judged = check.outcome === 'pass' || check.outcome === 'fail';
  return { ...check, findings, outcome: judged ? (findings.some((f) => gates(f, o.failOn)) ? 'fail' : 'pass') : check.outcome };
};

/** The ignore file's own check: an entry past its expiry is an error, whatever pillar it names. */
export const expiredIgnoreCheck = (pillar: PillarName, ignore: IgnoreFile, now: number): CheckResult => {
  const checkId = `${pillar}.ignore-file`;
  const findings: Finding[] = [];
  ignore.entries.forEach((e, i) => {
    if (!isExpired(e, now)) return;
    findings.push({
      checkId,
      pillar,
      endpoint: e.endpoint ?? '*',
      status: null,
      ruleId: 'ignore-entry-expired',
      severity: severityOfRule('ignore-entry-expired'),
      basis: 'spec',
      pointer: ignore.pointers[i] ?? '',
      expected: `an expiry after ${new Date(now).toISOString().slice(0, 10)}`,
      actual: e.expires,
      message: `ignore entry for ${e.rule ?? `fingerprint ${e.fingerprint}`}${e.path ? ` at ${e.path}` : ''} expired on ${e.expires} (${e.reason})`,
      reproduction: null,
    });
  });
  return { id: checkId, pillar, name: `ignore file ${ignore.file}: no expired entries`, endpoint: '*', outcome: 'pass', durationMs: 0, findings };
};

/**
 * Gates one pillar's result. `withIgnoreCheck` adds the ignore file's expiry check to it
 * (the session adds it once per run, to the first pillar).
 */
export const gatePillar = (result: PillarResult, o: GateOptions, withIgnoreCheck = false): PillarResult => {
  const checks = withIgnoreCheck && o.ignore ? [...result.checks, expiredIgnoreCheck(result.pillar, o.ignore, o.now)] : result.checks;
  return { ...result, checks: checks.map((c) => gateCheck(c, o)) };
};

/** The run failed because of the suite itself: a gating finding of a suite rule. */
export const suiteFailed = (pillars: readonly PillarResult[]): boolean =>
  pillars.some((p) => p.checks.some((c) => c.findings.some((f) => !f.ignored && isSuiteRule(f.ruleId))));

/**
 * What a pillar called on its own (not through a session) returns: gated with the defaults
 * (`--fail-on error`, no ignore file), so its outcomes mean the same as in a run.
 */
export const gateWithDefaults = (result: PillarResult, target: Pick<Target, 'kind'>, failOn: SeverityName = 'error'): PillarResult =>
  gatePillar(result, { failOn, ignore: null, realTarget: isRealTarget(target), now: Date.now() });
