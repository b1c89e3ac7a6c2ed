import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../cli/session.ts';
import { SetupError } from '../../core/errors.ts';
import { type CheckResult, EXIT_CODE_OF, type Finding, type PillarResult, type RunOutcomeName, type RunResults } from '../../core/results.ts';
import { REPORT_FILES } from '../../reports/index.ts';
import type { Summary } from '../../reports/summary.ts';
import { renderVerdictLine } from '../../reports/terminal.ts';
import { finding } from './fixture.ts';

// One outcome in every artifact: whatever ends a run, the exit code, results.json,
// summary.json, SARIF, JUnit, CTRF, summary.md, index.html and the verdict line say the
// same thing, with the same counts of skipped and inconclusive checks.

type Node = Record<string, unknown>;
const list = (x: unknown): Node[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]) as Node[];

const propertyFinding = (o: Partial<Finding> & Pick<Finding, 'ruleId'>): Finding => finding({ checkId: 'properties.c0', pillar: 'properties', status: 500, pointer: '', ...o });

const pillar = (checks: Array<Pick<CheckResult, 'outcome' | 'findings'> & { reason?: string }>): PillarResult => ({
  pillar: 'properties',
  startedAt: new Date().toISOString(),
  durationMs: 0,
  requestsSent: 0,
  checks: checks.map((c, i) => ({ id: `properties.c${i}`, pillar: 'properties', name: `c${i}`, endpoint: 'rev-users.create', durationMs: 0, ...c })),
});

// Every run holds one skipped and one inconclusive check: the counts must travel intact.
const gaps = [
  { outcome: 'skipped' as const, findings: [], reason: 'needs a fixture' },
  { outcome: 'inconclusive' as const, findings: [], reason: 'throttled: 3 of 3 requests got 429' },
];

const CASES: Array<{ outcome: RunOutcomeName; label: RegExp; run: () => Promise<PillarResult> }> = [
  { outcome: 'passed', label: /^PASS with gaps/, run: async () => pillar([{ outcome: 'pass', findings: [] }, ...gaps]) },
  {
    outcome: 'failed',
    label: /^FAIL$/,
    run: async () => pillar([{ outcome: 'pass', findings: [propertyFinding({ ruleId: 'properties.phones-e164.status' })] }, ...gaps]),
  },
  {
    outcome: 'setup-error',
    label: /^SETUP ERROR$/,
    run: async () => {
      throw new SetupError('nothing listens at the target', 'start it');
    },
  },
  {
    outcome: 'tool-fault',
    label: /^TOOL FAULT/,
    // The suite's own bug: a class the generator never produced.
    run: async () => pillar([{ outcome: 'pass', findings: [propertyFinding({ ruleId: 'suite-class-never-generated', message: 'class rev.x never generated' })] }, ...gaps]),
  },
  {
    outcome: 'interrupted',
    label: /^INTERRUPTED$/,
    run: async () => {
      process.emit('SIGINT', 'SIGINT');
      return pillar([{ outcome: 'pass', findings: [] }, ...gaps]);
    },
  },
];

const artifacts = (out: string) => {
  const read = (f: string) => readFileSync(join(out, f), 'utf8');
  return {
    results: JSON.parse(read('results.json')) as RunResults,
    summary: JSON.parse(read(REPORT_FILES.summary)) as Summary,
    sarif: JSON.parse(read(REPORT_FILES.sarif)) as Log,
    junit: new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(read(REPORT_FILES.junit)) as { testsuites: Node },
    ctrf: JSON.parse(read(REPORT_FILES.ctrf)) as { results: { summary: Record<string, number>; tests: Node[]; extra: Node; environment: Node } },
    md: read(REPORT_FILES.markdown),
    html: read(REPORT_FILES.html),
  };
};

/** What each artifact says the outcome is, and its counts of skipped and inconclusive checks. */
const said = (a: ReturnType<typeof artifacts>) => {
  const inv = a.sarif.runs[0]!.invocations![0]!;
  const run = list(a.junit.testsuites['testsuite']).find((s) => s['@name'] === 'run')!;
  const prop = (name: string) => list((run['properties'] as Node)['property']).find((p) => p['@name'] === name)?.['@value'];
  const runTest = a.ctrf.results.tests.at(-1)!;
  return {
    results: a.results.outcome,
    summary: [a.summary.outcome, a.summary.exitCode, a.summary.gaps.skipped, a.summary.gaps.inconclusive],
    sarif: [(inv.properties as Node)['outcome'], inv.exitCode],
    junit: [prop('outcome'), Number(prop('exit_code')), Number(prop('skipped')), Number(prop('inconclusive'))],
    ctrf: [a.ctrf.results.extra['outcome'], a.ctrf.results.extra['exitCode'], runTest['rawStatus'], a.ctrf.results.summary['skipped'], a.ctrf.results.summary['other']],
  };
};

