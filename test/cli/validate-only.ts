import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { readLedgerFile } from '../../cleanup/index.ts';
import { type CommonOptions, ensureOutDir, targetFrom } from '../../cli/options.ts';
import { buildProgram } from '../../cli/main.ts';
import { loadResults } from '../../cli/commands/report.ts';
import { rateLimitFrom } from '../../cli/commands/serve.ts';
import { loadConfig } from '../../cli/settings/fixtures.ts';
import { UsageError } from '../../core/errors.ts';
import { parseTarget } from '../../core/target.ts';
import { loadBaseline } from '../../drift/baseline.ts';
import { loadIgnore } from '../../api-model/ignore.ts';
import { planPin } from '../../api-model/openapi/pin.ts';
import { openSide } from '../../docs-drift/resolve.ts';
import { type LoadOptions, validateLoadOptions } from '../../load/options.ts';
import { PROPERTIES_DEFAULTS, type PropertiesOptions } from '../../properties/options.ts';
import { validateOptions } from '../../properties/options.ts';
import { resolveOptions, SimulatorOptionError } from '../../simulator/options.ts';

/**
 * The CLI with every subcommand's action replaced by the checks the real command makes
 * before it starts a simulator or sends a request: option parsing stays commander's and
 * the commands' own, file loaders run on real files, and nothing is ever sent anywhere,
 * whatever target the arguments name.
 */

// biome-ignore lint/suspicious/noExplicitAny: commander hands actions an untyped options bag.
type Opts = Record<string, any>;

/** Every leaf command (one that has an action) as its path of names, e.g. ['load', 'probe']. */
export const leafPaths = (cmd: Command, prefix: string[] = []): string[][] =>
  cmd.commands.flatMap((c) => (c.commands.length ? leafPaths(c, [...prefix, c.name()]) : [[...prefix, c.name()]]));

export const leafAt = (program: Command, path: string[]): Command | undefined =>
  path.reduce<Command | undefined>((cmd, name) => cmd?.commands.find((c) => c.name() === name), program);

/** A long flag, whether it takes a value, and the values it allows (when it names them). */
export interface FlagInfo {
  flag: string;
  takesValue: boolean;
  choices: string[];
}

const flagInfos = (c: Command): FlagInfo[] =>
  c.options.flatMap((o) =>
    o.long && o.long !== '--help' && o.long !== '--version'
      ? [{ flag: o.long, takesValue: o.required || o.optional, choices: o.argChoices ?? [] }]
      : [],
  );

const longFlags = (c: Command) => flagInfos(c).map((f) => f.flag);

/** Every long flag any command knows, negations included. */
export const allFlags = (program: Command): string[] => {
  const out = new Set<string>();
  const walk = (c: Command) => {
    for (const f of longFlags(c)) out.add(f);
    c.commands.forEach(walk);
  };
  walk(program);
  return [...out].sort();
};

/** The long flags one command path accepts. */
export const flagsOf = (program: Command, path: string[]): FlagInfo[] => {
  const leaf = path.length ? leafAt(program, path) : undefined;
  return leaf ? flagInfos(leaf) : [];
};

/** --out lands inside the scratch folder, whatever it says. */
const outInside = (scratch: string, out: string) => {
  const p = resolve(scratch, isAbsolute(out) ? `.${out}` : out);
  return relative(scratch, p).startsWith('..') ? join(scratch, 'escaped') : p;
};

const common = (o: Opts, scratch: string) => {
  targetFrom(o as CommonOptions);
  ensureOutDir(outInside(scratch, String(o['out'])));
  loadConfig(o['config']);
};

const properties = (o: Opts) => {
  const options: Partial<PropertiesOptions> = {
    ...(o['runs'] !== undefined ? { runsPerClass: o['runs'] } : {}),
    ...(o['seed'] !== undefined ? { seed: o['seed'] } : {}),
    ...(o['budget'] !== undefined ? { budget: o['budget'] } : {}),
    ...(o['timeBudget'] !== undefined ? { timeBudgetS: o['timeBudget'] } : {}),
    ...(o['property']?.length ? { properties: o['property'] } : {}),
    ...(o['classes'] ? { classes: String(o['classes']).split(',').filter(Boolean) } : {}),
    ...((o['replayPath'] ?? o['path']) !== undefined ? { replayPath: o['replayPath'] ?? o['path'] } : {}),
  };
  validateOptions({ ...PROPERTIES_DEFAULTS, ...options });
};

const load = (command: string, o: Opts) => {
  const options: Partial<LoadOptions> = {
    allowRemote: Boolean(o['allowRemote']),
    ...(o['maxRequests'] !== undefined ? { maxRequests: o['maxRequests'] } : {}),
    ...(o['concurrency'] !== undefined ? { concurrency: o['concurrency'] } : {}),
    ...(o['duration'] !== undefined ? (command === 'probe' ? { probeDurationS: o['duration'] } : { maxDurationS: o['duration'] }) : {}),
    ...(o['rate'] !== undefined ? { rate: o['rate'] } : {}),
    ...(o['maxRate'] !== undefined ? { maxRate: o['maxRate'] } : {}),
    ...(o['trials'] !== undefined ? { trials: o['trials'] } : {}),
    ...(o['fairnessDuration'] !== undefined ? { fairnessS: o['fairnessDuration'] } : {}),
    ...(o['secondToken'] ? { secondToken: o['secondToken'] } : {}),
    ...(o['algorithm'] ? { algorithm: o['algorithm'] } : {}),
  };
  validateLoadOptions(options);
};

