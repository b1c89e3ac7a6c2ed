import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import { OUR_CONTRACT, REQUIRE_LEVELS, type RequireLevelName } from '../core/results.ts';
import { parseTarget, type Target } from '../core/target.ts';
import { withKind } from './settings/option-kinds.ts';

/** Options every subcommand shares, with their environment fallbacks. */
export interface CommonOptions {
  target?: string;
  token?: string;
  out: string;
  debug?: boolean;
  quiet?: boolean;
  config?: string;
  /** `--openapi FILE` of the commands that start the embedded simulator (cli/openapi-option.ts). */
  openapi?: string;
}

/** Every command's reports live under here, each in its own folder (see defaultOutFor). */
export const REPORTS_ROOT = 'reports/devrev-gate';

/**
 * A command's own default output folder, named from its path: `run` → reports/devrev-gate/run,
 * `spec check` → reports/devrev-gate/spec-check. One command never overwrites another's reports.
 */
export const defaultOutFor = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return `${REPORTS_ROOT}/${names.join('-')}`;
};

export const withCommonOptions = (cmd: Command): Command =>
  cmd
    .addOption(new Option('--target <url>', 'base URL of the DevRev API to check (default: the embedded simulator)').env('DEVREV_API_URL'))
    .addOption(new Option('--token <token>', 'API token sent as Authorization (never written to any artifact)').env('DEVREV_TOKEN'))
    .option('--out <dir>', 'folder for results and reports', defaultOutFor(cmd))
    .option('--config <file>', 'config file: settings and tenant fixtures (default: devrev-gate.config.yaml, .yml or .json here, if present)')
    .option('--quiet', 'no progress output')
    .option('--debug', 'show stack traces on errors');

/** The gate's options, the same for every command that judges a provider. */
export interface GateCliOptions {
  failOn: 'error' | 'warning';
  require: RequireLevelName;
  ignore?: string;
}

/**
 * `our-contract` exists where findings carry their impact on our pact (`spec diff`/`spec
 * check`): there it fails only on errors that break an interaction of the pact.
 */
const FAIL_ON_HELP = 'lowest finding severity that fails the run';
const OUR_CONTRACT_HELP = `${FAIL_ON_HELP}; ${OUR_CONTRACT}: only an error that breaks an interaction of our pact (the project's, and the user's pacts/*.json after init) fails it, a change breaking only other clients does not`;

export const withGateOptions = (cmd: Command, { ourContract = false }: { ourContract?: boolean } = {}): Command =>
  cmd
    .addOption(
      new Option('--fail-on <severity>', ourContract ? OUR_CONTRACT_HELP : FAIL_ON_HELP).choices(ourContract ? ['error', 'warning', OUR_CONTRACT] : ['error', 'warning']).default('error'),
    )
    .addOption(
      new Option('--require <level>', 'complete: a check skipped or inconclusive for a cause the user can fix (not one that cannot apply here), or a record the cleanup could not remove, fails the run as incomplete')
        .choices([...REQUIRE_LEVELS])
        .default('none'),
    )
    .option('--ignore <file>', 'ignore file for findings of any pillar (default: devrev-gate.ignore.json/.yaml/.yml here, if present)');

/** Parses a whole number option; names the option and the fix when it is not one. */
export const intOption =
  (name: string, { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}) =>
  withKind((raw: string): number => {
    const n = Number(raw);
    if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    }
    return n;
  }, { type: 'integer', minimum: min, maximum: max });

/** Parses a decimal option within bounds. */
export const numberOption =
  (name: string, { min = 0, max = Number.MAX_VALUE, exclusiveMin = false }: { min?: number; max?: number; exclusiveMin?: boolean } = {}) =>
  withKind((raw: string): number => {
    const n = Number(raw);
    const low = exclusiveMin ? n > min : n >= min;
    if (raw.trim() === '' || !Number.isFinite(n) || !low || n > max) {
      throw new UsageError(`${name} must be a number ${exclusiveMin ? 'above' : 'from'} ${min}${max < Number.MAX_VALUE ? ` to ${max}` : ''}, got ${JSON.stringify(raw)}`);
    }
    return n;
  }, { type: 'number', ...(exclusiveMin ? { exclusiveMinimum: min } : { minimum: min }), ...(max < Number.MAX_VALUE ? { maximum: max } : {}) });

/** The target given, or null for the embedded simulator. */
export const targetFrom = (o: CommonOptions): Target | null => {
  if (o.target === undefined || o.target === '') return null;
  const target = parseTarget(o.target);
  if (!o.token) {
    throw new UsageError('a --target needs a token', 'pass --token or set DEVREV_TOKEN');
  }
  return target;
};

/** Checks the output folder can be written before any request is sent. */
export const ensureOutDir = (dir: string): string => {
  const abs = resolve(dir);
  try {
    if (existsSync(abs)) {
      if (!statSync(abs).isDirectory()) throw new UsageError(`--out ${dir} is a file, not a folder`, 'choose a folder path');
    } else {
      // One level at a time: Node 20's recursive mkdir never returns for a path under /proc.
      const missing: string[] = [];
      for (let p = abs; !existsSync(p); p = dirname(p)) missing.unshift(p);
      for (const p of missing) mkdirSync(p);
    }
    accessSync(abs, constants.W_OK);
    // access() says yes to root on read-only file systems; only a real write tells.
    const probe = join(abs, `.devrev-gate-write-check-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot write to --out ${dir}`, 'choose a folder you can write to');
  }
  return abs;
};
