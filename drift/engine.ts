import { valueAt } from '../core/pointer.ts';
import { evidenceOf, targetDownCheck } from '../core/evidence.ts';
import { INTERRUPTED } from '../core/interrupt.ts';
import { stillAnswers } from '../api-model/endpoints/still-answers.ts';
import { HttpClient, type HttpResponse, TransportError } from '../core/http.ts';
import { Progress } from '../core/progress.ts';
import { controlPath } from '../core/simulator-control.ts';
import {
  type CheckResult,
  type Finding,
  type PillarResult,
  pillarResult,
  type SeverityName,
} from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { type Baseline, type BaselineAnswer, compareShapes, findAnswer, generalize, newBaseline, shapeOf, writeBaseline } from './baseline.ts';
import { checkAnswer } from './check.ts';
import type { Observation } from './headers.ts';
import { gatePillar, isRealTarget } from '../api-model/gate.ts';
import type { IgnoreFile } from '../api-model/ignore.ts';
import { type CaseEnv, caseId, driftCases, type DriftCase, type Prepared, skipReason } from './requests.ts';
import { severityOf } from './rules.ts';

/** How a drift run is gated and what it compares with; every field has a default. */
export interface DriftOptions {
  /** The lowest severity that fails a check. */
  failOn: Extract<SeverityName, 'error' | 'warning'>;
  ignore: IgnoreFile | null;
  /** A baseline to compare the live answers with. */
  baseline: Baseline | null;
  /** Where to store the shape of this run's answers, or null. */
  recordBaseline: string | null;
  /** The cases to send; null: every drift case of the model's endpoints. */
  cases: DriftCase[] | null;
  /**
   * The target serves the simulator's setup routes (`/__simulator/...`) and stands in for
   * tenant fixtures. Defaults to true only for the embedded simulator; self-tests set it for
   * a proxy in front of one.
   */
  simulatorRoutes?: boolean;
  /** The clock for ignore-entry expiry, in ms. */
  now: () => number;
}

export const DRIFT_DEFAULTS: DriftOptions = {
  failOn: 'error',
  ignore: null,
  baseline: null,
  recordBaseline: null,
  cases: null,
  now: () => Date.now(),
};

/** Transport failures that say the target is unusable, not that it drifted: they end the run. */
const FATAL = new Set(['refused', 'dns', 'tls', 'aborted']);

/**
 * The provider's clock where it is not ours: Reset and Retry-After are relative to it. On our
 * own clock, the moment the request left: the provider computed its headers no earlier, so
 * a slow answer on a busy machine cannot make a true Retry-After look too long.
 */
const nowSeconds = (ctx: RunContext, res: HttpResponse, sentAtMs: number): number => {
  const date = ctx.target.kind === 'remote' ? Date.parse(res.headers['date'] ?? '') : Number.NaN;
  return Number.isNaN(date) ? sentAtMs / 1000 : date / 1000;
};

const recordCreated = (ctx: RunContext, c: DriftCase, res: HttpResponse, note: string) => {
  if (ctx.target.kind === 'simulator' || res.status < 200 || res.status >= 300) return;
  const user = valueAt(res.json, `/${c.endpoint.envelope}`) as Record<string, unknown> | undefined;
  const id = user?.['id'];
  if (typeof id !== 'string') return;
  const str = (k: string) => (typeof user?.[k] === 'string' ? (user[k] as string) : undefined);
  ctx.ledger.record({
    event: 'created',
    endpoint: c.endpoint.name,
    id,
    displayId: str('display_id'),
    externalRef: str('external_ref'),
    email: str('email'),
    note: `drift ${c.name}${note}`,
  });
};

type CaseOutcome =
  | { kind: 'answered'; res: HttpResponse }
  | { kind: 'inconclusive'; reason: string };

