import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../core/errors.ts';
import { EXIT_CODE_OF, RUN_OUTCOMES, type RunOutcomeName } from '../../core/results.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { editUser, type MutatingProxy, startMutatingProxy } from '../support/mutating-proxy.ts';
import { parseOutputFile, runAction, substitute } from './runner.ts';

// The composite action in action.yml, executed step by step from an empty consumer folder
// (test/action/runner.ts plays the Actions runner), against the embedded simulator: what a
// caller's `uses: <owner>/devrev-gate@<ref>` step does, on this machine.

const ROOT = resolve(import.meta.dirname, '../..');
const SLICE = join(ROOT, 'api-model/openapi/devrev-slice.json');
const TOKEN = 'tok-action-selftest-5f3a9c';
const dirs: string[] = [];
const scratch = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
/** An empty consumer repository: the caller's GITHUB_WORKSPACE. */
const consumer = () => scratch('dg-consumer-');

let sim: RunningSimulator;
let drifted: MutatingProxy;
beforeAll(async () => {
  sim = await startSimulator({});
  // A provider that drifted: every created user's id comes back as a number.
  drifted = await startMutatingProxy(sim.url, (x) =>
    editUser(x, (u) => {
      u['id'] = 42;
    }),
  );
});
afterAll(async () => {
  await drifted?.close();
  await sim?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const errors = (log: string) => log.split('\n').filter((l) => l.startsWith('::error'));

describe('the GitHub Action (action.yml), run from an empty consumer folder', () => {
  it('on the embedded simulator: passes, sets verdict, exit-code and sarif, and writes summary.md to the step summary', async () => {
    const ws = consumer();
    const r = await runAction({ actionPath: ROOT, workspace: ws, inputs: { target: 'embedded', pillars: 'drift' } });
    expect(r.code, r.log).toBe(0);
    // node_modules is already there (this repository): the install step is a no-op, and says so.
    expect(r.steps[0]!.stdout).toContain('dependencies already installed');
    expect(r.outputs).toMatchObject({ verdict: 'passed', 'exit-code': '0' });
    expect(r.outputs['sarif']).toBe(join(ws, 'reports/devrev-gate/run/results.sarif'));
    expect(existsSync(r.outputs['sarif']!)).toBe(true);
    expect(JSON.parse(readFileSync(r.outputs['sarif']!, 'utf8'))).toMatchObject({ version: '2.1.0' });
    expect(r.summary).toBe(readFileSync(join(ws, 'reports/devrev-gate/run/summary.md'), 'utf8'));
    expect(r.summary).toMatch(/devrev-gate: PASS/);
    expect(errors(r.log)).toEqual([]);
    // Nothing but the reports in the consumer's folder.
    expect(readdirSync(ws)).toEqual(['reports']);
  });

  it('against a target given by the environment (secrets), with the token as an input: never in an output, the summary or the reports', async () => {
    const ws = consumer();
    const r = await runAction({ actionPath: ROOT, workspace: ws, inputs: { pillars: 'drift', token: TOKEN }, env: { DEVREV_API_URL: sim.url } });
    expect(r.code, r.log).toBe(0);
    expect(r.outputs['verdict']).toBe('passed');
    const results = JSON.parse(readFileSync(join(ws, 'reports/devrev-gate/run/results.json'), 'utf8')) as { target: { url: string; kind: string } };
    expect(results.target).toEqual({ url: sim.url, kind: 'loopback' });
    // Masked in the log by the runner, and never written anywhere.
    expect(r.log).toContain(`::add-mask::${TOKEN}`);
    expect(r.summary + JSON.stringify(r.outputs)).not.toContain(TOKEN);
    for (const f of readdirSync(join(ws, 'reports/devrev-gate/run'))) expect(readFileSync(join(ws, 'reports/devrev-gate/run', f), 'utf8'), f).not.toContain(TOKEN);
  });

  it('a provider that drifted: exit 1, verdict failed, the step fails with an ::error naming the provider, SARIF still set', async () => {
    const ws = consumer();
    const r = await runAction({ actionPath: ROOT, workspace: ws, inputs: { target: drifted.url, token: TOKEN, pillars: 'drift' } });
    expect(r.code, r.log).toBe(1);
    expect(r.outputs).toMatchObject({ verdict: 'failed', 'exit-code': '1' });
    expect(existsSync(r.outputs['sarif']!)).toBe(true);
    expect(errors(r.log)).toEqual(['::error title=devrev-gate::the provider failed a check (exit 1): see the step summary and the reports']);
    expect(r.summary).toMatch(/devrev-gate: FAIL/);
  });

  it('a bad fail-on input: exit 2, verdict setup-error, the step fails, no SARIF and a summary that says there is no report', async () => {
    const ws = consumer();
    const r = await runAction({ actionPath: ROOT, workspace: ws, inputs: { target: 'embedded', 'fail-on': 'sometimes' } });
    expect(r.code).toBe(2);
    expect(r.outputs).toMatchObject({ verdict: 'setup-error', 'exit-code': '2', sarif: '', reports: '' });
    expect(errors(r.log)).toEqual(['::error title=devrev-gate::usage or setup error (exit 2): the log says what to fix']);
    expect(r.log).toMatch(/--fail-on.*sometimes/);
    expect(r.summary).toContain('## devrev-gate: no report (setup-error, exit 2)');
  });

  it('without any target it refuses (exit 2) rather than report a pass of its own simulator as a pass of DevRev', async () => {
    const ws = consumer();
    const r = await runAction({ actionPath: ROOT, workspace: ws, inputs: { pillars: 'drift' } });
    expect(r.code).toBe(2);
    expect(r.outputs).toMatchObject({ verdict: 'setup-error', sarif: '' });
    expect(errors(r.log)).toHaveLength(1);
    expect(errors(r.log)[0]).toMatch(/no target: the gate checked its embedded simulator, not DevRev\. Set DEVREV_API_URL and DEVREV_TOKEN/);
    expect(r.summary).not.toMatch(/PASS/);
  });

  it('an older report in the folder is not taken for this run: a setup error leaves the outputs and the summary empty of it', async () => {
    const ws = consumer();
    const first = await runAction({ actionPath: ROOT, workspace: ws, inputs: { target: 'embedded', pillars: 'drift' } });
    expect(first.code, first.log).toBe(0);
    const second = await runAction({ actionPath: ROOT, workspace: ws, inputs: { target: 'embedded', pillars: 'nonsense' } });
    expect(second.code).toBe(2);
    expect(second.outputs).toMatchObject({ sarif: '', reports: '' });
    expect(second.summary).not.toMatch(/PASS/);
  });

  it('runs another command in its own folder: spec check, in a working-directory, with extra args', async () => {
    const ws = consumer();
    mkdirSync(join(ws, 'service'));
    const r = await runAction({
      actionPath: ROOT,
      workspace: ws,
      inputs: { command: 'spec check', 'working-directory': 'service', args: `--openapi ${SLICE} --no-pact` },
    });
    expect(r.code, r.log).toBe(0);
    expect(r.outputs['sarif']).toBe(join(ws, 'service/reports/devrev-gate/spec-check/results.sarif'));
    expect(existsSync(r.outputs['sarif']!)).toBe(true);
    expect(r.summary).toMatch(/devrev-gate: PASS/);
    expect(readdirSync(ws)).toEqual(['service']);
  });

  it('a working-directory that does not exist: exit 2 with one ::error naming it', async () => {
    const r = await runAction({ actionPath: ROOT, workspace: consumer(), inputs: { 'working-directory': 'nowhere' } });
    expect(r.code).toBe(2);
    expect(errors(r.log)).toEqual(["::error title=devrev-gate::working-directory 'nowhere' is not a folder of the workspace"]);
  });
});

describe('uses: <owner>/devrev-gate@<ref>: a fresh copy of the action, nothing installed', () => {
  it('installs its production dependencies with the real npm ci --omit=dev, then runs the gate with them alone', async () => {
    // The files of this checkout, as GitHub would download them for the ref (no node_modules).
    const copy = scratch('dg-action-ref-');
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    // A committed node_modules (a worktree's symlink, say) would ride along with every download
    // of the action and make it skip its install: the repository must not hold one.
    expect(files.filter((f) => f.split('/')[0] === 'node_modules'), 'node_modules is tracked by git').toEqual([]);
    for (const f of files) {
      if (!existsSync(join(ROOT, f))) continue;
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(copy, f));
    }
    expect(existsSync(join(copy, 'node_modules'))).toBe(false);
    const ws = consumer();
    const r = await runAction({ actionPath: copy, workspace: ws, inputs: { target: 'embedded', pillars: 'drift' } });
    expect(r.steps[0]!.code, r.steps[0]!.stdout + r.steps[0]!.stderr).toBe(0);
    expect(r.steps[0]!.stdout).not.toContain('already installed');
    // Production dependencies only: a run-time import of a devDependency would fail the gate below.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const d of Object.keys(pkg.dependencies)) expect(existsSync(join(copy, 'node_modules', d, 'package.json')), d).toBe(true);
    // What the lockfile marks dev-only (vitest, biome, prism, …) is absent.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => p.dev && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path));
    expect(devOnly.length).toBeGreaterThan(10);
    for (const [path] of devOnly) expect(existsSync(join(copy, path)), path).toBe(false);
    expect(r.code, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: 'passed', sarif: join(ws, 'reports/devrev-gate/run/results.sarif') });
    expect(r.summary).toMatch(/devrev-gate: PASS/);
  });
});

