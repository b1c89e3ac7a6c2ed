import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';

// The GitHub Actions workflow, run step by step on this machine: each `run:` script goes
// through bash as Actions runs it (-eo pipefail) with the environment it would give, against the embedded
// simulator on loopback standing in for the target from the secrets.

const ROOT = resolve(import.meta.dirname, '../..');
const WORKFLOW = join(ROOT, '.github/workflows/devrev-gate.yml');

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: { gate: { env: Record<string, string>; steps: Step[] } };
}

const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Workflow;
const steps = workflow.jobs.gate.steps;
const step = (name: string) => steps.find((s) => s.name === name)!;

const bash = (script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    const clean = { ...process.env };
    delete clean['DEVREV_API_URL'];
    delete clean['DEVREV_TOKEN'];
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env: { ...clean, ...env } }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });

/** A checkout: bin/ linked to this repository, GitHub's output and summary files. */
const workspace = () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-workflow-'));
  symlinkSync(join(ROOT, 'bin'), join(dir, 'bin'));
  const output = join(dir, 'github-output');
  const summary = join(dir, 'step-summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  return { dir, env: { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, REPORTS: 'reports/out' } };
};
const codeFrom = (file: string) => /^code=(\d+)$/m.exec(readFileSync(file, 'utf8'))?.[1];

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(async () => {
  await sim?.close();
});

describe('the GitHub Actions workflow', () => {
  it('takes the target from repository secrets, uploads the reports folder and keeps expressions out of scripts', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'schedule', 'workflow_dispatch']);
    // Built from parts: a literal would read as a misplaced template placeholder.
    const open = ['$', '{{'].join('');
    const expression = (inner: string) => `${open} ${inner} }}`;
    expect(workflow.jobs.gate.env['DEVREV_API_URL']).toBe(expression('secrets.DEVREV_API_URL'));
    expect(workflow.jobs.gate.env['DEVREV_TOKEN']).toBe(expression('secrets.DEVREV_TOKEN'));
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with?.['path']).toBe('reports/out/');
    expect(step('Step summary').if).toBe('always()');
    // results.sarif reaches code scanning whatever the verdict, with the permission it needs.
    const sarif = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(sarif.if).toMatch(/^always\(\) && hashFiles\('reports\/out\/results\.sarif'\) != ''$/);
    expect(sarif.with?.['sarif_file']).toBe('reports/out/results.sarif');
    expect((workflow.jobs.gate as { permissions?: Record<string, string> }).permissions?.['security-events']).toBe('write');
    expect(step('Verdict').if).toBe('always()');
    // Expressions expanded inside a script are a script-injection path; they go through env.
    for (const s of steps.filter((x) => x.run)) expect(s.run, s.name).not.toContain(open);
  });

  it('against a target, runs the gate, writes summary.md to the step summary and passes the exit code on', async () => {
    const ws = workspace();
    const env = { ...ws.env, DEVREV_API_URL: sim.url, DEVREV_TOKEN: 'tok-workflow-selftest', GATE_ARGS: '--only drift --quiet' };
    const gate = await bash(step('Run devrev-gate').run!, ws.dir, env);
    expect(gate.code).toBe(0);
    expect(codeFrom(ws.env.GITHUB_OUTPUT)).toBe('0');
    for (const f of ['results.json', 'summary.json', 'junit.xml', 'summary.md', 'index.html', 'results.sarif', 'ctrf.json'])
      expect(existsSync(join(ws.dir, 'reports/out', f)), f).toBe(true);
    expect((await bash(step('Step summary').run!, ws.dir, env)).code).toBe(0);
    expect(readFileSync(ws.env.GITHUB_STEP_SUMMARY, 'utf8')).toBe(readFileSync(join(ws.dir, 'reports/out/summary.md'), 'utf8'));
    const verdict = await bash(step('Verdict').run!, ws.dir, { ...env, CODE: '0' });
    expect(verdict.code).toBe(0);
  });

  it('fails with exit 2 and a clear annotation when the secrets are missing, instead of checking its own simulator', async () => {
    const ws = workspace();
    const gate = await bash(step('Run devrev-gate').run!, ws.dir, { ...ws.env, GATE_ARGS: '--only drift' });
    expect(gate.stdout).toContain('::error title=devrev-gate::set the repository secrets DEVREV_API_URL and DEVREV_TOKEN');
    expect(codeFrom(ws.env.GITHUB_OUTPUT)).toBe('2');
    expect(existsSync(join(ws.dir, 'reports/out'))).toBe(false);
    await bash(step('Step summary').run!, ws.dir, ws.env);
    expect(readFileSync(ws.env.GITHUB_STEP_SUMMARY, 'utf8')).toContain('no report (usage or setup error');
  });

  it('ends the job with the exit code that means what the README says', async () => {
    const ws = workspace();
    const outcome = async (code: string) => (await bash(step('Verdict').run!, ws.dir, { ...ws.env, CODE: code })).code;
    expect(await outcome('0')).toBe(0);
    expect(await outcome('1')).toBe(1);
    expect(await outcome('2')).toBe(2);
    expect(await outcome('130')).toBe(130);
    expect(await outcome('')).toBe(2);
  });
});