const send = async (http: HttpClient, ctx: RunContext, c: DriftCase, p: Prepared): Promise<CaseOutcome> => {
  try {
    for (const step of p.setup) {
      if (step.kind === 'simulator') {
        // Through the run's client, so the setup call counts against the budget like any other.
        const path = controlPath(step.call.route);
        const r = await http.send({ path, body: step.call.body, auth: 'none', retry429: false });
        if (r.status >= 300) return { kind: 'inconclusive', reason: `setup ${path} answered ${r.status}` };
      } else {
        const r = await http.send(step.request);
        recordCreated(ctx, c, r, ' (setup)');
        if (r.throttled) return { kind: 'inconclusive', reason: 'setup request still throttled (429) after retries' };
        if (r.status < 200 || r.status >= 300)
          return { kind: 'inconclusive', reason: `setup create answered ${r.status}, so the case has nothing to conflict with` };
      }
    }
    const res = await http.send(p.request);
    recordCreated(ctx, c, res, '');
    if (res.throttled) return { kind: 'inconclusive', reason: 'still throttled (429) after the bounded retries' };
    return { kind: 'answered', res };
  } catch (err) {
    if (err instanceof TransportError && !FATAL.has(err.failure))
      return { kind: 'inconclusive', reason: `no answer: ${err.message}` };
    throw err;
  }
};

const toFinding = (ctx: RunContext, c: DriftCase, res: HttpResponse, o: Observation): Finding => ({
  checkId: caseId(c),
  caseId: c.name,
  pillar: 'drift',
  endpoint: c.endpoint.name,
  status: res.status,
  ruleId: o.rule,
  severity: severityOf(o.rule),
  basis: o.basis,
  pointer: o.pointer,
  expected: o.expected,
  actual: o.actual,
  message: o.message,
  reproduction: res.curl,
  evidence: evidenceOf(res, ctx.redactor),
});

/**
 * Sends the request set, reads every answer against the documents (and the baseline, when
 * given), applies the ignore file and returns the drift pillar's structured results.
 */
