import { type Static, Type } from '@sinclair/typebox';
import { EXIT } from './errors.ts';

/**
 * The one results model. Every pillar (contracts, drift, properties, load, spec) emits
 * CheckResults holding Findings; report writers only read RunResults. The saved results
 * hold everything the reports draw (timelines, class counts, capacity), so
 * `report --from DIR` can redraw them. The JSON Schema of summary.json follows from these
 * definitions (reports/summary-schema.ts), never written a second time.
 */

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const PILLARS = ['contracts', 'drift', 'properties', 'load', 'spec'] as const;
export const OUTCOMES = ['pass', 'fail', 'skipped', 'inconclusive'] as const;
export const SEVERITIES = ['error', 'warning', 'info'] as const;
export const BASES = ['spec', 'prose', 'assumed'] as const;

/** `--fail-on`: a lowest severity, or the policy that fails only on breaks of our own contract. */
export const OUR_CONTRACT = 'our-contract';
export const FAIL_ON = ['error', 'warning', OUR_CONTRACT] as const;

export const Pillar = lit(PILLARS);
export const Outcome = lit(OUTCOMES);
export const Severity = lit(SEVERITIES);
/** Where a rule comes from: the OpenAPI document, the docs' text, or our assumption. */
export const Basis = lit(BASES);

/**
 * Docs drift: what a change does to the consumer's own pact(s). `breaks-our-contract`: a
 * breaking change (severity error) that touches an interaction of a pact we keep;
 * `breaks-other-clients`: breaking, but no interaction of ours sends, reads or expects what
 * it changes; `not-breaking`: below error, whatever it touches.
 */
export const IMPACT_GROUPS = ['breaks-our-contract', 'breaks-other-clients', 'not-breaking'] as const;
export const ImpactGroup = lit(IMPACT_GROUPS);
/** How every report names the groups. */
export const IMPACT_GROUP_TITLES = {
  'breaks-our-contract': 'breaks our contract',
  'breaks-other-clients': 'breaking for other clients',
  'not-breaking': 'not breaking',
} as const satisfies Record<(typeof IMPACT_GROUPS)[number], string>;
export const Impact = Type.Object(
  {
    group: ImpactGroup,
    /** Each pact read, with the interactions the change touches (none: it touches none of them). */
    pacts: Type.Array(
      Type.Object({
        file: Type.String(),
        touches: Type.Array(Type.Object({ interaction: Type.String(), how: Type.String() })),
      }),
    ),
  },
  { title: 'impact' },
);

export const Evidence = Type.Object(
  {
    status: Type.Union([Type.Integer(), Type.Null()]),
    headers: Type.Record(Type.String(), Type.String()),
    /** The body as text, redacted, cut at a few kB. */
    body: Type.String(),
    truncated: Type.Boolean(),
  },
  { title: 'evidence' },
);

export const Finding = Type.Object(
  {
    checkId: Type.String(),
    pillar: Pillar,
    endpoint: Type.String(),
    /** HTTP status observed, null when there was no answer. */
    status: Type.Union([Type.Integer(), Type.Null()]),
    ruleId: Type.String(),
    severity: Severity,
    basis: Basis,
    /** RFC 6901 JSON pointer into the response (or request) the finding is about. */
    pointer: Type.String(),
    expected: Type.Optional(Type.Unknown()),
    actual: Type.Optional(Type.Unknown()),
    message: Type.String(),
    /** One-line reproduction (a curl command), token redacted. */
    reproduction: Type.Union([Type.String(), Type.Null()]),
    ignored: Type.Optional(Type.Object({ reason: Type.String(), expires: Type.Union([Type.String(), Type.Null()]) })),
    /** The catalogue case (or generated class, or probe phase) whose request produced it. */
    caseId: Type.Optional(Type.String()),
    /** What the provider said: the answer the finding judged, redacted and truncated. */
    evidence: Type.Optional(Evidence),
    /** Docs drift: where the change sits in the old (`from`) and the new (`to`) OpenAPI document. */
    specPointers: Type.Optional(
      Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) }),
    ),
    /** Docs drift: which interactions of our pact(s) the change touches, and so its group. */
    impact: Type.Optional(Impact),
  },
  { title: 'finding' },
);

export const CheckResult = Type.Object(
  {
    id: Type.String(),
    pillar: Pillar,
    name: Type.String(),
    endpoint: Type.String(),
    outcome: Outcome,
    durationMs: Type.Number({ minimum: 0 }),
    /** Why a check was skipped or inconclusive. */
    reason: Type.Optional(Type.String()),
    /**
     * Skipped by design: the check cannot apply to this kind of target or limiter (a state
     * only the simulator can be put in, a fixed-window check on a bucket). Listed with its
     * reason like every skip, but not a gap: `--require complete` does not count it.
     */
    notApplicable: Type.Optional(Type.Literal(true)),
    /** How many times part of the check was run again after a known transient failure. */
    retries: Type.Optional(Type.Integer({ minimum: 0 })),
    findings: Type.Array(Finding),
  },
  { title: 'check-result' },
);

