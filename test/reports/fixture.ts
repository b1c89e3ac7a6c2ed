import { PINNED_SNAPSHOT } from '../../api-model/shapes/endpoints.ts';
import {
  type CheckResult,
  type Finding,
  type PillarResult,
  RESULTS_SCHEMA_VERSION,
  type RunResults,
  type TimelineBucket,
  verdictOf,
} from '../../core/results.ts';

/**
 * A realistic run, written by hand so the writers are tested without running a pillar:
 * every pillar, a load timeline with a fixed window visible in it, class counts, a
 * capacity estimate that disagrees with the advertised limit, and findings whose text is
 * as hostile as a provider's answer can be.
 */

/** Strings that break naive writers: markup, pipes, quotes, control characters, lone surrogates. */
export const NASTY = {
  script: '</script><script>window.__pwned = 1</script>',
  pipes: 'a | b || c \\| d',
  quotes: `"double" & 'single' <tag attr="x">`,
  control: 'bell\u0007 nul\u0000 esc\u001b[31m vt\u000b ff\u000c end',
  surrogate: 'lone \uD800 high, lone \uDC00 low, pair 😀',
  cdata: ']]> <![CDATA[ x ]]>',
  comment: '<!-- not a comment -->',
  lines: 'line one\nline two\r\n\ttabbed',
};

export const NASTY_POINTER = '/rev_user/custom_fields/a~1b|c';

export const finding = (over: Partial<Finding> & Pick<Finding, 'checkId' | 'pillar' | 'ruleId'>): Finding => ({
  endpoint: 'rev-users.create',
  status: 201,
  severity: 'error',
  basis: 'spec',
  pointer: '/rev_user/id',
  message: 'documented property is missing',
  reproduction: "curl -sS -X POST 'http://127.0.0.1:8080/rev-users.create' -H 'Authorization: Bearer [REDACTED]' -d '{}'",
  ...over,
});

const check = (over: Partial<CheckResult> & Pick<CheckResult, 'id' | 'pillar' | 'name'>): CheckResult => ({
  endpoint: 'rev-users.create',
  outcome: 'pass',
  durationMs: 12.5,
  findings: [],
  ...over,
});

/** A fixed window of `limit` per `windowMs`, driven at `perBucket` requests per 100 ms. */
export const fixedWindowTimeline = (buckets: number, perBucket: number, limit: number, windowMs = 1000): TimelineBucket[] => {
  const out: TimelineBucket[] = [];
  let used = 0;
  for (let i = 0; i < buckets; i++) {
    const tMs = i * 100;
    if (tMs % windowMs === 0) used = 0;
    const ok = Math.max(0, Math.min(perBucket, limit - used));
    used += ok;
    const wave = Math.sin(i / 3);
    out.push({
      tMs,
      s2xx: ok,
      s429: perBucket - ok - (i === 7 ? 1 : 0),
      s5xx: i === 7 ? 1 : 0,
      other: 0,
      errors: 0,
      p50: Number((2.1 + wave * 0.4).toFixed(2)),
      p90: Number((4.5 + wave * 0.9).toFixed(2)),
      p99: Number((9 + wave * 2 + (i % 10 === 0 ? 6 : 0)).toFixed(2)),
    });
  }
  return out;
};

const started = '2026-11-23T09:00:00.000Z';

export const contractsPillar = (): PillarResult => ({
  pillar: 'contracts',
  startedAt: started,
  durationMs: 1840,
  requestsSent: 14,
  checks: ['rev-users.create', 'dev-users.create'].flatMap((endpoint) => [
    check({ id: `contracts.${endpoint}.minimal`, pillar: 'contracts', name: `${endpoint} minimal create`, endpoint }),
    check({ id: `contracts.${endpoint}.full`, pillar: 'contracts', name: `${endpoint} full create`, endpoint }),
  ]),
});

