import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Progress } from '../core/progress.ts';
import { type CapacityEstimate, type CheckResult, type PillarResult, pillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { advertisedLimit, sinkFor } from './checks.ts';
import { type Estimate, estimate } from './estimate.ts';
import { buildTimeline, isThrottled, type Observation, statusLine } from './observe.ts';
import { type LoadOptions, validateLoadOptions } from './options.ts';
import { type PacerResult, runPacer } from './pacer.ts';
import { ledgerRecorder, loadCurl, loadRequest } from './request.ts';
import { preparePhase } from './safety.ts';

/**
 * `load capacity`: estimate the limiter without being told its settings. The evenly paced
 * prober starts at `rate` and doubles it every second no 429 came back; once throttled it
 * holds its rate, and the estimate is refitted every half second until it is tight enough
 * or `maxDurationS` is up.
 */
export const CAPACITY_FILE = 'capacity.json';

/** Good enough to stop probing: the algorithm is clear and every parameter is tight. */
export const estimateSettled = (e: Estimate, elapsedMs: number): boolean => {
  if (elapsedMs < 2000 || !e.algorithm) return false;
  const fw = e.fixedWindow;
  const tb = e.tokenBucket;
  const chosen = e.algorithm === 'fixed_window' ? fw : tb;
  const other = e.algorithm === 'fixed_window' ? tb : fw;
  if (!chosen || (other && other.mismatches - chosen.mismatches < 2)) return false;
  if (e.algorithm === 'fixed_window') return fw!.windows >= 2 && (fw!.windowPmMs ?? Infinity) <= 250 && fw!.limitPm === 0;
  return tb!.recoveries >= 5 && tb!.ratePmPerS / tb!.ratePerS <= 0.01 && tb!.burstPm <= 0.3;
};

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The saved estimate: null where a field does not apply to the algorithm found. */
export const toCapacity = (e: Estimate, advertised: number | null, sent: number, durationS: number) => {
  const fw = e.algorithm === 'fixed_window' ? e.fixedWindow : null;
  const tb = e.algorithm === 'token_bucket' ? e.tokenBucket : null;
  // Throttled but no recovery yet: the first window's quota is all we know.
  const partial = e.algorithm === null && e.fixedWindow ? e.fixedWindow : null;
  const capacity: CapacityEstimate = {
    algorithm: e.algorithm,
    limit: fw?.limit ?? null,
    window_s: fw?.windowMs != null ? round(fw.windowMs / 1000) : null,
    burst: tb?.burst ?? null,
    rate_per_s: tb ? round(tb.ratePerS, 4) : null,
    advertised_limit: advertised,
    requests_sent: sent,
    duration_s: round(durationS, 2),
    uncertainty: {},
  };
  const u = capacity.uncertainty!;
  if (fw) {
    u['limit'] = fw.limitPm;
    if (fw.windowPmMs != null) u['window_s'] = round(fw.windowPmMs / 1000);
  }
  if (tb) {
    u['burst'] = tb.burstPm;
    u['rate_per_s'] = round(tb.ratePmPerS, 4);
  }
  return {
    ...capacity,
    window_offset_s: fw?.offsetMs != null ? round(fw.offsetMs / 1000) : null,
    quota_before_first_429: partial?.limit ?? null,
    reason: e.reason,
    mismatches: { fixed_window: e.fixedWindow?.mismatches ?? null, token_bucket: e.tokenBucket?.mismatches ?? null },
  };
};

export interface CapacityRun {
  estimate: Estimate;
  pacer: PacerResult;
  capacity: ReturnType<typeof toCapacity>;
}

/** The probing and the estimate, without the results model: the benchmark calls this. */
export const probeCapacity = async (
  ctx: RunContext,
  o: LoadOptions,
  cap: number,
  token: string,
  progress?: Progress,
): Promise<CapacityRun> => {
  let rate = o.rate;
  let rampedAt = 0;
  let throttled = false;
  const record = ledgerRecorder(ctx);
  const pacer = await runPacer({
    url: ctx.target.url,
    rate: (elapsed, obs) => {
      if (!throttled && obs.some(isThrottled)) throttled = true;
      if (!throttled && elapsed - rampedAt >= 1000 && rate < o.maxRate) {
        rate = Math.min(o.maxRate, rate * 2);
        rampedAt = elapsed;
      }
      return rate;
    },
    next: () => loadRequest(ctx, token),
    concurrency: o.concurrency,
    maxRequests: cap,
    maxDurationMs: o.maxDurationS * 1000,
    timeoutMs: o.timeoutMs,
    signal: ctx.signal,
    stopWhen: (obs, elapsed) => estimateSettled(estimate(obs), elapsed),
    keepBody: (status) => ctx.target.kind !== 'simulator' && status === 201,
    onObservation: record,
    onTick: (obs, start, inFlight) => progress?.update(`${statusLine(obs, start, inFlight)}, ${Math.round(rate)} req/s`),
  });
  ctx.budget.takeUpTo(pacer.sent);
  const e = estimate(pacer.observations);
  const durationS = (pacer.endMs - pacer.startMs) / 1000;
  return { estimate: e, pacer, capacity: toCapacity(e, advertisedLimit(pacer.observations), pacer.sent, durationS) };
};

export const runLoadCapacity = async (ctx: RunContext, given: Partial<LoadOptions> = {}): Promise<PillarResult> => {
  const o = validateLoadOptions(given);
  const startedAt = new Date();
  const sentBefore = ctx.budget.sent;
  const cap = preparePhase(ctx, o, 'load capacity', o.maxDurationS);
  const progress = new Progress('load capacity', { quiet: ctx.quiet });
  const token = ctx.token ?? '';
  const run = await probeCapacity(ctx, o, cap, token, progress);
  const c = run.capacity;
  progress.done(`${statusLine(run.pacer.observations, run.pacer.startMs)}; ${describeCapacity(c)}`);
  writeFileSync(join(ctx.outDir, CAPACITY_FILE), `${JSON.stringify(c, null, 2)}\n`);

  const checks: CheckResult[] = [];
  checks.push({
    id: 'load.capacity.estimate',
    pillar: 'load',
    name: 'the limiter is identified from observed answers (algorithm and parameters)',
    endpoint: 'rev-users.create',
    outcome: c.algorithm ? 'pass' : 'inconclusive',
    durationMs: run.pacer.endMs - run.pacer.startMs,
    reason: c.algorithm ? undefined : run.estimate.reason,
    findings: [],
  });
  const sink = sinkFor(ctx, 'load.capacity.advertised-limit', loadCurl(ctx, token));
  const estimated = c.limit ?? c.burst;
  let outcome: CheckResult['outcome'] = 'pass';
  let reason: string | undefined;
  if (c.advertised_limit === null) {
    sink.add('rate-limit-header-missing', { status: null, pointer: '/headers/x-ratelimit-limit', expected: estimated, actual: null, message: 'no answer advertised X-Ratelimit-Limit' });
  } else if (estimated === null) {
    outcome = 'inconclusive';
    reason = 'no estimate to compare X-Ratelimit-Limit with';
  } else {
    const tolerance = (c.uncertainty?.['limit'] ?? c.uncertainty?.['burst'] ?? 0) + 0.5;
    if (Math.abs(c.advertised_limit - estimated) > tolerance) {
      sink.add('rate-limit-limit-mismatch', {
        status: null,
        pointer: '/headers/x-ratelimit-limit',
        expected: estimated,
        actual: c.advertised_limit,
        message: `X-Ratelimit-Limit advertises ${c.advertised_limit}, the observed ${c.algorithm === 'token_bucket' ? 'burst' : 'quota'} is ${estimated}`,
      });
    }
  }
  const findings = sink.findings();
  checks.push({
    id: 'load.capacity.advertised-limit',
    pillar: 'load',
    name: 'X-Ratelimit-Limit matches the observed quota or burst',
    endpoint: 'rev-users.create',
    outcome: findings.some((f) => f.severity === 'error') ? 'fail' : outcome,
    durationMs: 0,
    reason,
    findings,
  });
  return pillarResult('load', startedAt, ctx.budget.sent - sentBefore, checks, {
    timelines: { capacity: buildTimeline(run.pacer.observations, run.pacer.startMs) },
    capacity: {
      algorithm: c.algorithm,
      limit: c.limit,
      window_s: c.window_s,
      burst: c.burst,
      rate_per_s: c.rate_per_s,
      advertised_limit: c.advertised_limit,
      requests_sent: c.requests_sent,
      duration_s: c.duration_s,
      uncertainty: c.uncertainty,
    },
  });
};

export const describeCapacity = (c: ReturnType<typeof toCapacity>): string => {
  const pm = (k: string) => (c.uncertainty?.[k] !== undefined ? ` ± ${c.uncertainty[k]}` : '');
  if (c.algorithm === 'fixed_window') return `fixed window: ${c.limit}${pm('limit')} per ${c.window_s}${pm('window_s')} s`;
  if (c.algorithm === 'token_bucket') return `token bucket: burst ${c.burst}${pm('burst')}, ${c.rate_per_s}${pm('rate_per_s')} per s`;
  return `no estimate (${c.reason})`;
};

export type { Observation };