/** Counts and latency percentiles of one timeline interval (load pillar). */
export const TimelineBucket = Type.Object(
  {
    tMs: Type.Number({ description: 'start of the interval, ms after the phase began' }),
    s2xx: Type.Integer(),
    s429: Type.Integer(),
    s5xx: Type.Integer(),
    other: Type.Integer(),
    errors: Type.Integer({ description: 'timeouts and connection errors' }),
    p50: Type.Union([Type.Number(), Type.Null()]),
    p90: Type.Union([Type.Number(), Type.Null()]),
    p99: Type.Union([Type.Number(), Type.Null()]),
  },
  { title: 'timeline-bucket' },
);

const nullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const CapacityEstimate = Type.Object(
  {
    // The limiter models of api-model/rate-limit/models.ts (core imports no model code).
    algorithm: Type.Union([lit(['fixed_window', 'sliding_window', 'token_bucket', 'concurrency', 'shaping', 'queue', 'lockout', 'refusal_counter']), Type.Null()]),
    limit: nullableNumber,
    window_s: nullableNumber,
    burst: nullableNumber,
    rate_per_s: nullableNumber,
    advertised_limit: nullableNumber,
    requests_sent: Type.Integer(),
    duration_s: Type.Number(),
    uncertainty: Type.Optional(Type.Record(Type.String(), Type.Number())),
    /** Share of recoveries each candidate model explains (null: nothing to judge), one entry per model. */
    fit: Type.Optional(Type.Array(Type.Object({ model: Type.String(), fit: nullableNumber }))),
    /** A limit over a longer scale that held the client throttled, with its own figures. */
    second_limit: Type.Optional(
      Type.Union([
        Type.Object({
          throttled_for_s: Type.Number(),
          successes_before: Type.Integer(),
          /** Its throttled stretches seen. */
          stretches: Type.Optional(Type.Integer()),
          /** Its quota: successes between two of its stretches; a lower bound when `quota_at_least`; null when never seen. */
          quota: Type.Optional(nullableNumber),
          quota_pm: Type.Optional(Type.Number()),
          quota_at_least: Type.Optional(Type.Boolean()),
          /** Its window: the spacing of its stretches' ends; null when fewer than two ended (`note` says why). */
          window_s: Type.Optional(nullableNumber),
          window_pm_s: Type.Optional(nullableNumber),
          note: Type.Optional(Type.String()),
        }),
        Type.Null(),
      ]),
    ),
    reason: Type.Optional(Type.String()),
    /** The limit or burst is a lower bound (others may have spent part of the quota first). */
    limit_at_least: Type.Optional(Type.Boolean()),
    burst_at_least: Type.Optional(Type.Boolean()),
    /** Requests the estimate cost (the phase's all), the fewest that could establish its answer, and their ratio (null: no answer to price). */
    requests_spent: Type.Optional(Type.Integer()),
    requests_minimum: Type.Optional(nullableNumber),
    spent_ratio: Type.Optional(nullableNumber),
  },
  { title: 'capacity-estimate' },
);

export const PillarData = Type.Object(
  {
    /** properties: how often each generator class was hit. */
    classCounts: Type.Optional(Type.Record(Type.String(), Type.Integer())),
    seed: Type.Optional(Type.Integer()),
    /** load: status counts and latency per 100 ms, per load phase. */
    timelines: Type.Optional(Type.Record(Type.String(), Type.Array(TimelineBucket))),
    capacity: Type.Optional(CapacityEstimate),
    /** load: per phase, the limiter its algorithm-specific checks judged by and where it came from. */
    limiter_used: Type.Optional(Type.Record(Type.String(), Type.Object({ algorithm: Type.Union([Type.String(), Type.Null()]), source: Type.String() }))),
    recovery: Type.Optional(
      Type.Array(Type.Object({ advertisedS: Type.Number(), actualS: nullableNumber }), {
        description: 'advertised against observed recovery time, per trial',
      }),
    ),
  },
  { additionalProperties: true, title: 'pillar-data' },
);

export const PillarResult = Type.Object(
  {
    pillar: Pillar,
    startedAt: Type.String({ format: 'date-time' }),
    durationMs: Type.Number({ minimum: 0 }),
    requestsSent: Type.Integer({ minimum: 0 }),
    checks: Type.Array(CheckResult),
    data: Type.Optional(PillarData),
  },
  { title: 'pillar-result' },
);