export const driftPillar = (): PillarResult => ({
  pillar: 'drift',
  startedAt: started,
  durationMs: 512,
  requestsSent: 25,
  checks: [
    check({
      id: 'drift.rev-users.create.minimal-create',
      pillar: 'drift',
      name: 'rev-users.create minimal-create → 201',
      outcome: 'fail',
      findings: [
        finding({
          checkId: 'drift.rev-users.create.minimal-create',
          pillar: 'drift',
          ruleId: 'response.required-missing',
          expected: 'a string (documented as required)',
          actual: null,
          message: `rev_user.id is missing ${NASTY.script}`,
        }),
        finding({
          checkId: 'drift.rev-users.create.minimal-create',
          pillar: 'drift',
          ruleId: 'response.type-changed',
          pointer: NASTY_POINTER,
          expected: { type: 'string' },
          actual: `${NASTY.pipes} ${NASTY.quotes}`,
          message: `type changed: ${NASTY.control} ${NASTY.surrogate}`,
          reproduction: `curl -d '${NASTY.cdata} ${NASTY.comment} ${NASTY.lines}'`,
        }),
        finding({
          checkId: 'drift.rev-users.create.minimal-create',
          pillar: 'drift',
          ruleId: 'response.additional-property',
          severity: 'info',
          pointer: '/rev_user/x_legacy',
          expected: null,
          actual: 'kept',
          message: 'an undocumented property',
          ignored: { reason: `known legacy field ${NASTY.pipes}`, expires: '2027-01-31' },
        }),
      ],
    }),
    check({
      id: 'drift.dev-users.create.no-token',
      pillar: 'drift',
      name: 'dev-users.create no-token → 401',
      endpoint: 'dev-users.create',
      findings: [
        finding({
          checkId: 'drift.dev-users.create.no-token',
          pillar: 'drift',
          endpoint: 'dev-users.create',
          status: 401,
          ruleId: 'headers.ratelimit-missing',
          severity: 'warning',
          basis: 'assumed',
          pointer: '',
          message: 'no X-Ratelimit-Limit on a 4xx answer',
        }),
      ],
    }),
    check({
      id: 'drift.rev-users.create.throttled',
      pillar: 'drift',
      name: 'rev-users.create throttled → 429',
      outcome: 'skipped',
      reason: 'needs the simulator\'s throttle route & a "real" target has none',
    }),
    check({
      id: 'drift.rev-users.create.taken-external-ref',
      pillar: 'drift',
      name: 'rev-users.create taken-external-ref → 409',
      outcome: 'inconclusive',
      reason: `429 after 3 retries <${NASTY.control}>`,
    }),
  ],
});

export const CLASS_COUNTS = {
  'valid-minimal': 140,
  'valid-full': 96,
  'phone-e164-edge': 61,
  'phone-near-miss': 58,
  'custom-fields-without-spec': 33,
  'dev-state-not-shadow': 27,
  'wrong-json-type': 44,
  'missing-required': 39,
  'raw-bytes': 12,
};

export const propertiesPillar = (): PillarResult => ({
  pillar: 'properties',
  startedAt: started,
  durationMs: 6120,
  requestsSent: 510,
  checks: [
    check({ id: 'properties.accepts-documented-valid', pillar: 'properties', name: 'accepts every documented-valid body', endpoint: 'both' }),
    check({ id: 'properties.never-5xx', pillar: 'properties', name: 'no input gets a 5xx', endpoint: 'both' }),
  ],
  data: { seed: 424242, classCounts: { ...CLASS_COUNTS } },
});

export const TIMELINES = {
  probe: fixedWindowTimeline(30, 3, 20),
  overload: fixedWindowTimeline(20, 20, 20),
};

export const loadPillar = (): PillarResult => ({
  pillar: 'load',
  startedAt: started,
  durationMs: 9800,
  requestsSent: 490,
  checks: [
    check({ id: 'load.estimate', pillar: 'load', name: 'capacity estimate from observed answers', endpoint: 'rev-users.create' }),
    check({ id: 'load.recovery', pillar: 'load', name: 'recovers after the advertised wait', endpoint: 'rev-users.create' }),
  ],
  data: {
    timelines: TIMELINES,
    capacity: {
      algorithm: 'fixed_window',
      limit: 20,
      window_s: 1,
      burst: null,
      rate_per_s: null,
      advertised_limit: 25,
      requests_sent: 490,
      duration_s: 5,
      uncertainty: { limit: 0, window_s: 0.1 },
    },
    recovery: [
      { advertisedS: 1, actualS: 0.93 },
      { advertisedS: 1, actualS: 1.02 },
      { advertisedS: 1, actualS: null },
    ],
  },
});