describe('one outcome in every artifact', () => {
  for (const c of CASES) {
    it(`${c.outcome}: the exit code, results.json, summary.json, SARIF, JUnit, CTRF, summary.md, HTML and the verdict line agree`, async () => {
      const out = mkdtempSync(join(tmpdir(), `dg-outcome-${c.outcome}-`));
      let thrown: unknown = null;
      let code: number | null = null;
      try {
        code = await runSession({ common: { out, quiet: true }, pillars: [{ pillar: 'properties', run: c.run }] });
      } catch (err) {
        thrown = err;
      }
      const exit = process.exitCode;
      process.exitCode = 0;
      const expected = EXIT_CODE_OF[c.outcome];
      // A setup error reaches the CLI as an error (it prints one line, exits 2); the rest return.
      if (c.outcome === 'setup-error') expect(thrown).toBeInstanceOf(SetupError);
      else expect(code).toBe(expected);
      expect(exit).toBe(expected);

      const a = artifacts(out);
      const s = said(a);
      expect(s.results).toBe(c.outcome);
      expect(a.results.verdict).toBe(c.outcome === 'passed' ? 'pass' : 'fail');
      const ranPillar = c.outcome !== 'setup-error';
      const [skipped, inconclusive] = ranPillar ? [1, 1] : [0, 0];
      expect(s.summary).toEqual([c.outcome, expected, skipped, inconclusive]);
      expect(s.sarif).toEqual([c.outcome, expected]);
      expect(a.sarif.runs[0]!.invocations![0]!.executionSuccessful).toBe(c.outcome === 'passed' || c.outcome === 'failed');
      expect(s.junit).toEqual([c.outcome, expected, skipped, inconclusive]);
      expect(s.ctrf).toEqual([c.outcome, expected, c.outcome, skipped, inconclusive]);
      expect(a.ctrf.results.environment['healthy']).toBe(c.outcome === 'passed' || c.outcome === 'failed');
      // The same headline in the terminal, the step summary and the page.
      const label = renderVerdictLine(a.results).replace(/^verdict: /, '').replace(/ in \d+\.\d s · .*$/, '');
      expect(label).toMatch(c.label);
      expect(a.md.split('\n')[0]).toContain(label);
      expect(a.md).toContain(`Outcome **${c.outcome}** (exit ${expected})`);
      expect(a.html).toContain(`<strong id="outcome">${c.outcome}</strong> (exit ${expected})`);
    });
  }

  it('a forced suite fault is a tool fault everywhere, and no SARIF result or JUnit failure blames the provider', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dg-outcome-fault-'));
    const code = await runSession({ common: { out, quiet: true }, pillars: [{ pillar: 'properties', run: CASES[3]!.run }] });
    process.exitCode = 0;
    expect(code).toBe(3);
    const a = artifacts(out);
    const run = a.sarif.runs[0]!;
    expect(run.results).toEqual([]);
    const inv = run.invocations![0]!;
    expect(inv).toMatchObject({ exitCode: 3, executionSuccessful: false });
    expect(inv.toolExecutionNotifications!.map((n) => n.message.text).join('\n')).toMatch(/devrev-gate itself failed \(suite-class-never-generated/);
    const suite = list(a.junit.testsuites['testsuite']).find((s) => s['@name'] === 'run')!;
    expect(suite['@errors']).toBe('1');
    expect((list(suite['testcase'])[0]!['error'] as Node)['@type']).toBe('tool-fault');
    expect(a.junit.testsuites['@errors']).toBe('1');
    expect(a.summary.outcome).toBe('tool-fault');
    expect(a.md.split('\n')[0]).toBe('## ⛔ devrev-gate: TOOL FAULT (a bug in devrev-gate, not the provider)');
  });

  it('an internal error (a bug, not a GateError) is a tool fault in the saved artifacts too', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dg-outcome-bug-'));
    await expect(
      runSession({
        common: { out, quiet: true },
        pillars: [
          {
            pillar: 'properties',
            run: async () => {
              throw new TypeError("Cannot read properties of undefined (reading 'x')");
            },
          },
        ],
      }),
    ).rejects.toThrow(TypeError);
    expect(process.exitCode).toBe(3);
    process.exitCode = 0;
    const a = artifacts(out);
    expect(said(a).sarif).toEqual(['tool-fault', 3]);
    expect(a.summary.error).toContain('Cannot read properties of undefined');
  });
});

// `report --from` redraws a saved run: its exit code is the saved outcome's, so a CI step
// that gates on a re-rendered report sees 3 for a tool fault, never 1.
const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');

describe('devrev-gate report --from a tool-fault run', () => {
  it('exits 3 and every redrawn artifact says tool fault', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dg-outcome-cli-'));
    await runSession({ common: { out: join(out, 'run'), quiet: true }, reports: false, pillars: [{ pillar: 'properties', run: CASES[3]!.run }] });
    process.exitCode = 0;
    mkdirSync(join(out, 'again'));
    const env = { ...process.env };
    delete env['DEVREV_API_URL'];
    delete env['DEVREV_TOKEN'];
    const r = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(process.execPath, [BIN, 'report', '--from', 'run', '--out', 'again'], { cwd: out, env }, (err, stdout) =>
        done({ code: err ? Number((err as { code?: number }).code) : 0, stdout }),
      ),
    );
    expect(r.code).toBe(3);
    // results.json stays in the run folder; beside it, the redrawn reports must agree with it.
    writeFileSync(join(out, 'again', 'results.json'), readFileSync(join(out, 'run', 'results.json')));
    const a = artifacts(join(out, 'again'));
    const s = said(a);
    expect(s.summary).toEqual(['tool-fault', 3, 1, 1]);
    expect(s.sarif).toEqual(['tool-fault', 3]);
    expect(s.junit).toEqual(['tool-fault', 3, 1, 1]);
    expect(s.ctrf).toEqual(['tool-fault', 3, 'tool-fault', 1, 1]);
    expect(a.md.split('\n')[0]).toContain('TOOL FAULT');
  });
});
