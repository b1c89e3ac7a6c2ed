import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GateOptions, gatePillar, isRealTarget, suiteFailed } from '../api-model/gate.ts';
import type { IgnoreFile } from '../api-model/ignore.ts';
import { PINNED_SNAPSHOT } from '../api-model/shapes/endpoints.ts';
import { loadConfig } from './settings/fixtures.ts';
import { GateError, UsageError } from '../core/errors.ts';
import { shownPath } from '../core/shown-path.ts';
import {
  EXIT_CODE_OF,
  type PillarName,
  type PillarResult,
  type RequireLevelName,
  RESULTS_SCHEMA_VERSION,
  type RunResults,
  runOutcome,
  type SeverityName,
  verdictOfOutcome,
} from '../core/results.ts';
import { abortOnSignals, createRunContext, type Fixtures, type RunContext } from '../core/run-context.ts';
import type { Target } from '../core/target.ts';
import { cleanupLedger, describeRemaining } from '../cleanup/index.ts';
import { writeReports } from '../reports/index.ts';
import { renderVerdictLine, targetDown } from '../reports/terminal.ts';
import { type SimulatorOptions, startSimulator } from '../simulator/index.ts';
import { servedVersion } from './openapi-option.ts';
import { type CommonOptions, ensureOutDir, targetFrom } from './options.ts';
import { preflight } from './preflight.ts';

/**
 * What every subcommand does around its pillars: validate the common options, start the
 * embedded simulator when no target is given, build the one run context, run the pillars
 * in order (stopping early on Ctrl-C/SIGTERM), save results.json, hand it to the report
 * writers, stop the simulator, and turn the verdict into an exit code.
 */
export interface PillarRun {
  pillar: PillarName;
  run: (ctx: RunContext) => Promise<PillarResult>;
  /** Load pillars refuse remote targets without --allow-remote. */
  needsAllowRemote?: boolean;
  /**
   * With no target, this pillar gets its own simulator with these settings (the load
   * pillar's small, short window) instead of the session's shared one.
   */
  simulator?: SimulatorOptions;
}

export interface SessionOptions {
  common: CommonOptions;
  pillars: PillarRun[];
  /** Settings of the shared embedded simulator (when no target is given). */
  simulator?: SimulatorOptions;
  maxRequests?: number;
  allowRemote?: boolean;
  failOn?: SeverityName;
  /** `complete`: a skipped or inconclusive check, or a record left behind, fails the run. */
  require?: RequireLevelName;
  /** The ignore file: it covers findings of any rule of any pillar. */
  ignore?: IgnoreFile | null;
  fixtures?: Fixtures;
  /** Hooks later stages plug in (report writers, cleanup) without the pillars knowing. */
  afterRun?: Array<(results: RunResults, ctx: RunContext) => Promise<void> | void>;
  /** Write summary.json, junit.xml, summary.md and index.html beside results.json (default true). */
  reports?: boolean;
}

export const RESULTS_FILE = 'results.json';

const errorLine = (err: unknown): string =>
  err instanceof GateError ? err.oneLine() : String((err as Error)?.message ?? err).split('\n')[0]!;

const writeReportsHook = (say: (line: string) => void) => async (results: RunResults, ctx: RunContext) => {
  const files = await writeReports(results, ctx.outDir);
  say(`reports: ${files.map(shownPath).join(', ')}`);
};

const refuseRemoteLoad = (target: Target, pillars: PillarRun[], allowRemote: boolean | undefined) => {
  const load = pillars.filter((p) => p.needsAllowRemote);
  if (target.kind === 'remote' && load.length > 0 && !allowRemote) {
    // `--skip load` is a `run` option: offer it only where it exists.
    const onlyLoad = load.length === pillars.length;
    throw new UsageError(
      `refusing to send load to remote target ${target.url}`,
      onlyLoad ? 'pass --allow-remote if you own it' : 'pass --allow-remote if you own it, or --skip load',
    );
  }
};