const serve = (o: Opts) => {
  try {
    resolveOptions({
      host: o['host'],
      port: o['port'],
      rateLimit: rateLimitFrom(o as Parameters<typeof rateLimitFrom>[0]),
      faultRate: o['faultRate'],
      readOnlyTokens: o['readOnlyToken'],
      rateLimitHeaders: o['rateLimitHeaders'],
      ...(o['windowOffset'] !== undefined ? { windowOffsetS: o['windowOffset'] } : {}),
      ...(o['maxBodyBytes'] !== undefined ? { maxBodyBytes: o['maxBodyBytes'] } : {}),
    });
  } catch (err) {
    // serve turns the simulator's option errors into usage errors the same way.
    if (err instanceof SimulatorOptionError) throw new UsageError(err.message);
    throw err;
  }
};

const VALIDATORS: Record<string, (o: Opts, scratch: string) => void> = {
  drift: (o, scratch) => {
    loadIgnore(o['ignore'], scratch);
    if (o['baseline']) loadBaseline(o['baseline'], scratch);
    if (o['recordBaseline']) {
      const file = resolve(scratch, `./${o['recordBaseline']}`);
      if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError('--record-baseline is a folder');
      ensureOutDir(dirname(outInside(scratch, file)));
    }
    common(o, scratch);
  },
  run: (o, scratch) => {
    loadIgnore(o['ignore'], scratch);
    common(o, scratch);
  },
  properties: (o, scratch) => {
    properties(o);
    common(o, scratch);
  },
  cleanup: (o) => {
    readLedgerFile(o['ledger']);
    if (!o['target']) throw new UsageError('cleanup needs the --target');
    if (!o['token']) throw new UsageError('cleanup needs a token');
    parseTarget(o['target']);
  },
  contracts: (o, scratch) => {
    if (o['statesUrl'] && o['statesModule']) throw new UsageError('--states-url and --states-module are exclusive');
    if (o['statesUrl'] && !/^https?:\/\//.test(o['statesUrl'])) throw new UsageError('--states-url is not an http(s) URL');
    // --states-module is imported by the real command: code is never run from fuzzed input.
    common(o, scratch);
  },
  'load probe': (o, scratch) => {
    load('probe', o);
    common(o, scratch);
  },
  'load capacity': (o, scratch) => {
    load('capacity', o);
    common(o, scratch);
  },
  'load recovery': (o, scratch) => {
    load('recovery', o);
    common(o, scratch);
  },
  report: (o, scratch) => {
    const { file } = loadResults(o['from']);
    ensureOutDir(outInside(scratch, o['out'] ?? join(file, '..')));
  },
  serve,
  // The ignore file is read and both documents are opened and proven whole before anything is compared or written.
  'spec diff': (o, scratch) => {
    loadIgnore(o['ignore'], scratch);
    openSide(o['from']);
    openSide(o['to']);
    ensureOutDir(outInside(scratch, String(o['out'])));
  },
  'spec check': (o, scratch) => {
    loadIgnore(o['ignore'], scratch);
    openSide(o['openapi']);
    ensureOutDir(outInside(scratch, String(o['out'])));
  },
  // `init` writes only in the folder it runs in: here it checks its options and document.
  init: (o, scratch) => {
    if ((o['commit'] || o['date']) && !o['openapi']) throw new UsageError('--commit and --date describe --openapi FILE');
    if (o['openapi']) planPin({ file: o['openapi'], commit: o['commit'], date: o['date'], out: outInside(scratch, 'slice.json') });
  },
  // `config` only prints; the command it names is parsed by that command's own checks.
  config: () => {},
  'spec pin': (o, scratch) => {
    planPin({ file: o['args'][0], commit: o['commit'], date: o['date'], out: outInside(scratch, o['slice'] ?? 'slice.json') });
  },
};

export const hasValidator = (path: string[]): boolean => path.join(' ') in VALIDATORS;

/** The real program, parsing as it does, with validate-only actions; `scratch` takes every write. */
export const validatingProgram = (scratch: string): Command => {
  const program = buildProgram();
  for (const path of leafPaths(program)) {
    const check = VALIDATORS[path.join(' ')];
    leafAt(program, path)!.action(async (...args: unknown[]) => {
      // Commander passes positionals, then the options, then the command.
      const command = args[args.length - 1] as Command;
      const o: Opts = { ...command.opts(), args: command.args };
      // A subcommand added later gets at least the checks every session makes.
      if (check) check(o, scratch);
      else if ('target' in o || 'out' in o) common(o, scratch);
    });
  }
  return program;
};
