import { type Command, Option } from 'commander';
import { loadIgnore } from '../../api-model/ignore.ts';
import { fromCli, LIMITER_MODELS, toCli } from '../../api-model/rate-limit/models.ts';
import { UsageError } from '../../core/errors.ts';
import { pointerLabel } from '../../core/pointer.ts';
import type { PillarResult } from '../../core/results.ts';
import type { RunContext } from '../../core/run-context.ts';
import { spendText } from '../../reports/capacity.ts';
import { loadEndpointNames } from '../../load/endpoint.ts';
import { type LoadOptions, validateLoadOptions } from '../../load/options.ts';
import { LOAD_SIMULATOR, type RateLimitHeaderMode, type SimulatorOptions } from '../../simulator/index.ts';
import { type CommonOptions, type GateCliOptions, intOption, numberOption, withCommonOptions, withGateOptions } from '../options.ts';
import { type LoadModule, loadLoad } from '../pillars.ts';
import { runSession } from '../session.ts';

interface LoadCliOptions extends CommonOptions, GateCliOptions {
  allowRemote?: boolean;
  maxRequests?: number;
  concurrency?: number;
  duration?: number;
  longerScale?: number;
  rate?: number;
  maxRate?: number;
  trials?: number;
  fairnessDuration?: number;
  secondToken?: string;
  endpoint?: string;
  /** CLI spelling (kebab-case); the data spelling is snake_case. */
  algorithm?: string;
  simulate?: SimulatorOptions['rateLimit'];
  simulateHeaders?: RateLimitHeaderMode;
}

/**
 * `--simulate fixed-window:LIMIT/WINDOW_S` or `token-bucket:BURST/RATE_PER_S`: the limiter
 * of the embedded simulator (no --target), so every subcommand can be seen against both.
 */
export const parseSimulate = (raw: string): SimulatorOptions['rateLimit'] => {
  const m = /^(fixed-window|token-bucket):(\d+)\/(\d+(?:\.\d+)?)$/.exec(raw.trim());
  const fix = 'e.g. --simulate fixed-window:20/2 (20 per 2 s) or --simulate token-bucket:5/2.5 (burst 5, 2.5 per s)';
  if (!m) throw new UsageError(`--simulate ${JSON.stringify(raw)} is not a limiter`, fix);
  const a = Number(m[2]);
  const b = Number(m[3]);
  if (a < 1 || b <= 0) throw new UsageError(`--simulate ${JSON.stringify(raw)} needs a quota of at least 1 and a positive ${m[1] === 'fixed-window' ? 'window' : 'rate'}`, fix);
  if (m[1] === 'fixed-window') {
    if (!Number.isInteger(b)) throw new UsageError('--simulate fixed-window needs a whole number of seconds', fix);
    return { algorithm: 'fixed_window', limit: a, windowS: b };
  }
  return { algorithm: 'token_bucket', burst: a, ratePerS: b };
};

const toLoadOptions = (o: LoadCliOptions, command: 'probe' | 'capacity' | 'recovery'): Partial<LoadOptions> => ({
  allowRemote: Boolean(o.allowRemote),
  ...(o.maxRequests !== undefined ? { maxRequests: o.maxRequests } : {}),
  ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
  ...(o.duration !== undefined ? (command === 'probe' ? { probeDurationS: o.duration } : { maxDurationS: o.duration }) : {}),
  ...(o.longerScale !== undefined ? { longerScaleS: o.longerScale } : {}),
  ...(o.rate !== undefined ? { rate: o.rate } : {}),
  ...(o.maxRate !== undefined ? { maxRate: o.maxRate } : {}),
  ...(o.trials !== undefined ? { trials: o.trials } : {}),
  ...(o.fairnessDuration !== undefined ? { fairnessS: o.fairnessDuration } : {}),
  ...(o.secondToken ? { secondToken: o.secondToken } : {}),
  ...(o.endpoint ? { endpoint: o.endpoint } : {}),
  ...(o.algorithm ? { algorithm: fromCli(o.algorithm) as LoadOptions['algorithm'] } : {}),
});

