import { renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { loadIgnore } from '../../api-model/ignore.ts';
import { planPin, writePin } from '../../api-model/openapi/pin.ts';
import { sliceInfo } from '../../api-model/openapi/slice.ts';
import { EXIT } from '../../core/errors.ts';
import { shownPath } from '../../core/shown-path.ts';
import { EXIT_CODE_OF, type FailOnName, RESULTS_SCHEMA_VERSION, type RunResults, runOutcome, verdictOfOutcome } from '../../core/results.ts';
import { writeReports } from '../../reports/index.ts';
import { renderVerdictLine } from '../../reports/terminal.ts';
import { defaultOutFor, ensureOutDir, type GateCliOptions, withGateOptions } from '../options.ts';
import { loadSpec } from '../pillars.ts';
import { RESULTS_FILE } from '../session.ts';

interface SpecCliOptions extends Omit<GateCliOptions, 'failOn'> {
  failOn: FailOnName;
  out: string;
  pact: boolean;
  verbose?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

const loadTable = () => import('../../docs-drift/table.ts');

const common = (cmd: Command): Command =>
  withGateOptions(cmd, { ourContract: true })
    .option('--out <dir>', 'folder for results.json and the reports', defaultOutFor(cmd))
    .option('--no-pact', 'do not check the committed pact against the newer document')
    .option('--verbose', 'list info changes one by one too')
    .option('--quiet', 'print nothing but errors')
    .option('--debug', 'show stack traces on errors');

/**
 * Reads the ignore file and opens both documents, compares, prints, then writes
 * results.json and the reports, each file whole. A document or ignore file that cannot be
 * used ends the run before --out is made, so it leaves nothing behind, not even an empty
 * folder.
 */
const diffAndReport = async (fromArg: string, toArg: string, o: SpecCliOptions): Promise<void> => {
  const started = new Date();
  const ignore = loadIgnore(o.ignore);
  const { impactPactFiles, openSide, readPactView, runSpecDiff } = await loadSpec();
  const from = openSide(fromArg);
  const to = openSide(toArg);
  // A pact of the user's that is not one is a setup error too, said before anything is written.
  const impactPacts = impactPactFiles().map(readPactView);
  const outDir = ensureOutDir(o.out);
  const run = await runSpecDiff(from, to, { failOn: o.failOn, pact: o.pact, ignore, impactPacts });
  const pin = sliceInfo();
  const outcome = runOutcome({ pillars: [run.result], records: { remaining: 0 }, require: o.require, interrupted: false, setupError: false, toolFault: false });
  const results: RunResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'devrev-gate', version: '0.1.0' },
    runId: `spec-${started.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`,
    target: { url: `${run.from.label} → ${run.to.label}`, kind: 'none' },
    pinned: { source: pin.source.file, commit: pin.source.commit ?? `sha256:${pin.source.sha256.slice(0, 12)}`, date: pin.source.date ?? 'unknown' },
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    failOn: o.failOn,
    require: o.require,
    outcome,
    verdict: verdictOfOutcome(outcome),
    interrupted: false,
    requests: { sent: 0, budget: 0 },
    records: { created: 0, removed: 0, remaining: 0 },
    pillars: [run.result],
  };
  const tmp = join(outDir, `${RESULTS_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, join(outDir, RESULTS_FILE));
  const files = await writeReports(results, outDir);
  if (!o.quiet) {
    const { renderPactCheck, renderSpecChanges } = await loadTable();
    process.stdout.write(renderSpecChanges(run.changes, `docs drift ${run.from.source} → ${run.to.source}`, o.verbose, run.ignored, run.impacts));
    const pact = run.result.checks.find((c) => c.id === 'spec.pact-vs-document');
    if (pact) process.stdout.write(renderPactCheck(pact));
    for (const f of run.result.checks.find((c) => c.id === 'spec.ignore-file')?.findings ?? []) process.stdout.write(`  ERROR   ${f.ruleId}  ${f.message}\n`);
    process.stderr.write(`reports: ${[join(outDir, RESULTS_FILE), ...files].map((f) => relative(process.cwd(), f) || f).join(', ')}\n`);
    process.stderr.write(`${renderVerdictLine(results)}\n`);
  }
  process.exitCode = EXIT_CODE_OF[results.outcome];
};

/** `devrev-gate spec`: docs drift between DevRev OpenAPI documents, and the pin. */
export const register = (program: Command): void => {
  const spec = program
    .command('spec')
    .description('docs drift: classify what changed between DevRev OpenAPI documents in what the suite depends on; update the pin');

  common(
    spec
      .command('diff')
      .description('classify every change between two documents (a file, or "pinned" for the committed slice)')
      .requiredOption('--from <doc>', 'the older document: a YAML or JSON file, or "pinned"')
      .requiredOption('--to <doc>', 'the newer document: a YAML or JSON file, or "pinned"'),
  ).action((o: SpecCliOptions & { from: string; to: string }) => diffAndReport(o.from, o.to, o));

  common(
    spec
      .command('check')
      .description('the same as diff --from pinned --to FILE: what a newly published document changes')
      .requiredOption('--openapi <file>', 'the published document (YAML or JSON)'),
  ).action((o: SpecCliOptions & { openapi: string }) => diffAndReport('pinned', o.openapi, o));

  spec
    .command('pin')
    .description('show the classified changes from the current pin, then write the new slice (npm run spec:pin -- FILE)')
    .argument('<file>', 'the published document to pin (YAML or JSON)')
    .option('--commit <sha>', 'commit of the docs repository the document comes from')
    .option('--date <yyyy-mm-dd>', 'date it was published')
    .option('--check', 'write nothing; exit 1 when the committed slice differs from what FILE gives')
    .option('--slice <file>', 'the slice file to compare with and write (default: devrev-gate/openapi-slice.json in a repository set up by init, else the package pin)')
    .option('--verbose', 'list info changes one by one too')
    .option('--debug', 'show stack traces on errors')
    .action(async (file: string, o: { commit?: string; date?: string; check?: boolean; verbose?: boolean; slice?: string }) => {
      // Everything is read, extracted and compared before the one write.
      const plan = planPin({ file, ...(o.commit ? { commit: o.commit } : {}), ...(o.date ? { date: o.date } : {}), ...(o.slice ? { out: o.slice } : {}) });
      const shown = relative(process.cwd(), plan.out) || plan.out;
      if (plan.unchanged) {
        process.stdout.write(`${shown}: ${o.check ? `up to date with ${file}` : 'unchanged'}\n`);
        process.exitCode = EXIT.PASS;
        return;
      }
      const { diffSpecs, impactOf, impactPactFiles, openSide, readPactView, sideOf, PINNED } = await loadSpec();
      const { renderSpecChanges } = await loadTable();
      const to = sideOf(file, file, plan.loaded.doc);
      to.source = file;
      // From the pin being replaced: the slice file when it exists.
      const current = plan.previousText !== null ? openSide(plan.out) : openSide(PINNED);
      const changes = diffSpecs(current, to);
      // What each change does to our pact(s), as spec check shows it: a reviewer pins knowing it.
      const pacts = impactPactFiles().map(readPactView);
      const impacts = new Map(changes.map((c) => [c, impactOf(c, pacts, shownPath)]));
      process.stdout.write(renderSpecChanges(changes, `changes from the pin to ${file}`, o.verbose, new Set(), impacts));
      if (o.check) {
        process.stderr.write(`${shown}: differs from the slice of ${file}; run devrev-gate spec pin ${file}\n`);
        process.exitCode = EXIT.FAIL;
        return;
      }
      writePin(plan);
      process.stdout.write(
        `${shown}: written from ${file} (sha256 ${plan.loaded.sha256.slice(0, 12)}, commit ${plan.source.commit ?? 'unknown'}, ${plan.text.length} bytes); run the tests to see what it changes in the suite\n`,
      );
      process.exitCode = EXIT.PASS;
    });
};