export type Finding = Static<typeof Finding>;
export type Evidence = Static<typeof Evidence>;
export type CheckResult = Static<typeof CheckResult>;
export type PillarResult = Static<typeof PillarResult>;
export type PillarName = Static<typeof Pillar>;
export type OutcomeName = Static<typeof Outcome>;
export type SeverityName = Static<typeof Severity>;
export type ImpactGroupName = Static<typeof ImpactGroup>;
export type Impact = Static<typeof Impact>;
export type FailOnName = SeverityName | typeof OUR_CONTRACT;
export type BasisName = Static<typeof Basis>;
export type TimelineBucket = Static<typeof TimelineBucket>;
export type CapacityEstimate = Static<typeof CapacityEstimate>;

const severityRank: Record<SeverityName, number> = { info: 0, warning: 1, error: 2 };

export const atLeast = (severity: SeverityName, threshold: SeverityName) =>
  severityRank[severity] >= severityRank[threshold];

/**
 * A finding that gates: not ignored and at or above the threshold. `our-contract` is
 * `error` except that a docs-drift finding breaking only other clients (its impact says no
 * interaction of our pacts is touched) does not gate.
 */
export const gates = (f: Finding, failOn: FailOnName) =>
  !f.ignored && (failOn === OUR_CONTRACT ? atLeast(f.severity, 'error') && f.impact?.group !== 'breaks-other-clients' : atLeast(f.severity, failOn));

/** A check fails when one of its findings gates; the outcome is derived, never set by hand. */
export const outcomeOf = (findings: Finding[], failOn: FailOnName, fallback: OutcomeName = 'pass'): OutcomeName =>
  findings.some((f) => gates(f, failOn)) ? 'fail' : fallback;

/** Against a real target, a finding from an `assumed` rule is at most a warning. */
export const capForBasis = (severity: SeverityName, basis: BasisName, realTarget: boolean): SeverityName =>
  realTarget && basis === 'assumed' && severity === 'error' ? 'warning' : severity;

/**
 * How a run ends: exactly one of these, computed once (runOutcome) and read by the exit code
 * and by every writer. `failed` is the provider's (or the completeness policy's); a
 * `tool-fault` is devrev-gate's own bug; a `setup-error` is the user's environment.
 */
export const RUN_OUTCOMES = ['passed', 'failed', 'setup-error', 'tool-fault', 'interrupted'] as const;
export const RunOutcome = lit(RUN_OUTCOMES);
export type RunOutcomeName = Static<typeof RunOutcome>;

export const EXIT_CODE_OF: Record<RunOutcomeName, number> = {
  passed: EXIT.PASS,
  failed: EXIT.FAIL,
  'setup-error': EXIT.USAGE,
  'tool-fault': EXIT.SUITE,
  interrupted: EXIT.INTERRUPTED,
};

/** The tool ran to the end and judged (SARIF's `executionSuccessful`). */
export const executionSuccessful = (outcome: RunOutcomeName): boolean => outcome === 'passed' || outcome === 'failed';

/**
 * `--require`: what a run must cover to pass. `none` lets a run pass with skipped or
 * inconclusive checks and records left on the target (it says so: "PASS with gaps");
 * `complete` fails such a run as "incomplete", never as a provider finding.
 */
export const REQUIRE_LEVELS = ['none', 'complete'] as const;
export const RequireLevel = lit(REQUIRE_LEVELS);
export type RequireLevelName = Static<typeof RequireLevel>;

export const RESULTS_SCHEMA_VERSION = 2;

/** A record the run created on the target and could not remove, and why. */
export const LeftRecord = Type.Object(
  {
    endpoint: Type.String(),
    id: Type.String(),
    displayId: Type.Optional(Type.String()),
    why: Type.String(),
    /** Deactivated: DevRev documents no delete for it, so this is as far as a cleanup can go (listed, not a gap). */
    deactivated: Type.Optional(Type.Literal(true)),
  },
  { title: 'left-record' },
);
export type LeftRecord = Static<typeof LeftRecord>;

/** Everything one run produced: what report writers read and `report --from` reloads. */
export const RunResults = Type.Object(
  {
    schemaVersion: Type.Literal(RESULTS_SCHEMA_VERSION),
    tool: Type.Object({ name: Type.Literal('devrev-gate'), version: Type.String() }),
    runId: Type.String(),
    /** `none`: a run that compares documents and sends nothing (`spec`). */
    target: Type.Object({ url: Type.String(), kind: lit(['simulator', 'loopback', 'remote', 'none']) }),
    pinned: Type.Object({ source: Type.String(), commit: Type.String(), date: Type.String() }),
    startedAt: Type.String({ format: 'date-time' }),
    durationMs: Type.Number({ minimum: 0 }),
    failOn: Type.Union([Severity, Type.Literal(OUR_CONTRACT)]),
    require: RequireLevel,
    /** How the run ended; the exit code is EXIT_CODE_OF[outcome]. */
    outcome: RunOutcome,
    /** `pass` exactly when the outcome is `passed` (for readers that want two values). */
    verdict: lit(['pass', 'fail']),
    /** True when Ctrl-C/SIGTERM cut the run short. */
    interrupted: Type.Boolean(),
    /** The setup error or internal error that ended the run early. */
    error: Type.Optional(Type.String()),
    requests: Type.Object({ sent: Type.Integer(), budget: Type.Integer() }),
    records: Type.Object({
      created: Type.Integer(),
      removed: Type.Integer(),
      remaining: Type.Integer(),
      /** The records still on the target (`remaining` of them), with the reason each is there. */
      left: Type.Optional(Type.Array(LeftRecord)),
    }),
    pillars: Type.Array(PillarResult),
  },
  { title: 'devrev-gate-results' },
);
export type RunResults = Static<typeof RunResults>;

