import {
  anyCheckFailed,
  type CheckResult,
  EXIT_CODE_OF,
  executionSuccessful,
  type Gaps,
  gapsOf,
  gapsText,
  hasGaps,
  incompleteness,
  type OutcomeName,
  type PillarName,
  type RunOutcomeName,
  type RunResults,
} from '../core/results.ts';

/**
 * The run's outcome as every writer words it, from the one value in the results: the same
 * headline, exit code and gaps in the terminal, summary.md, index.html, summary.json, SARIF,
 * JUnit and CTRF. A pass with gaps never reads like a clean pass; a failure of the
 * completeness policy reads "incomplete", never like a provider finding.
 */
export interface OutcomeView {
  outcome: RunOutcomeName;
  exitCode: number;
  executionSuccessful: boolean;
  /** "PASS", "PASS with gaps", "FAIL", "TOOL FAULT", "SETUP ERROR", "INTERRUPTED". */
  label: string;
  /** The label with what qualifies it: the gaps, the incompleteness, the interrupt. */
  headline: string;
  gaps: Gaps;
  /** Set when `--require complete` failed the run: "incomplete: 3 skipped, … (--require complete)". */
  incomplete: string | null;
  /** One sentence on why the run ended as it did (for notifications and error elements). */
  why: string;
}

const LABEL: Record<RunOutcomeName, string> = {
  passed: 'PASS',
  failed: 'FAIL',
  'setup-error': 'SETUP ERROR',
  'tool-fault': 'TOOL FAULT',
  interrupted: 'INTERRUPTED',
};

export const outcomeView = (r: RunResults): OutcomeView => {
  const gaps = gapsOf(r);
  const incomplete = r.outcome === 'failed' ? incompleteness(r) : null;
  const gapped = r.outcome === 'passed' && hasGaps(gaps);
  const label = gapped ? 'PASS with gaps' : LABEL[r.outcome];
  const qualifier = gapped
    ? gapsText(gaps)
    : r.outcome === 'failed' && incomplete
      ? anyCheckFailed(r.pillars)
        ? `the provider failed checks; ${incomplete}; --require complete`
        : `${incomplete}; --require complete`
      : r.outcome === 'tool-fault'
        ? 'a bug in devrev-gate, not the provider'
        : '';
  const why: Record<RunOutcomeName, string> = {
    passed: gapped ? `every check that ran held; did not run to a verdict: ${gapsText(gaps)}` : 'every check ran and held',
    failed:
      incomplete && !anyCheckFailed(r.pillars)
        ? `the run is ${incomplete} (--require complete fails a run with gaps; no check failed)`
        : `the provider failed a check${incomplete ? `; the run is also ${incomplete} (--require complete)` : ''}`,
    'setup-error': `setup error: ${r.error ?? 'the run could not start'}`,
    'tool-fault': `devrev-gate itself failed (a bug to report, not the provider's fault)${r.error ? `: ${r.error}` : ''}`,
    interrupted: 'the run was interrupted (Ctrl-C or SIGTERM)',
  };
  return {
    outcome: r.outcome,
    exitCode: EXIT_CODE_OF[r.outcome],
    executionSuccessful: executionSuccessful(r.outcome),
    label,
    headline: qualifier ? `${label} (${qualifier})` : label,
    gaps,
    incomplete,
    why: why[r.outcome],
  };
};

export interface NotRun {
  pillar: PillarName;
  checkId: string;
  name: string;
  endpoint: string;
  outcome: Extract<OutcomeName, 'skipped' | 'inconclusive'>;
  reason: string;
}

/** A check's reason as every writer shows it; a skip by design says it is not a gap. */
export const reasonShown = (c: Pick<CheckResult, 'reason' | 'notApplicable'>): string =>
  `${c.notApplicable ? 'not applicable here, not a gap: ' : ''}${c.reason ?? '(no reason given)'}`;

/** Every check that did not run to a verdict, with its reason. */
export const notRun = (r: Pick<RunResults, 'pillars'>): NotRun[] =>
  r.pillars.flatMap((p) =>
    p.checks
      .filter((c): c is CheckResult & { outcome: 'skipped' | 'inconclusive' } => c.outcome === 'skipped' || c.outcome === 'inconclusive')
      .map((c) => ({ pillar: p.pillar, checkId: c.id, name: c.name, endpoint: c.endpoint, outcome: c.outcome, reason: reasonShown(c) })),
  );