/** The lines a person reads after a load command: each check, its findings, and the figures. */
export const renderLoad = (p: PillarResult): string => {
  const lines: string[] = [];
  for (const c of p.checks) {
    lines.push(`${c.outcome.padEnd(12)} ${c.id}${c.reason && c.outcome !== 'pass' ? `: ${c.reason}` : ''}`);
    for (const f of c.findings) lines.push(`  ${f.severity.padEnd(7)} ${f.ruleId} ${pointerLabel(f.pointer)}: ${f.message}`);
  }
  const cap = p.data?.capacity;
  if (cap) {
    const u = cap.uncertainty ?? {};
    const pm = (k: string) => (u[k] !== undefined ? ` ± ${u[k]}` : '');
    const what =
      cap.algorithm === 'fixed_window'
        ? `fixed window, ${cap.limit_at_least ? 'at least ' : ''}${cap.limit}${pm('limit')} requests per ${cap.window_s ?? '?'}${pm('window_s')} s`
        : cap.algorithm === 'sliding_window'
          ? `sliding window, ${cap.limit} requests per ${cap.window_s}${pm('window_s')} s`
          : cap.algorithm === 'token_bucket'
            ? `token bucket, burst ${cap.burst_at_least ? 'at least ' : ''}${cap.burst}${pm('burst')}, refill ${cap.rate_per_s}${pm('rate_per_s')} per s`
            : cap.algorithm === 'concurrency'
              ? `concurrency limit, ${cap.limit} in flight`
              : cap.algorithm === 'shaping'
                ? `shaping, no 429, throughput held at ${cap.rate_per_s} per s`
                : cap.algorithm === 'lockout'
                  ? `lockout, ${cap.limit} successes, then locked out for ${cap.window_s}${pm('window_s')} s`
                  : cap.algorithm === 'refusal_counter'
                    ? `counter that includes refusals, ${cap.limit} requests per ${cap.window_s}${pm('window_s')} s`
                    : cap.algorithm === 'queue'
                      ? `queue, ${cap.rate_per_s}${pm('rate_per_s')} per s, holds up to ${cap.limit}, refuses beyond`
                      : `unknown (${cap.reason ?? 'no model fits'})`;
    const fits = (cap.fit ?? []).map((x) => `${x.model.replaceAll('_', ' ')} ${x.fit === null ? '-' : x.fit}`).join(', ');
    if (fits) lines.push(`capacity fit per model (share of recoveries explained): ${fits}`);
    if (cap.second_limit) lines.push(`capacity: a second limit over a longer scale held the token throttled for ${cap.second_limit.throttled_for_s} s after ${cap.second_limit.successes_before} successes`);
    lines.push(`capacity: ${what}; X-Ratelimit-Limit says ${cap.advertised_limit ?? 'nothing'}; ${cap.requests_sent} requests in ${cap.duration_s} s`);
    if (cap.requests_spent !== undefined) lines.push(`capacity: ${spendText(cap)}`);
  }
  for (const [i, t] of (p.data?.recovery ?? []).entries()) {
    lines.push(`recovery trial ${i + 1}: advertised ${t.advertisedS} s, recovered after ${t.actualS ?? 'no recovery'} s`);
  }
  return `${lines.join('\n')}\n`;
};

const withLoadOptions = (cmd: Command): Command =>
  withCommonOptions(
    withGateOptions(cmd)
      .option('--allow-remote', 'allow load on a non-loopback target (you own it; its quota will be spent)')
      .option('--max-requests <n>', 'most requests this command sends (default: 100 on remote targets)', intOption('--max-requests', { min: 1 }))
      .option('--concurrency <n>', 'requests in flight at most', intOption('--concurrency', { min: 1, max: 1024 }))
      .addOption(new Option('--endpoint <name>', `create endpoint the load requests go to (default: ${loadEndpointNames()[0]})`).choices(loadEndpointNames()))
      .addOption(new Option('--simulate <limiter>', 'limiter of the embedded simulator: fixed-window:LIMIT/WINDOW_S or token-bucket:BURST/RATE_PER_S (default fixed-window:20/2)').argParser(parseSimulate))
      .addOption(new Option('--simulate-headers <mode>', 'rate-limit headers of the embedded simulator').choices(['correct', 'absent', 'wrong'])),
  );