export const runDrift = async (ctx: RunContext, options: Partial<DriftOptions> = {}): Promise<PillarResult> => {
  const o: DriftOptions = { ...DRIFT_DEFAULTS, ...options };
  const started = new Date();
  const sentBefore = ctx.budget.sent;
  const http = new HttpClient(ctx);
  const progress = new Progress('drift', { quiet: ctx.quiet });
  const env: CaseEnv = {
    runId: ctx.runId,
    fixtures: ctx.fixtures,
    simulator: o.simulatorRoutes ?? ctx.target.kind === 'simulator',
  };
  const checks: CheckResult[] = [];
  const shapes: BaselineAnswer[] = [];
  let answered = 0;
  let noAnswer: string | null = null;
  // Set once the target stopped answering: the one check saying so, added after the cases.
  let down: CheckResult | null = null;

  const cases = o.cases ?? driftCases();
  for (const [i, c] of cases.entries()) {
    const base = {
      id: caseId(c),
      pillar: 'drift' as const,
      name: `${c.endpoint.name} ${c.name}: ${c.summary} → ${c.expected.status}`,
      endpoint: c.endpoint.name,
    };
    // After Ctrl-C/SIGTERM nothing more is sent; every case not answered says so.
    if (ctx.signal.aborted) {
      checks.push({ ...base, outcome: 'skipped', durationMs: 0, reason: INTERRUPTED, findings: [] });
      continue;
    }
    if (down) {
      checks.push({ ...base, outcome: 'inconclusive', durationMs: 0, reason: 'not sent: the target stopped answering', findings: [] });
      continue;
    }
    progress.update(`${i + 1}/${cases.length} ${c.endpoint.name} ${c.name}`);
    const skip = skipReason(c, env);
    if (skip) {
      // A case only the simulator can be set up for cannot apply here: listed, not a gap.
      const byDesign = c.simulatorOnly ? { notApplicable: true as const } : {};
      checks.push({ ...base, outcome: 'skipped', durationMs: 0, reason: skip, ...byDesign, findings: [] });
      continue;
    }
    const t0 = performance.now();
    const sentAtMs = Date.now();
    const prepared = c.prepare(env);
    const stopped = (failure: string, where: string, reproduction: string) => {
      down = targetDownCheck({ pillar: 'drift', endpoint: c.endpoint.name, where, failure, reproduction });
      checks.push({ ...base, outcome: 'inconclusive', durationMs: performance.now() - t0, reason: `no answer: the target stopped answering (${failure})`, findings: [] });
    };
    let outcome: CaseOutcome;
    try {
      outcome = await send(http, ctx, c, prepared);
    } catch (err) {
      // Cut short by an interrupt: skipped like the cases after it.
      if (ctx.signal.aborted) {
        checks.push({ ...base, outcome: 'skipped', durationMs: 0, reason: INTERRUPTED, findings: [] });
        continue;
      }
      // Nothing listening after earlier answers: the target died mid-run. One finding, the
      // request that met the dead port as its reproduction, and no more traffic.
      if (!(err instanceof TransportError) || err.failure !== 'refused' || answered === 0) throw err;
      // The input sent just before is the one the process died on, when it got no answer.
      stopped(err.message, `at ${c.endpoint.name} ${c.name}, after answering earlier cases`, noAnswer ?? http.curlFor(prepared.request));
      continue;
    }
    if (outcome.kind === 'answered') answered++;
    const unanswered = outcome.kind === 'inconclusive' && outcome.reason.startsWith('no answer');
    noAnswer = unanswered ? http.curlFor(prepared.request) : null;
    // No answer (a reset, a timeout): one input the provider choked on, or a target gone?
    if (unanswered && !(await stillAnswers(http))) {
      stopped((outcome as { reason: string }).reason.replace(/^no answer: /, ''), `at ${c.endpoint.name} ${c.name}`, noAnswer!);
      continue;
    }
    const durationMs = performance.now() - t0;
    if (outcome.kind === 'inconclusive') {
      checks.push({ ...base, outcome: 'inconclusive', durationMs, reason: outcome.reason, findings: [] });
      continue;
    }
    const { res } = outcome;
    const observations = checkAnswer(c.endpoint, c.expected, res, nowSeconds(ctx, res, sentAtMs));
    const shape = shapeOf(res.json);
    shapes.push({ endpoint: c.endpoint.name, case: c.name, status: res.status, shape });
    const recorded = o.baseline ? findAnswer(o.baseline, c.endpoint.name, c.name, res.status) : undefined;
    if (recorded) {
      // An addition is no reading of the value: its type change or removal still counts.
      const reported = new Set(
        observations
          .filter((x) => !x.pointer.startsWith('/headers/') && x.rule !== 'response-property-added')
          .map((x) => generalize(res.json, x.pointer)),
      );
      observations.push(...compareShapes(recorded.shape, shape, reported));
    }
    checks.push({
      ...base,
      outcome: 'pass',
      durationMs,
      findings: observations.map((x) => toFinding(ctx, c, res, x)),
    });
  }

  if (down) checks.push(down);

  // An interrupted run's baseline would lack the cases it never sent: none is written.
  if (o.recordBaseline && !ctx.signal.aborted) writeBaseline(o.recordBaseline, ctx.redactor.deep(newBaseline(ctx.target.url, shapes)));

  // The one gate step (the session applies it again with the run's options; it is idempotent).
  const gated = gatePillar(
    pillarResult('drift', started, ctx.budget.sent - sentBefore, checks),
    { failOn: o.failOn, ignore: o.ignore, realTarget: isRealTarget(ctx.target), now: o.now() },
    true,
  );
  const failed = gated.checks.filter((c) => c.outcome === 'fail').length;
  const findings = gated.checks.reduce((n, c) => n + c.findings.length, 0);
  progress.done(`${gated.checks.length} checks, ${failed} failed, ${findings} findings`);
  // PillarData is open (additionalProperties); its static type lists only the shared keys.
  return {
    ...gated,
    data: {
    drift: {
      failOn: o.failOn,
      ignoreFile: o.ignore?.file ?? null,
      baselineCompared: o.baseline ? o.baseline.recordedAt : null,
      baselineRecorded: o.recordBaseline,
      },
    } as PillarResult['data'],
  };
};
