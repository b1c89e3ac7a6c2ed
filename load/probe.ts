import autocannon from 'autocannon';
import { Progress } from '../core/progress.ts';
import type { CheckResult, PillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { type Algorithm, checkAnswers, checkOverload, checkRemainingMonotonic, checkSampled2xx, sinkFor } from './checks.ts';
import { judgedData, limiterFor } from './known.ts';
import { buildTimeline, keepHeaders, nowMs, type Observation, statusLine } from './observe.ts';
import { type LoadOptions, validateLoadOptions } from './options.ts';
import { loadEndpoint, nonCreating } from './endpoint.ts';
import { aboutEndpointOf, nonCreatingRequest, probeRequestFor } from './probe-request.ts';
import { ledgerRecorder, loadCurl, loadRequestFor } from './request.ts';
import { fixedWindowOnly, loadCheck } from './result.ts';
import { PROBE_CHECKS } from './check-ids.ts';
import { preparePhase } from './safety.ts';

/**
 * `load probe`: autocannon drives the target past its limit (closed loop, as fast as the
 * connections allow; its rate option is not used: it bursts at each second's start), and
 * every answer is kept with its rate-limit headers; 429 bodies and one success in
 * `sampleEvery` are kept whole. The checks then run over what was observed. On a target
 * that keeps records, where the limiter counts a request that creates nothing (asked as
 * capacity and recovery ask), only one request in `sampleEvery` is a create: "successes
 * sampled under load are the documented 201 body" needs some successes, not thousands.
 */
export interface ProbeObservations {
  observations: Observation[];
  startMs: number;
  endMs: number;
  /** Requests sent, the closing ones that create nothing included. */
  sent: number;
}

export const overload = (ctx: RunContext, o: LoadOptions, cap: number, token: string, progress?: Progress, creatingEvery = 1): Promise<ProbeObservations> =>
  new Promise((resolve, reject) => {
    const model = loadEndpoint(o.endpoint ?? null);
    const create = loadRequestFor(model);
    const req = create(ctx, token);
    const observations: Observation[] = [];
    let successes = 0;
    const startMs = nowMs();
    let stopInstance = () => {};
    // autocannon's stop() takes effect at its next one-second tick; until then every answer
    // starts the next request. On an interrupt its clients are closed at once instead.
    const clients = new Set<{ destroy: () => void }>();
    const onAbort = () => {
      for (const c of clients) c.destroy();
      stopInstance();
    };
    // Stopping autocannon cuts the requests in flight: creates the target may have made
    // with no answer to name them. On a target that keeps records, the probe instead ends
    // by switching each connection to the request that creates nothing once its last
    // create is answered (a connection sends its next request only after an answer), and
    // stops when every connection has switched: what is cut then created nothing.
    const keeps = ctx.target.kind !== 'simulator';
    const connections = Math.max(1, Math.min(o.concurrency, cap));
    let winding = false;
    let switched = 0;
    const windDown = () => {
      winding = true;
      if (switched >= connections) stopInstance();
    };
    const closing = nonCreatingRequest(token);
    const closingPath = new URL(ctx.target.url + closing.path).pathname;
    // A create's 201 is recognised by the load endpoint's envelope; the closing requests'
    // endpoint is watched too (a provider that creates on a request without its required
    // fields still leaves a record to remove).
    const record = ledgerRecorder(ctx, [...new Set([model, nonCreating()?.model ?? model])]);
    // Where the limiter counts the request that creates nothing, only one request in
    // `creatingEvery` is a create (the successes the 201 check samples); the rest overload
    // the limiter just as well and leave nothing behind.
    let built = 0;
    const instance = autocannon(
      {
        url: ctx.target.url + req.path,
        method: 'POST',
        headers: req.headers,
        body: req.body,
        connections,
        // With records kept the probe's own timer ends it (windDown); autocannon's is a backstop.
        duration: keeps ? o.probeDurationS + Math.ceil(o.timeoutMs / 1000) + 1 : o.probeDurationS,
        // Winding down, each connection sends one closing request more: room for them within the cap.
        maxOverallRequests: Math.max(1, keeps ? cap - connections : cap),
        timeout: Math.max(1, Math.round(o.timeoutMs / 1000)),
        // No rate option, so no coordinated-omission correction (with a rate it uses a wrong
        // interval; autocannon refuses ignoreCoordinatedOmission without one). Latencies in
        // the timeline come from each answer's own response time.
        requests: [
          {
            method: 'POST',
            path: new URL(ctx.target.url + req.path).pathname,
            headers: req.headers,
            body: req.body,
            // Every create gets a body of its own: the endpoint's unique fields never repeat.
            setupRequest: (r: autocannon.Request): autocannon.Request => {
              if (keeps) {
                if (winding) {
                  switched++;
                  if (switched >= connections) setImmediate(stopInstance);
                  return { ...r, path: closingPath, body: closing.body };
                }
                if (built++ % creatingEvery !== 0) return { ...r, path: closingPath, body: closing.body };
              }
              return { ...r, body: create(ctx, token).body };
            },
            onResponse: (status: number, body: string, _context: unknown, headers: Record<string, unknown>) => {
              // Winding down, a 400 or 429 may answer a closing request: not the probe's (it
              // overloads with creates); a 201 is a create's, and the ledger needs it.
              if (winding && switched > 0 && (status === 400 || status === 429)) return;
              const ok = status >= 200 && status < 300;
              const keep = status === 429 || (ok && successes++ % o.sampleEvery === 0) || (ok && ctx.target.kind !== 'simulator');
              let parsed: unknown;
              if (keep) {
                try {
                  parsed = JSON.parse(body);
                } catch {
                  parsed = body;
                }
              }
              const at = nowMs();
              const ob: Observation = { sentMs: at, recvMs: at, status, headers: keepHeaders(headers), body: parsed };
              observations.push(ob);
              record(ob);
            },
          },
        ],
      } as autocannon.Options,
      (err, result) => {
        ctx.signal.removeEventListener('abort', onAbort);
        clearTimeout(windTimer);
        if (err) reject(err);
        else resolve({ observations, startMs, endMs: nowMs(), sent: Math.max(observations.length, result?.requests?.sent ?? 0) });
      },
    );
    // `response` follows onResponse synchronously: it carries the latency of the same answer.
    instance.on('response', (client: autocannon.Client, _status: number, _bytes: number, responseTime: number) => {
      // Not in the typings: the client's destroy() closes its connection.
      const closable = client as unknown as { destroy: () => void };
      clients.add(closable);
      if (ctx.signal.aborted) closable.destroy();
      const last = observations[observations.length - 1];
      if (last && last.sentMs === last.recvMs) last.sentMs = last.recvMs - responseTime;
    });
    instance.on('reqError', (err: Error) => {
      const at = nowMs();
      const timeout = /timed out/i.test(err?.message ?? '');
      observations.push({ sentMs: timeout ? at - o.timeoutMs : at, recvMs: at, status: null, error: timeout ? 'timeout' : 'connection' });
    });
    instance.on('tick', () => progress?.update(statusLine(observations, startMs)));
    stopInstance = () => instance.stop();
    ctx.signal.addEventListener('abort', onAbort);
    const windTimer = keeps ? setTimeout(windDown, o.probeDurationS * 1000) : undefined;
  });

export const runLoadProbe = async (ctx: RunContext, given: Partial<LoadOptions> = {}): Promise<PillarResult> => {
  const o = validateLoadOptions(given);
  const startedAt = new Date();
  const cap = preparePhase(ctx, o, 'load probe', o.probeDurationS);
  const token = ctx.token ?? '';
  const choice = await probeRequestFor(ctx, o, 'load probe', token);
  const progress = new Progress('load probe', { quiet: ctx.quiet });
  const run = await overload(ctx, o, Math.max(0, cap - choice.sent), token, progress, choice.creates ? 1 : o.sampleEvery);
  const obs = run.observations;
  ctx.budget.takeUpTo(run.sent);
  progress.done(statusLine(obs, run.startMs));
  return { ...probeResult(ctx, o, obs, run), startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() };
};

/** The checks over a probe's observations (separate so tests can feed their own). */
export const probeResult = (ctx: RunContext, o: LoadOptions, obs: Observation[], run: { startMs: number; endMs: number }): PillarResult => {
  const remote = ctx.target.kind === 'remote';
  // The probe overloads with creates of the load endpoint: its checks are about it.
  const endpoint = loadEndpoint(o.endpoint ?? null);
  const reproduction = loadCurl(ctx, ctx.token ?? '', endpoint.spec.name);
  const sink = (checkId: string) => sinkFor(ctx, checkId, reproduction, endpoint.spec.name);
  const throttled = obs.filter((x) => x.status === 429).length;
  const noThrottle = throttled === 0 ? { outcome: 'inconclusive' as const, reason: `no 429 in ${obs.length} requests: the limit was not reached` } : null;
  const judged = limiterFor(o, obs);
  const algorithm: Algorithm = judged.algorithm;

  const checks: CheckResult[] = [];
  checks.push(loadCheck(PROBE_CHECKS.throttled.id, PROBE_CHECKS.throttled.name, [], { undecided: noThrottle }));

  const body = sink(PROBE_CHECKS.body429.id);
  const ra = sink(PROBE_CHECKS.retryAfter.id);
  const hd = sink(PROBE_CHECKS.headers.id);
  checkAnswers(obs, { fixedWindow: algorithm === 'fixed_window', remote }, { body429: body, retryAfter: ra, headers: hd });
  checks.push(loadCheck(PROBE_CHECKS.body429.id, PROBE_CHECKS.body429.name, body.findings(), { undecided: noThrottle }));

  checks.push(loadCheck(PROBE_CHECKS.retryAfter.id, PROBE_CHECKS.retryAfter.name, ra.findings(), { undecided: noThrottle }));

  checks.push(
    loadCheck(PROBE_CHECKS.headers.id, PROBE_CHECKS.headers.name, hd.findings()),
  );

  const mono = sink(PROBE_CHECKS.remainingMonotonic.id);
  let monoUndecided: { outcome: 'skipped' | 'inconclusive'; reason: string; notApplicable?: true } | null = null;
  if (algorithm !== 'fixed_window') {
    monoUndecided = fixedWindowOnly(algorithm, judged.said);
  } else {
    // Fewer than two window starts seen: the window's length is unknown, so is where one ends.
    if (judged.windowMs) checkRemainingMonotonic(obs, { windowMs: judged.windowMs }, mono);
    else monoUndecided = { outcome: 'inconclusive', reason: 'fewer than two window starts seen: the window length is unknown (probe longer, --duration)' };
  }
  checks.push(loadCheck(PROBE_CHECKS.remainingMonotonic.id, PROBE_CHECKS.remainingMonotonic.name, mono.findings(), { undecided: monoUndecided }));

  const ov = sink(PROBE_CHECKS.overload.id);
  checkOverload(obs, ov);
  checks.push(loadCheck(PROBE_CHECKS.overload.id, PROBE_CHECKS.overload.name, ov.findings()));

  const s2 = sink(PROBE_CHECKS.sampled2xx.id);
  const sampled = checkSampled2xx(obs, s2, endpoint);
  checks.push(
    loadCheck(PROBE_CHECKS.sampled2xx.id, PROBE_CHECKS.sampled2xx.name, s2.findings(), {
      undecided: sampled === 0 ? { outcome: 'inconclusive', reason: 'no success was sampled' } : null,
    }),
  );

  return {
    pillar: 'load',
    startedAt: new Date(run.startMs).toISOString(),
    durationMs: run.endMs - run.startMs,
    requestsSent: 'sent' in run && typeof run.sent === 'number' ? run.sent : obs.length,
    checks: checks.map(aboutEndpointOf({ endpoint: endpoint.spec.name })),
    data: { timelines: { probe: buildTimeline(obs, run.startMs) }, limiter_used: { probe: judgedData(judged) } },
  };
};
