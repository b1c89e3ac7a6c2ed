import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readLedgerFile } from '../../cleanup/index.ts';
import { loadResults } from '../../cli/commands/report.ts';
import { main } from '../../cli/main.ts';
import { loadConfig } from '../../cli/settings/fixtures.ts';
import { GateError } from '../../core/errors.ts';
import { parseBaseline } from '../../drift/baseline.ts';
import { errorLines } from '../errors/support.ts';
import { parseIgnore } from '../../api-model/ignore.ts';
import { argvs, fileContents } from './generators.ts';
import { allFlags, flagsOf, hasValidator, leafPaths, validatingProgram } from './validate-only.ts';

// Arbitrary argv and arbitrary input files: every one is either accepted (exit 0) or
// refused with exit 2 and a one-line reason, never an unexpected exception. Targets are
// parsed, never contacted: the actions only run the checks a command makes before it
// sends anything (see validate-only.ts).

const SEED = Number(process.env['FC_SEED'] ?? (Date.now() ^ (Math.random() * 0x100000000)) >>> 0);
const RUNS = Number(process.env['FC_RUNS'] ?? 400);
console.log(`cli fuzz: seed ${SEED}, ${RUNS} runs (replay with FC_SEED=${SEED})`);

const scratch = mkdtempSync(join(tmpdir(), 'dg-cli-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Input files the generated argv may name; their contents change every run. */
const FILE_NAMES = ['ignore.json', 'ignore.yaml', 'baseline.json', 'ledger.jsonl', 'config.json', 'results.json', 'missing.json'];
const files = [...FILE_NAMES.map((f) => join(scratch, 'in', f)), join(scratch, 'in')];
mkdirSync(join(scratch, 'in'));

interface Outcome {
  code: number;
  stderr: string;
  stdout: string;
}

/** main() as the binary runs it, with output captured instead of printed. */
const runMain = async (argv: string[]): Promise<Outcome> => {
  const out: string[] = [];
  const err: string[] = [];
  const realOut = process.stdout.write;
  const realErr = process.stderr.write;
  const env = { url: process.env['DEVREV_API_URL'], token: process.env['DEVREV_TOKEN'], b: process.env['DEVREV_TOKEN_B'] };
  delete process.env['DEVREV_API_URL'];
  delete process.env['DEVREV_TOKEN'];
  delete process.env['DEVREV_TOKEN_B'];
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'devrev-gate', ...argv], validatingProgram(join(scratch, 'out')));
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    process.exitCode = undefined;
    if (env.url !== undefined) process.env['DEVREV_API_URL'] = env.url;
    if (env.token !== undefined) process.env['DEVREV_TOKEN'] = env.token;
    if (env.b !== undefined) process.env['DEVREV_TOKEN_B'] = env.b;
  }
};

const program = validatingProgram(join(scratch, 'out'));
const paths = leafPaths(program);
const flags = allFlags(program);

describe('the CLI on arbitrary arguments', () => {
  it('knows the checks of every registered subcommand', () => {
    // A new subcommand still gets the session checks, but name it here when it has its own.
    expect(paths.map((p) => p.join(' ')).filter((p) => !hasValidator(p.split(' ')))).toEqual([]);
    expect(flags).toEqual(expect.arrayContaining(['--target', '--token', '--out', '--ignore', '--baseline', '--ledger', '--port', '--seed']));
  });

  it('accepts or refuses every argv with exit 0 or 2 and a one-line reason, never a crash', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(argvs([...paths, []], (p) => flagsOf(program, p), flags, files), fc.array(fileContents, { minLength: FILE_NAMES.length - 1, maxLength: FILE_NAMES.length - 1 }), async (argv, contents) => {
        for (const [i, c] of contents.entries()) writeFileSync(join(scratch, 'in', FILE_NAMES[i]!), c);
        const r = await runMain(argv);
        const why = `argv ${JSON.stringify(argv)}\nstderr ${r.stderr}`;
        expect(r.stderr, why).not.toContain('unexpected error');
        expect([0, 2], why).toContain(r.code);
        if (r.code === 0) seen.accepted++;
        else {
          seen.refused++;
          expect(r.stderr.trim(), why).not.toBe('');
          if (r.stderr.startsWith('devrev-gate: ') && !argv.includes('--debug')) expect(errorLines(r.stderr), why).toHaveLength(1);
        }
        if (!argv.includes('--debug')) expect(r.stderr, why).not.toMatch(/^ {4}at /m);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`cli fuzz: ${seen.accepted} accepted, ${seen.refused} refused`);
    // Both sides are reached, or the property proves little.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});

describe('the file loaders on arbitrary contents', () => {
  /** Returns normally or throws a GateError (one line, exit 2); anything else is a crash. */
  const acceptsOrRefuses = (load: () => unknown) => {
    try {
      load();
    } catch (err) {
      if (!(err instanceof GateError)) throw err;
      expect(err.oneLine()).not.toContain('\n');
    }
  };

  it.each([
    ['an ignore file (JSON)', 'x.ignore.json'],
    ['an ignore file (YAML)', 'x.ignore.yaml'],
  ])('reads %s or names what is wrong with it', (_name, file) => {
    fc.assert(
      fc.property(fileContents, (bytes) => acceptsOrRefuses(() => parseIgnore(bytes.toString('utf8'), file))),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('reads a baseline or names what is wrong with it', () => {
    fc.assert(
      fc.property(fileContents, (bytes) => acceptsOrRefuses(() => parseBaseline(bytes.toString('utf8'), 'baseline.json'))),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it.each([
    ['a ledger', 'ledger.jsonl', (f: string) => readLedgerFile(f)],
    ['a config', 'devrev-gate.config.json', (f: string) => loadConfig(f)],
    ['saved results', 'results.json', (f: string) => loadResults(f)],
  ] as const)('reads %s from disk or names what is wrong with it', (_name, name, load) => {
    const file = join(scratch, `direct-${name}`);
    fc.assert(
      fc.property(fileContents, (bytes) => {
        writeFileSync(file, bytes);
        acceptsOrRefuses(() => load(file));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