export const syntheticResults = (pillars: PillarResult[] = [contractsPillar(), driftPillar(), propertiesPillar(), loadPillar()]): RunResults => ({
  schemaVersion: RESULTS_SCHEMA_VERSION,
  tool: { name: 'devrev-gate', version: '0.1.0' },
  runId: 'dgselftest0001',
  target: { url: 'http://127.0.0.1:8080', kind: 'simulator' },
  pinned: { ...PINNED_SNAPSHOT },
  startedAt: started,
  durationMs: 18_400,
  failOn: 'error',
  require: 'none',
  outcome: verdictOf(pillars) === 'pass' ? 'passed' : 'failed',
  verdict: verdictOf(pillars),
  interrupted: false,
  requests: { sent: pillars.reduce((n, p) => n + p.requestsSent, 0), budget: 5000 },
  records: { created: 212, removed: 212, remaining: 0 },
  pillars,
});

/** A pass with nothing left undone: no skipped or inconclusive check, no record left. */
export const cleanPassResults = (): RunResults => {
  const r = passingResults();
  for (const p of r.pillars) p.checks = p.checks.filter((c) => c.outcome === 'pass');
  return r;
};

/** The same run with the drift pillar passing. */
export const passingResults = (): RunResults => {
  const drift = driftPillar();
  drift.checks = drift.checks.filter((c) => c.outcome !== 'fail');
  return syntheticResults([contractsPillar(), drift, propertiesPillar(), loadPillar()]);
};

/**
 * The synthetic run with findings in every pillar: a Pact mismatch (with the interaction it
 * came from), a property failure, load findings (one ignored, one under a rule id no table
 * knows), besides drift's. What SARIF and CTRF must carry whole.
 */
export const everyPillarResults = (): RunResults => {
  const contracts = contractsPillar();
  const full = contracts.checks[1]!;
  full.outcome = 'fail';
  full.findings = [
    finding({
      checkId: full.id,
      caseId: 'rev-users.create 201 full request',
      pillar: 'contracts',
      ruleId: 'pact-body',
      pointer: '/rev_user/display_name',
      expected: 'Devrev Gate',
      actual: 42,
      message: 'rev-users.create 201 full request: Expected 42 (Integer) to be the same type as "Devrev Gate" (String)',
      reproduction: null,
    }),
  ];
  contracts.checks.unshift({
    id: 'contracts.consumer',
    pillar: 'contracts',
    name: 'consumer interactions run through the official SDK and write the pact',
    endpoint: '*',
    outcome: 'pass',
    durationMs: 2200,
    retries: 1,
    findings: [],
  });
  const properties = propertiesPillar();
  const never5xx = properties.checks[1]!;
  never5xx.outcome = 'fail';
  never5xx.findings = [
    finding({
      checkId: never5xx.id,
      caseId: 'raw-bytes',
      pillar: 'properties',
      endpoint: 'dev-users.create',
      status: 500,
      ruleId: 'properties.never-5xx.status',
      pointer: '',
      expected: 'a documented 4xx',
      actual: 500,
      message: 'invalid UTF-8 got a 500 (seed 424242)',
    }),
  ];
  const load = loadPillar();
  const recovery = load.checks[1]!;
  recovery.outcome = 'fail';
  recovery.findings = [
    finding({
      checkId: recovery.id,
      caseId: 'recovery',
      pillar: 'load',
      status: 429,
      ruleId: 'rate-limit-retry-after-invalid',
      basis: 'prose',
      pointer: '/headers/retry-after',
      expected: 'whole seconds',
      actual: '1.5',
      message: 'Retry-After "1.5" is not whole seconds',
    }),
    finding({
      checkId: recovery.id,
      pillar: 'load',
      status: 429,
      ruleId: 'made-up-rule-no-table-knows',
      severity: 'warning',
      basis: 'assumed',
      pointer: '/retry_after',
      expected: 30,
      actual: 31,
      message: 'retry_after one second longer than Retry-After',
      ignored: { reason: 'rounding, tracked upstream', expires: null },
    }),
  ];
  return syntheticResults([contracts, driftPillar(), properties, load]);
};