export const runSession = async (o: SessionOptions): Promise<number> => {
  const given = targetFrom(o.common);
  const outDir = ensureOutDir(o.common.out);
  const fixtures = o.fixtures ?? loadConfig(o.common.config).fixtures ?? {};
  if (given) refuseRemoteLoad(given, o.pillars, o.allowRemote);
  // Every simulator of the run (the load pillar's own too) serves the same version.
  const version = servedVersion(o.common.openapi, given);
  const withVersion = (s: SimulatorOptions | undefined): SimulatorOptions => (version ? { ...s, version } : (s ?? {}));

  const signals = abortOnSignals();
  const simulator = given ? null : await startSimulator(withVersion(o.simulator));
  const target: Target = given ?? { url: simulator!.url, kind: 'simulator' };
  if (version && !o.common.quiet) process.stderr.write(`simulator: serving ${version.source} instead of the pin\n`);
  const ctx = createRunContext({
    target,
    // An empty DEVREV_TOKEN (a CI secret that is not set) is no token: the embedded
    // simulator would answer every request 401 and the run would blame it.
    token: given ? o.common.token : o.common.token || 'devrev-gate-simulator-token',
    outDir,
    maxRequests: o.maxRequests,
    signal: signals.signal,
    fixtures,
    quiet: o.common.quiet,
  });
  const startedAt = new Date();
  const pillars: PillarResult[] = [];
  // The one gate step, applied to every pillar's result against the target it ran on.
  const gate = (result: PillarResult, ran: Target): PillarResult => {
    const g: GateOptions = { failOn: o.failOn ?? 'error', ignore: o.ignore ?? null, realTarget: isRealTarget(ran), now: Date.now() };
    return gatePillar(result, g, pillars.length === 0);
  };
  const say = (line: string) => {
    if (!o.common.quiet) process.stderr.write(`${line}\n`);
  };
  if (target.kind !== 'simulator') {
    say(`target ${target.url} (${target.kind}); run ${ctx.runId}; at most ${ctx.budget.max} requests (--max-requests)`);
  }
  // A setup error (preflight, transport) ends the pillars but not the bookkeeping: what was
  // created is removed, what was gathered is saved, then the error reaches the user.
  let failure: unknown = null;
  try {
    if (target.kind !== 'simulator') await preflight(ctx);
    for (const p of o.pillars) {
      if (ctx.signal.aborted) break;
      if (given || !p.simulator) {
        pillars.push(gate(await p.run(ctx), ctx.target));
        // A target that died mid-run gets no more traffic: the other pillars would only
        // report the same dead port once per request.
        if (targetDown(pillars.at(-1)!)) {
          say(`${p.pillar}: the target stopped answering; no other pillar runs`);
          break;
        }
        continue;
      }
      const own = await startSimulator(withVersion(p.simulator));
      try {
        const ownTarget: Target = { url: own.url, kind: 'simulator' };
        pillars.push(gate(await p.run({ ...ctx, target: ownTarget }), ownTarget));
      } finally {
        await own.close();
      }
    }
  } catch (err) {
    // An interrupt surfaces as an aborted request inside a pillar: not an error, a stop.
    if (!ctx.signal.aborted) failure = err;
  }
  try {
    // Records created on a real target are removed even after a failure or an interrupt.
    if (target.kind !== 'simulator' && ctx.ledger.outstanding().length > 0) {
      say(`cleanup: removing ${ctx.ledger.outstanding().length} record(s) this run created`);
      const report = await cleanupLedger(ctx, ctx.ledger, { say });
      for (const line of describeRemaining(report)) say(line);
    }
    const counts = ctx.ledger.counts();
    const left = ctx.ledger.leftBehind();
    const require = o.require ?? 'none';
    // The one outcome: the exit code below and every writer read it, never recompute it.
    const outcome = runOutcome({
      pillars,
      records: { remaining: left.length, left },
      require,
      interrupted: ctx.signal.aborted,
      setupError: failure instanceof GateError,
      toolFault: suiteFailed(pillars) || (failure !== null && !(failure instanceof GateError)),
    });
    const results: RunResults = ctx.redactor.deep({
      schemaVersion: RESULTS_SCHEMA_VERSION,
      tool: { name: 'devrev-gate', version: '0.1.0' },
      runId: ctx.runId,
      target: { url: target.url, kind: target.kind },
      pinned: { ...PINNED_SNAPSHOT },
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      failOn: o.failOn ?? 'error',
      require,
      outcome,
      // A run that could not finish (a setup error, an interrupt) proves nothing: never a pass.
      verdict: verdictOfOutcome(outcome),
      ...(failure ? { error: errorLine(failure) } : {}),
      interrupted: ctx.signal.aborted,
      requests: { sent: ctx.budget.sent, budget: ctx.budget.max },
      records: { ...counts, remaining: left.length, ...(left.length > 0 ? { left } : {}) },
      pillars,
    });
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, RESULTS_FILE), `${JSON.stringify(results, null, 2)}\n`);
    const hooks = [...(o.reports === false ? [] : [writeReportsHook(say)]), ...(o.afterRun ?? [])];
    for (const hook of hooks) await hook(results, ctx);
    // After a setup error its one line, printed next, is the whole story.
    if (!failure) say(renderVerdictLine(results));
    process.exitCode = EXIT_CODE_OF[results.outcome];
  } finally {
    // Whatever failed above, the simulator must not hold the process open.
    await simulator?.close();
    signals.dispose();
  }
  if (failure) throw failure;
  return process.exitCode as number;
};