describe('the action maps every exit code as the README says (a stand-in CLI exits with each code)', () => {
  // The mapping is the action's own logic; a stand-in bin/devrev-gate.js beside a copy of
  // action.yml produces the codes the real gate only gives on a bug (3) or a Ctrl-C (130).
  const fakeAction = () => {
    const dir = scratch('dg-fake-action-');
    copyFileSync(join(ROOT, 'action.yml'), join(dir, 'action.yml'));
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin/devrev-gate.js'), 'process.exit(Number(process.env.STUB_EXIT));\n');
    return dir;
  };
  it('the README\'s exit-code table, the CLI\'s codes, the results model\'s run outcomes and this table agree', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `(\d+)` \|/gm)].map((m) => Number(m[1]));
    const codes = Object.values(EXIT).sort((a, b) => a - b);
    expect(documented).toEqual(codes);
    expect(table.map(([gate]) => Number(gate)).filter((c) => codes.includes(c as never))).toEqual(codes);
    // The action's verdict names are the run outcomes of the results model, with their codes.
    for (const [gate, , verdict] of table.filter(([g]) => codes.includes(Number(g) as never)))
      expect(EXIT_CODE_OF[verdict as RunOutcomeName], verdict).toBe(Number(gate));
    expect(new Set(table.map(([, , v]) => v))).toEqual(new Set(RUN_OUTCOMES));
  });
  const table: Array<[string, number, string, RegExp | null]> = [
    ['0', 0, 'passed', null],
    ['1', 1, 'failed', /the provider failed a check \(exit 1\)/],
    ['2', 2, 'setup-error', /usage or setup error \(exit 2\)/],
    ['3', 3, 'tool-fault', /devrev-gate itself failed \(exit 3\): a bug in devrev-gate, not a finding about DevRev; please report it/],
    ['130', 130, 'interrupted', /the run was interrupted \(exit 130\)/],
    ['137', 3, 'tool-fault', /devrev-gate did not finish \(exit 137, e\.g\. killed\): treated as a tool fault/],
  ];
  it.each(table)('gate exit %s → step exit %i, verdict %s', async (gateExit, stepExit, verdict, error) => {
    const r = await runAction({ actionPath: fakeAction(), workspace: consumer(), inputs: { target: 'https://api.devrev.example' }, env: { STUB_EXIT: gateExit } });
    expect(r.code).toBe(stepExit);
    expect(r.outputs['verdict']).toBe(verdict);
    expect(r.outputs['exit-code']).toBe(gateExit);
    const errs = errors(r.log);
    if (error) expect(errs).toEqual([expect.stringMatching(error)]);
    else expect(errs).toEqual([]);
    expect(r.summary).toContain(`no report (${verdict}, exit ${gateExit})`);
  });

  it('installs production dependencies with npm ci --omit=dev when the action folder has none', async () => {
    const dir = fakeAction();
    rmSync(join(dir, 'node_modules'));
    // npm, as a stand-in on PATH, records how it was called instead of reaching the registry.
    const bin = scratch('dg-fake-npm-');
    const calls = join(bin, 'calls');
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho "$PWD $*" >> "${calls}"\n`);
    chmodSync(join(bin, 'npm'), 0o755);
    const r = await runAction({ actionPath: dir, workspace: consumer(), inputs: {}, env: { PATH: `${bin}:${process.env['PATH']}`, STUB_EXIT: '0' } });
    expect(readFileSync(calls, 'utf8')).toBe(`${dir} ci --omit=dev --no-audit --no-fund\n`);
    expect(r.steps[0]!.code).toBe(0);
  });

  it('a failed install is a setup error: exit 2, the gate never runs', async () => {
    const dir = fakeAction();
    rmSync(join(dir, 'node_modules'));
    const bin = scratch('dg-fake-npm-');
    writeFileSync(join(bin, 'npm'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'npm'), 0o755);
    const r = await runAction({ actionPath: dir, workspace: consumer(), inputs: {}, env: { PATH: `${bin}:${process.env['PATH']}`, STUB_EXIT: '0' } });
    expect(r.code).toBe(2);
    expect(r.steps).toHaveLength(1);
    expect(errors(r.log)[0]).toMatch(/could not install devrev-gate's dependencies/);
  });
});

describe('the test runner itself', () => {
  const ctx = { inputs: { target: 'x' }, declaredInputs: ['target'], actionPath: '/a', workspace: '/w', steps: { gate: { verdict: 'passed' } } };
  // Built from parts: a literal would read as a misplaced template placeholder.
  const e = (inner: string) => `${['$', '{{'].join('')} ${inner} }}`;
  it('substitutes what it knows and fails loudly on anything else', () => {
    expect(substitute(`${e('inputs.target')} ${e('github.action_path')} ${e('steps.gate.outputs.verdict')}`, 't', ctx)).toBe('x /a passed');
    expect(substitute(e("inputs.target || 'y'"), 't', ctx)).toBe('x');
    expect(substitute(e("steps.none.outputs.x || 'y'"), 't', ctx)).toBe('y');
    expect(() => substitute(e('github.event.pull_request.title'), 'step X', ctx)).toThrow(/step X: cannot substitute/);
    expect(() => substitute(e('secrets.DEVREV_TOKEN'), 'step X', ctx)).toThrow(/no secrets context here/);
    expect(() => substitute(e('inputs.nope'), 'step X', ctx)).toThrow(/not declared/);
  });
  it('reads both forms of GITHUB_OUTPUT', () => {
    expect(parseOutputFile('a=1\nb<<EOF\ntwo\nlines\nEOF\nc=x=y\n')).toEqual({ a: '1', b: 'two\nlines', c: 'x=y' });
  });
});