const simulatorFor = (o: LoadCliOptions): SimulatorOptions => ({
  ...LOAD_SIMULATOR,
  ...(o.simulate ? { rateLimit: o.simulate } : {}),
  ...(o.simulateHeaders ? { rateLimitHeaders: o.simulateHeaders } : {}),
});

type LoadEngine = (ctx: RunContext, o: Partial<LoadOptions>) => Promise<PillarResult>;

const act = (command: 'probe' | 'capacity' | 'recovery', pick: (m: LoadModule) => LoadEngine) =>
  async (o: LoadCliOptions) => {
    // Every option is checked before a simulator starts or a request leaves.
    const options = toLoadOptions(o, command);
    validateLoadOptions(options);
    const ignore = loadIgnore(o.ignore);
    await runSession({
      common: o,
      failOn: o.failOn,
      require: o.require,
      ignore,
      simulator: simulatorFor(o),
      maxRequests: o.maxRequests,
      allowRemote: o.allowRemote,
      pillars: [{ pillar: 'load', needsAllowRemote: true, run: async (ctx) => pick(await loadLoad())(ctx, options) }],
      afterRun: [(results) => { for (const p of results.pillars) process.stdout.write(renderLoad(p)); }],
    });
  };

const algorithmOption = () =>
  new Option('--algorithm <name>', 'limiter the fixed-window-only checks assume (default: what the estimator finds)').choices(['auto', ...LIMITER_MODELS.map(toCli)]);

/** `devrev-gate load probe|capacity|recovery`: the rate-limit pillar. */
export const register = (program: Command): void => {
  const load = program.command('load').description('rate-limit testing: 429 probes, limiter estimation, recovery and fairness');
  withLoadOptions(
    load
      .command('probe')
      .description('drive the target past its limit with autocannon and check every 429 and its headers')
      .option('--duration <s>', 'seconds of overload (default 5)', numberOption('--duration', { min: 1, max: 300 }))
      .addOption(algorithmOption()),
  ).action(act('probe', (m) => m.runLoadProbe));
  withLoadOptions(
    load
      .command('capacity')
      .description('estimate the limiter (algorithm and parameters) with an evenly paced prober; writes capacity.json')
      .option('--duration <s>', 'most seconds of probing, waits included (default 15; 310 waits out a five-minute window)', numberOption('--duration', { min: 1, max: 900 }))
      .option('--longer-scale <s>', 'seconds a token bucket is followed to look for a second, longer-scale limit, one request per token (default 6; 0 trusts a single limit and spends at its physical minimum)', numberOption('--longer-scale', { min: 0, max: 900 }))
      .option('--rate <n>', 'starting requests per second (default 200; doubled each second without a 429)', numberOption('--rate', { min: 1, max: 20_000 }))
      .option('--max-rate <n>', 'highest requests per second (default 3200)', numberOption('--max-rate', { min: 1, max: 20_000 })),
  ).action(act('capacity', (m) => m.runLoadCapacity));
  withLoadOptions(
    load
      .command('recovery')
      .description('time recovery after a 429 against the advertised wait, and check fairness between two users')
      .option('--trials <n>', 'recovery trials (default 3)', intOption('--trials', { min: 1, max: 50 }))
      .option('--duration <s>', 'most seconds per trial (default 15)', numberOption('--duration', { min: 1, max: 900 }))
      .option('--fairness-duration <s>', 'seconds per fairness phase (default 3)', numberOption('--fairness-duration', { min: 0.5, max: 120 }))
      .addOption(new Option('--second-token <token>', 'token of a second user for the fairness check (the simulator needs none)').env('DEVREV_TOKEN_B'))
      .addOption(algorithmOption()),
  ).action(act('recovery', (m) => m.runLoadRecovery));
};
