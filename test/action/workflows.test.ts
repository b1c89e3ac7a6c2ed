import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildProgram } from '../../cli/main.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { type JobStepRun, type RunJobOptions, runJob, type Workflow } from './runner.ts';

// The workflows `devrev-gate init` copies into a user's repository (templates/workflows/),
// this repository's own nightly (.github/workflows/) and action.yml: validated by a
// validator we did not write (@action-validator/cli, GitHub's schemas), held to the rules
// the README promises, and their jobs run on this machine as far as it can (runner.ts).

const ROOT = resolve(import.meta.dirname, '../..');
const VALIDATOR = join(ROOT, 'node_modules/.bin/action-validator');
const TEMPLATES = join(ROOT, 'templates/workflows');
const OWN = join(ROOT, '.github/workflows');
const SLICE = join(ROOT, 'api-model/openapi/devrev-slice.json');
const TOKEN = 'tok-workflow-selftest-81c2';
const filesIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
const WORKFLOWS = [...filesIn(TEMPLATES), ...filesIn(OWN)];
const ALL = [join(ROOT, 'action.yml'), ...WORKFLOWS];

const dirs: string[] = [];
const scratch = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

const validate = (file: string): Promise<{ code: number; out: string }> =>
  new Promise((done) =>
    execFile(VALIDATOR, [file], { cwd: ROOT }, (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr })),
  );

const load = (file: string) => parse(readFileSync(file, 'utf8')) as Workflow;
const stepsOf = (file: string) => Object.values(load(file).jobs).flatMap((j) => j.steps);

// The majors whose action.yml declares `runs.using: node24`, read in each repository's tag
// (checkout v5–v7, setup-node v5–v7, upload-artifact v6–v7, codeql-action v4): the newest of each.
const NODE24_MAJORS: Record<string, string> = {
  'actions/checkout': 'v7',
  'actions/setup-node': 'v7',
  'actions/upload-artifact': 'v7',
  'github/codeql-action/upload-sarif': 'v4',
};
// Node's current LTS line (Active LTS since October 2025).
const NODE_LTS = 24;
const OPEN = ['$', '{{'].join('');

describe('validated by @action-validator/cli', () => {
  it('finds the files: action.yml, the two templates init copies and this repository\'s nightly', () => {
    expect(filesIn(TEMPLATES).map((f) => basename(f)).sort()).toEqual(['devrev-gate-spec.yml', 'devrev-gate.yml']);
    expect(filesIn(OWN).map((f) => basename(f))).toContain('devrev-gate.yml');
  });

  it.each(ALL.map((f) => [f.slice(ROOT.length + 1), f]))('%s is valid', async (_, file) => {
    const r = await validate(file);
    expect(r.code, r.out).toBe(0);
  });

  it.each(ALL.map((f) => [f.slice(ROOT.length + 1), f]))('a broken copy of %s is refused', async (_, file) => {
    // action.yml: a run step without its required shell; a workflow: jobs without runs-on.
    const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const dir = scratch('dg-broken-');
    let target: string;
    if (basename(file) === 'action.yml') {
      for (const s of (doc['runs'] as { steps: Array<Record<string, unknown>> }).steps) delete s['shell'];
      target = join(dir, 'action.yml');
    } else {
      for (const j of Object.values(doc['jobs'] as Record<string, Record<string, unknown>>)) delete j['runs-on'];
      mkdirSync(join(dir, '.github/workflows'), { recursive: true });
      target = join(dir, '.github/workflows', basename(file));
    }
    writeFileSync(target, stringify(doc));
    const r = await validate(target);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(basename(file) === 'action.yml' ? /\/runs\/steps\/0\/shell/ : /runs-on/);
  });
});

describe('the package ships what the workflows use', () => {
  it('npm pack includes action.yml, bin/devrev-gate.js and every template init copies (uses: ./node_modules/devrev-gate needs them)', async () => {
    const packed = await new Promise<string>((done, fail) =>
      execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout) => (err ? fail(err) : done(stdout))),
    );
    const files = (JSON.parse(packed) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    const needed = ['action.yml', 'package.json', 'bin/devrev-gate.js', ...filesIn(TEMPLATES).map((f) => f.slice(ROOT.length + 1))];
    expect(needed.filter((f) => !files.includes(f))).toEqual([]);
  });
});

