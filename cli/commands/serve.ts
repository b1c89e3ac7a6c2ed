import { type Command, Option } from 'commander';
import { SetupError, UsageError } from '../../core/errors.ts';
import { type RateLimitOptions, type RunningSimulator, SimulatorOptionError, startSimulator } from '../../simulator/index.ts';
import type { VersionView } from '../../api-model/openapi/version.ts';
import { openapiOption, servedVersion } from '../openapi-option.ts';
import { intOption, numberOption } from '../options.ts';
import { withKind } from '../settings/option-kinds.ts';

/**
 * `devrev-gate serve`: the embedded simulator as a standalone provider, for pointing other
 * tools (or `--target`) at it. Its defaults mimic DevRev: the docs' example quota of 1000
 * per five-minute window.
 */
export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 0, limit: 1000, windowS: 300 } as const;

interface ServeOptions {
  host: string;
  port: number;
  algorithm: 'fixed-window' | 'token-bucket';
  limit?: number;
  window?: number;
  rate?: number;
  burst?: number;
  rateLimit: boolean;
  faultRate: number;
  readOnlyToken: string[];
  windowOffset?: number;
  rateLimitHeaders: 'correct' | 'absent' | 'wrong';
  maxBodyBytes?: number;
  openapi?: string;
}

const collect = withKind((value: string, previous: string[]) => {
  if (value.length === 0) throw new UsageError('--read-only-token needs a non-empty token');
  return [...previous, value];
}, { type: 'repeat' });

/** Turns the flags into one limiter, naming the flag that does not fit the algorithm. */
export const rateLimitFrom = (o: ServeOptions): RateLimitOptions => {
  const fixedFlags = o.limit !== undefined || o.window !== undefined || o.windowOffset !== undefined;
  const bucketFlags = o.rate !== undefined || o.burst !== undefined;
  if (!o.rateLimit) {
    if (fixedFlags || bucketFlags || o.algorithm === 'token-bucket') {
      throw new UsageError('--no-rate-limit cannot be combined with limiter settings', 'drop one of them');
    }
    return false;
  }
  if (o.algorithm === 'token-bucket') {
    if (fixedFlags) throw new UsageError('--limit, --window and --window-offset belong to the fixed window', 'use --rate and --burst with --algorithm token-bucket');
    if (o.rate === undefined || o.burst === undefined) {
      throw new UsageError('--algorithm token-bucket needs --rate R and --burst B', 'e.g. --rate 2.5 --burst 10');
    }
    return { algorithm: 'token_bucket', ratePerS: o.rate, burst: o.burst };
  }
  if (bucketFlags) throw new UsageError('--rate and --burst belong to the token bucket', 'add --algorithm token-bucket');
  return { algorithm: 'fixed_window', limit: o.limit ?? SERVE_DEFAULTS.limit, windowS: o.window ?? SERVE_DEFAULTS.windowS };
};

const startOrExplain = async (o: ServeOptions, version: VersionView | null): Promise<RunningSimulator> => {
  try {
    return await startSimulator({
      host: o.host,
      port: o.port,
      rateLimit: rateLimitFrom(o),
      faultRate: o.faultRate,
      readOnlyTokens: o.readOnlyToken,
      rateLimitHeaders: o.rateLimitHeaders,
      ...(o.windowOffset !== undefined ? { windowOffsetS: o.windowOffset } : {}),
      ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
      ...(version ? { version } : {}),
    });
  } catch (err) {
    if (err instanceof SimulatorOptionError) throw new UsageError(err.message);
    const code = (err as NodeJS.ErrnoException)?.code;
    const where = `${o.host}:${o.port}`;
    if (code === 'EADDRINUSE') throw new SetupError(`port ${o.port} on ${o.host} is already in use`, 'choose another --port, or --port 0 for a free one');
    if (code === 'EACCES') throw new SetupError(`not allowed to listen on ${where}`, 'choose a --port above 1023');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new SetupError(`cannot listen on ${where}: no such local address`, 'use --host 127.0.0.1 or ::1');
    }
    throw err;
  }
};

/**
 * Resolves on the first SIGINT or SIGTERM. The handlers stay installed: removing them
 * inside the handler would let a library's exit hook (signal-exit) see itself alone and
 * re-raise the signal, killing the process before requests in flight are answered.
 */
const untilSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    let seen = false;
    const on = (sig: NodeJS.Signals) => {
      if (seen) {
        process.stderr.write(`devrev-gate serve: second ${sig}, stopping now\n`);
        process.exit(130);
      }
      seen = true;
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });

export const register = (program: Command): void => {
  program
    .command('serve')
    .description('run the embedded DevRev simulator as a standalone provider until SIGINT or SIGTERM')
    .option('--host <host>', 'interface to listen on', SERVE_DEFAULTS.host)
    .option('--port <n>', 'port to listen on (0 picks a free one)', intOption('--port', { max: 65535 }), SERVE_DEFAULTS.port)
    .addOption(
      new Option('--algorithm <name>', 'rate limiter: a fixed window (as DevRev documents) or a token bucket')
        .choices(['fixed-window', 'token-bucket'])
        .default('fixed-window'),
    )
    .option('--limit <n>', `requests per user per window (default ${SERVE_DEFAULTS.limit}, the docs' example quota)`, intOption('--limit', { min: 1 }))
    .option('--window <seconds>', `fixed window length (default ${SERVE_DEFAULTS.windowS}: DevRev's five minutes)`, intOption('--window', { min: 1 }))
    .option('--window-offset <seconds>', 'start windows this far after the clock boundaries (default 0)', numberOption('--window-offset'))
    .option('--rate <r>', 'token bucket refill, tokens per second (fractions allowed)', numberOption('--rate', { exclusiveMin: true }))
    .option('--burst <b>', 'token bucket size', intOption('--burst', { min: 1 }))
    .option('--no-rate-limit', 'no limiter and no X-Ratelimit-* headers')
    .addOption(
      new Option('--rate-limit-headers <mode>', 'rate-limit headers: truthful, left out, or lying (for testing estimators)')
        .choices(['correct', 'absent', 'wrong'])
        .default('correct'),
    )
    .option('--fault-rate <f>', 'fraction of requests answered 500 or 503 (0 to 1)', numberOption('--fault-rate', { max: 1 }), 0)
    .option('--read-only-token <token>', 'a token that gets 403 on creates (repeatable)', collect, [])
    .option('--max-body-bytes <n>', 'larger bodies get 400 bad_request (default 262144)', intOption('--max-body-bytes', { min: 64 }))
    .addOption(openapiOption())
    .addHelpText(
      'after',
      '\nAny non-empty token (Authorization: Bearer <token> or the raw token) is a distinct user.\n' +
        'Setup routes for tests live under /__simulator/ (see the README).',
    )
    .action(async (o: ServeOptions) => {
      // A bad document is one line and exit 2 before anything listens.
      const version = servedVersion(o.openapi, null);
      const stopSignal = untilSignal();
      const sim = await startOrExplain(o, version);
      if (version) process.stderr.write(`serving ${version.source}: ${[...version.endpoints.keys()].join(', ')}\n`);
      process.stdout.write(`listening on ${sim.url}\n`);
      const signal = await stopSignal;
      process.stderr.write(`devrev-gate serve: ${signal}, finishing requests in flight\n`);
      await sim.close();
    });
};
