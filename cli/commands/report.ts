import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { validate } from '../../api-model/shapes/validate.ts';
import { UsageError } from '../../core/errors.ts';
import { shownPath } from '../../core/shown-path.ts';
import { EXIT_CODE_OF, RunResults } from '../../core/results.ts';
import { writeReports } from '../../reports/index.ts';
import { ensureOutDir } from '../options.ts';
import { RESULTS_FILE } from '../session.ts';

interface ReportOptions {
  from: string;
  out?: string;
  quiet?: boolean;
}

/** Reads a saved results.json and checks it against the results model before any writer sees it. */
export const loadResults = (from: string): { file: string; results: RunResults } => {
  const abs = resolve(from);
  const file = existsSync(abs) && statSync(abs).isDirectory() ? join(abs, RESULTS_FILE) : abs;
  const shown = shownPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${shown}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`}`,
      'pass --from the --out folder of an earlier run (it holds results.json)',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${shown}: not JSON (${(err as Error).message.replace(/\s*\n\s*/g, ' ')})`);
  }
  const verdict = validate(RunResults, value);
  if (!verdict.valid) {
    const first = verdict.errors[0]!;
    const more = verdict.errors.length > 1 ? ` (and ${verdict.errors.length - 1} more problem(s))` : '';
    throw new UsageError(`${shown}: not devrev-gate results: ${first.pointer || '/'} ${first.message}${more}`);
  }
  return { file, results: value as RunResults };
};

/** `devrev-gate report --from DIR`: redraws every report from saved results, without a request. */
export const register = (program: Command): void => {
  program
    .command('report')
    .description('re-render summary.json, junit.xml, summary.md, index.html, results.sarif and ctrf.json from a saved results.json')
    .requiredOption('--from <dir>', 'folder holding results.json (the --out of an earlier run), or the file itself')
    .option('--out <dir>', 'folder for the reports (default: the --from folder)')
    .option('--quiet', 'print nothing but errors')
    .option('--debug', 'show stack traces on errors')
    .action(async (o: ReportOptions) => {
      const { file, results } = loadResults(o.from);
      const outDir = ensureOutDir(o.out ?? join(file, '..'));
      const written = await writeReports(results, outDir);
      if (!o.quiet) {
        for (const f of written) process.stdout.write(`${shownPath(f)}\n`);
        process.stdout.write(`verdict: ${results.verdict}${results.interrupted ? ' (interrupted run)' : ''}\n`);
      }
      // The exit code is the saved run's outcome's, so a CI step can gate on a re-rendered report.
      process.exitCode = EXIT_CODE_OF[results.outcome];
    });
};