describe('what every workflow promises', () => {
  it.each(WORKFLOWS.map((f) => [f.slice(ROOT.length + 1), f]))('%s: Node 24 actions, Node LTS, uploads always, SARIF tolerated, no expression in a script', (_, file) => {
    const steps = stepsOf(file);
    for (const s of steps.filter((x) => x.uses && !x.uses.startsWith('./'))) {
      const [name, ref] = s.uses!.split('@');
      expect(NODE24_MAJORS[name!], `${s.uses} is not one of the verified actions`).toBeDefined();
      expect(ref, s.uses).toBe(NODE24_MAJORS[name!]);
    }
    for (const s of steps.filter((x) => x.uses?.startsWith('actions/setup-node@'))) expect(Number(s.with?.['node-version'])).toBe(NODE_LTS);
    for (const s of steps.filter((x) => x.uses?.startsWith('actions/checkout@'))) expect(s.with?.['persist-credentials']).toBe(false);
    const uploads = steps.filter((x) => x.uses?.startsWith('actions/upload-artifact@') || x.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(uploads).toHaveLength(2);
    for (const s of uploads) expect(s.if, s.name).toMatch(/^always\(\) && steps\.gate\.outputs\.(reports|sarif) != ''$/);
    const sarif = uploads.find((s) => s.uses?.startsWith('github/codeql-action/'))!;
    expect(sarif['continue-on-error']).toBe(true);
    expect(sarif.with?.['sarif_file']).toBe(`${OPEN} steps.gate.outputs.sarif }}`);
    // The gate is the action (this repository's, or the installed package's).
    const gate = steps.find((s) => s.id === 'gate')!;
    expect(gate.uses).toMatch(/^\.\/(node_modules\/devrev-gate)?$/);
    // Expressions expanded inside a script are a script-injection path; they go through env.
    for (const s of steps.filter((x) => x.run)) expect(s.run, s.name).not.toContain(OPEN);
    for (const job of Object.values(load(file).jobs)) expect(job.permissions?.['security-events']).toBe('write');
  });

  it('the nightly run uses the gate policy --require complete and the secrets of today', () => {
    for (const file of [join(TEMPLATES, 'devrev-gate.yml'), join(OWN, 'devrev-gate.yml')]) {
      const gate = stepsOf(file).find((s) => s.id === 'gate')!;
      expect(gate.with).toMatchObject({ command: 'run', require: 'complete' });
      expect((gate as { env?: Record<string, string> }).env).toEqual({
        DEVREV_API_URL: `${OPEN} secrets.DEVREV_API_URL }}`,
        DEVREV_TOKEN: `${OPEN} secrets.DEVREV_TOKEN }}`,
      });
      expect(Object.keys(load(file).on)).toEqual(expect.arrayContaining(['schedule', 'workflow_dispatch']));
    }
  });

  it('this repository\'s nightly is the template init writes, but for where the action comes from and the push trigger', () => {
    const own = load(join(OWN, 'devrev-gate.yml'));
    const template = load(join(TEMPLATES, 'devrev-gate.yml'));
    expect(own.jobs.gate!.steps.find((s) => s.id === 'gate')!.uses).toBe('./');
    expect(template.jobs.gate!.steps.find((s) => s.id === 'gate')!.uses).toBe('./node_modules/devrev-gate');
    const { push, ...ownOn } = own.on;
    expect(push).toEqual({ branches: ['main'] });
    expect(ownOn).toEqual(template.on);
    const normal = (w: Workflow) =>
      JSON.stringify({ ...w, on: null, jobs: { gate: { ...w.jobs.gate, steps: w.jobs.gate!.steps.map((s) => (s.id === 'gate' ? { ...s, uses: null } : s)) } } }, (k, v) =>
        k === 'name' && typeof v === 'string' && v.startsWith('Upload SARIF') ? null : v,
      );
    expect(normal(own)).toBe(normal(template));
  });

  it('the pull_request workflow classifies the pin change (base → pull request) when the pin, the config or the ignore file changes', () => {
    const spec = load(join(TEMPLATES, 'devrev-gate-spec.yml'));
    expect(spec.on).toEqual({ pull_request: { paths: ['devrev-gate/**', 'devrev-gate.config.*', 'devrev-gate.ignore.*'] } });
    const gate = spec.jobs['spec']!.steps.find((s) => s.id === 'gate')!;
    expect(gate.with?.['command']).toBe('spec diff');
    // Run in the user's repository (no working-directory): their config and ignore file apply.
    expect(gate.with?.['working-directory']).toBeUndefined();
  });
});

describe('the workflows\' jobs, run on this machine against the embedded simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({});
  });
  afterAll(async () => {
    await sim?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A user's repository after `npm ci`: the package (this checkout) in node_modules. */
  const userRepo = () => {
    const dir = scratch('dg-user-repo-');
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules/devrev-gate'));
    symlinkSync('../devrev-gate/bin/devrev-gate.js', join(dir, 'node_modules/.bin/devrev-gate'));
    return dir;
  };
  // The consumer here has no lockfile: `npm ci` is stood in for by the linked package.
  const NPM_CI = { Install: 'the package is linked into node_modules instead of npm ci' };
  const byName = (runs: JobStepRun[], name: string) => runs.find((r) => r.name === name)!;
  const cliHas = (path: string[], flag?: string) => {
    let cmd = buildProgram();
    for (const p of path) {
      const next = cmd.commands.find((c) => c.name() === p);
      if (!next) return false;
      cmd = next;
    }
    return flag ? cmd.options.some((o) => o.long === flag) : true;
  };

  /** A nightly's job with the secrets set to the simulator on loopback. */
  const nightly = (workflow: string, workspace: string, more: Pick<RunJobOptions, 'inputs' | 'vars'>) =>
    runJob({ workflow, job: 'gate', workspace, secrets: { DEVREV_API_URL: sim.url, DEVREV_TOKEN: TOKEN }, standIn: NPM_CI, ...more });

  it('nightly template (npm ci stood in for): with the secrets set, runs the gate and hands its verdict, reports and SARIF on', async () => {
    const ws = userRepo();
    const runs = await nightly(join(TEMPLATES, 'devrev-gate.yml'), ws, { inputs: { args: '--only drift' } });
    expect(byName(runs, 'Require the secrets')).toMatchObject({ status: 'ran', code: 0 });
    const gate = byName(runs, 'devrev-gate run');
    expect(gate.status).toBe('ran');
    if (!cliHas(['run'], '--require')) {
      // --require arrives with the gate-policy work; until then the gate says it does not know it.
      expect(gate.code).toBe(2);
      expect(gate.log).toMatch(/unknown option '--require'/);
      return;
    }
    // Whether `--require complete` passes a target without fixtures is the policy's call;
    // the job must carry the gate's own verdict, whichever it is.
    const reports = join(ws, 'reports/devrev-gate/run');
    const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as { verdict: string; target: { url: string } };
    expect(results.target.url).toBe(sim.url);
    const [code, verdict] = results.verdict === 'pass' ? [0, 'passed'] : [1, 'failed'];
    expect(gate.code, gate.log).toBe(code);
    expect(gate.outputs).toMatchObject({ verdict, 'exit-code': String(code), reports });
    expect(gate.action!.summary).toBe(readFileSync(join(reports, 'summary.md'), 'utf8'));
    expect(byName(runs, 'Upload the reports')).toMatchObject({ status: 'not run here', with: { path: reports } });
    expect(byName(runs, 'Upload SARIF to code scanning')).toMatchObject({ status: 'not run here', with: { sarif_file: join(reports, 'results.sarif') } });
    expect(JSON.stringify(runs)).not.toContain(TOKEN);
  });

  it('this repository\'s nightly (npm ci stood in for) runs the same way with the action of this checkout (uses: ./)', async () => {
    // What `uses: ./` reads of the checkout: action.yml, package.json, node_modules and bin/
    // (Node follows the link to this repository's sources); the reports stay in the scratch folder.
    const ws = scratch('dg-own-repo-');
    for (const f of ['action.yml', 'package.json']) copyFileSync(join(ROOT, f), join(ws, f));
    for (const d of ['bin', 'node_modules']) symlinkSync(join(ROOT, d), join(ws, d));
    const runs = await nightly(join(OWN, 'devrev-gate.yml'), ws, { vars: { DEVREV_GATE_ARGS: '--only drift' } });
    const gate = byName(runs, 'devrev-gate run');
    expect(gate.status).toBe('ran');
    expect(gate.action!.steps[0]!.stdout).toContain('dependencies already installed');
    // The args came from the repository variable: only drift ran (or --require stopped it first).
    if (cliHas(['run'], '--require')) expect(readFileSync(join(ws, 'reports/devrev-gate/run/results.json'), 'utf8')).toMatch(/"pillar": "drift"/);
    else expect(gate.log).toMatch(/unknown option '--require'/);
  });

  it('nightly template: without the secrets it fails with exit 2 and one ::error, and neither the gate nor an upload runs', async () => {
    const runs = await runJob({ workflow: join(TEMPLATES, 'devrev-gate.yml'), job: 'gate', workspace: userRepo(), standIn: NPM_CI });
    const require = byName(runs, 'Require the secrets');
    expect(require.code).toBe(2);
    expect(require.log.trim()).toBe('::error title=devrev-gate::set the repository secrets DEVREV_API_URL and DEVREV_TOKEN (Settings → Secrets and variables → Actions)');
    for (const name of ['devrev-gate run', 'Upload the reports', 'Upload SARIF to code scanning']) expect(byName(runs, name).status, name).toBe('skipped');
  });

  /** A pull request's repository: its pin, and the base branch's pin checked out beside it. */
  const pullRequest = (edit: (doc: Record<string, Record<string, unknown>>) => void) => {
    const ws = userRepo();
    mkdirSync(join(ws, 'devrev-gate'));
    mkdirSync(join(ws, '.devrev-gate-base/devrev-gate'), { recursive: true });
    copyFileSync(SLICE, join(ws, '.devrev-gate-base/devrev-gate/openapi-slice.json'));
    const doc = JSON.parse(readFileSync(SLICE, 'utf8')) as Record<string, Record<string, unknown>>;
    edit(doc);
    writeFileSync(join(ws, 'devrev-gate/openapi-slice.json'), JSON.stringify(doc, null, 2));
    return ws;
  };
  // `devrev-gate config` validates the config file; where this checkout has no such command yet it is stood in for.
  const PR_EVENT = { pull_request: { base: { sha: '0123456789abcdef0123456789abcdef01234567' } } };
  const specStandIns = () => ({ ...NPM_CI, ...(cliHas(['config']) ? {} : { 'Validate the config': 'no `devrev-gate config` in this checkout yet' }) });

  it('spec template (checkouts and npm ci stood in for): a pin that changes nothing passes', async () => {
    const runs = await runJob({ workflow: join(TEMPLATES, 'devrev-gate-spec.yml'), job: 'spec', workspace: pullRequest(() => {}), standIn: specStandIns(), event: PR_EVENT });
    expect(byName(runs, "Check out the base branch's pin beside it").with).toMatchObject({ ref: PR_EVENT.pull_request.base.sha, path: '.devrev-gate-base' });
    const gate = byName(runs, 'devrev-gate spec diff');
    expect(gate.code, gate.log).toBe(0);
    expect(gate.outputs['verdict']).toBe('passed');
    expect(gate.action!.summary).toMatch(/devrev-gate: PASS/);
  });

  it('spec template: a pin that drops rev-users.create fails the pull request (exit 1) with the finding in the summary and SARIF', async () => {
    const ws = pullRequest((doc) => {
      delete doc['paths']!['/rev-users.create'];
    });
    const runs = await runJob({ workflow: join(TEMPLATES, 'devrev-gate-spec.yml'), job: 'spec', workspace: ws, standIn: specStandIns(), event: PR_EVENT });
    const gate = byName(runs, 'devrev-gate spec diff');
    expect(gate.code, gate.log).toBe(1);
    expect(gate.outputs['verdict']).toBe('failed');
    expect(gate.action!.summary).toMatch(/endpoint-removed/);
    const sarif = byName(runs, 'Upload SARIF to code scanning');
    expect(sarif.status).toBe('not run here');
    expect(readFileSync(sarif.with['sarif_file']!, 'utf8')).toMatch(/endpoint-removed/);
  });

  it('spec template: a pull request that adds the first pin (no pin on the base branch) skips the comparison with a notice', async () => {
    const ws = pullRequest(() => {});
    rmSync(join(ws, '.devrev-gate-base'), { recursive: true });
    const runs = await runJob({ workflow: join(TEMPLATES, 'devrev-gate-spec.yml'), job: 'spec', workspace: ws, standIn: specStandIns(), event: PR_EVENT });
    expect(byName(runs, 'Find both pins').log).toMatch(/::notice title=devrev-gate::no pin on both/);
    for (const name of ['devrev-gate spec diff', 'Upload the reports', 'Upload SARIF to code scanning']) expect(byName(runs, name).status, name).toBe('skipped');
    expect(runs.filter((r) => r.code !== 0)).toEqual([]);
  });
});
