import { type Static, Type } from '@sinclair/typebox';

/**
 * The one results model. Every pillar (contracts, drift, properties, load) emits
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

export const Pillar = lit(PILLARS);
export const Outcome = lit(OUTCOMES);
export const Severity = lit(SEVERITIES);
/** Where a rule comes from: the OpenAPI document, the docs' text, or our assumption. */
export const Basis = lit(BASES);

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
    /** Share of recoveries each candidate model explains (null: nothing to judge). A list, not a
     *  record: a key like `token_bucket` would read as a secret's name to the redactor. */
    fit: Type.Optional(Type.Array(Type.Object({ model: Type.String(), fit: nullableNumber }))),
    /** A limit over a longer scale that held the client throttled. */
    second_limit: Type.Optional(Type.Union([Type.Object({ throttled_for_s: Type.Number(), successes_before: Type.Integer() }), Type.Null()])),
    reason: Type.Optional(Type.String()),
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
export type BasisName = Static<typeof Basis>;
export type TimelineBucket = Static<typeof TimelineBucket>;
export type CapacityEstimate = Static<typeof CapacityEstimate>;

const severityRank: Record<SeverityName, number> = { info: 0, warning: 1, error: 2 };

export const atLeast = (severity: SeverityName, threshold: SeverityName) =>
  severityRank[severity] >= severityRank[threshold];

/** A finding that gates: not ignored and at or above the threshold. */
export const gates = (f: Finding, failOn: SeverityName) => !f.ignored && atLeast(f.severity, failOn);

/** A check fails when one of its findings gates; the outcome is derived, never set by hand. */
export const outcomeOf = (findings: Finding[], failOn: SeverityName, fallback: OutcomeName = 'pass'): OutcomeName =>
  findings.some((f) => gates(f, failOn)) ? 'fail' : fallback;

/** Against a real target, a finding from an `assumed` rule is at most a warning. */
export const capForBasis = (severity: SeverityName, basis: BasisName, realTarget: boolean): SeverityName =>
  realTarget && basis === 'assumed' && severity === 'error' ? 'warning' : severity;

export const RESULTS_SCHEMA_VERSION = 1;

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
    failOn: Severity,
    verdict: lit(['pass', 'fail']),
    /** True when Ctrl-C/SIGTERM cut the run short. */
    interrupted: Type.Boolean(),
    /** The setup error that ended the run early (the verdict is then `fail`). */
    error: Type.Optional(Type.String()),
    requests: Type.Object({ sent: Type.Integer(), budget: Type.Integer() }),
    records: Type.Object({ created: Type.Integer(), removed: Type.Integer(), remaining: Type.Integer() }),
    pillars: Type.Array(PillarResult),
  },
  { title: 'devrev-gate-results' },
);
export type RunResults = Static<typeof RunResults>;

/** The run fails when any check failed; skipped and inconclusive checks do not fail it. */
export const verdictOf = (pillars: PillarResult[]): 'pass' | 'fail' =>
  pillars.some((p) => p.checks.some((c) => c.outcome === 'fail')) ? 'fail' : 'pass';

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