/** True when any check failed; skipped and inconclusive checks fail nothing by themselves. */
export const anyCheckFailed = (pillars: readonly PillarResult[]): boolean =>
  pillars.some((p) => p.checks.some((c) => c.outcome === 'fail'));

/** The checks' verdict alone, before the run's outcome is known (spec diff's own use). */
export const verdictOf = (pillars: PillarResult[]): 'pass' | 'fail' => (anyCheckFailed(pillars) ? 'fail' : 'pass');

/** What did not run to a verdict: checks skipped or inconclusive, and records left on the target. */
export interface Gaps {
  skipped: number;
  inconclusive: number;
  recordsLeft: number;
}

/** The records a run leaves: how many, and which (when known) with why. */
export interface RecordsLeft {
  remaining: number;
  left?: readonly LeftRecord[];
}

/**
 * Skips by design (`notApplicable`) and dev users deactivated because DevRev documents no
 * delete are listed everywhere but are not gaps: a run can have none of them.
 */
export const gapsOf = (r: { pillars: readonly PillarResult[]; records: RecordsLeft }): Gaps => {
  const checks = r.pillars.flatMap((p) => p.checks);
  return {
    skipped: checks.filter((c) => c.outcome === 'skipped' && !c.notApplicable).length,
    inconclusive: checks.filter((c) => c.outcome === 'inconclusive').length,
    recordsLeft: r.records.left ? r.records.left.filter((x) => !x.deactivated).length : r.records.remaining,
  };
};

export const hasGaps = (g: Gaps): boolean => g.skipped + g.inconclusive + g.recordsLeft > 0;

/** "11 skipped, 23 inconclusive, 15 records left" (zeros left out). */
export const gapsText = (g: Gaps): string =>
  [
    g.skipped > 0 ? `${g.skipped} skipped` : '',
    g.inconclusive > 0 ? `${g.inconclusive} inconclusive` : '',
    g.recordsLeft > 0 ? `${g.recordsLeft} record${g.recordsLeft === 1 ? '' : 's'} left` : '',
  ]
    .filter(Boolean)
    .join(', ');

/** The policy's judgement: under `--require complete`, a run with gaps is incomplete. */
export const incompleteness = (r: { pillars: readonly PillarResult[]; records: RecordsLeft; require: RequireLevelName }): string | null => {
  const g = gapsOf(r);
  return r.require === 'complete' && hasGaps(g) ? `incomplete: ${gapsText(g)}` : null;
};

export interface OutcomeInput {
  pillars: readonly PillarResult[];
  records: RecordsLeft;
  require: RequireLevelName;
  interrupted: boolean;
  /** A setup error the user can fix ended the run (exit 2). */
  setupError: boolean;
  /** devrev-gate itself failed: a suite-rule finding or an internal error (exit 3). */
  toolFault: boolean;
}

/**
 * The one outcome of a run. An interrupt wins (nothing after it is trusted), then a setup
 * error, then the suite's own fault (never blamed on the provider), then a failed check,
 * then the completeness policy.
 */
export const runOutcome = (o: OutcomeInput): RunOutcomeName => {
  if (o.interrupted) return 'interrupted';
  if (o.setupError) return 'setup-error';
  if (o.toolFault) return 'tool-fault';
  if (anyCheckFailed(o.pillars)) return 'failed';
  return incompleteness(o) ? 'failed' : 'passed';
};

export const verdictOfOutcome = (outcome: RunOutcomeName): 'pass' | 'fail' => (outcome === 'passed' ? 'pass' : 'fail');

/** Closes a pillar's run: timing and requests sent are measured the same way by every pillar. */
export const pillarResult = (
  pillar: PillarName,
  started: Date,
  requestsSent: number,
  checks: CheckResult[],
  data?: Static<typeof PillarData>,
): PillarResult => ({
  pillar,
  startedAt: started.toISOString(),
  durationMs: Date.now() - started.getTime(),
  requestsSent,
  checks,
  ...(data ? { data } : {}),
});
