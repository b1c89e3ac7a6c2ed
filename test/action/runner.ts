import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * A small stand-in for the Actions runner, enough to execute a composite action's `run:`
 * steps on this machine as GitHub would: each script through `bash --noprofile --norc -eo
 * pipefail`, with GITHUB_ACTION_PATH, GITHUB_WORKSPACE, a fresh GITHUB_OUTPUT per step and
 * the step summary. It substitutes the expressions it knows (inputs, github.action_path,
 * github.workspace, steps.<id>.outputs) and throws on any other, so an expression the test
 * cannot honour never passes silently as an empty string.
 */

interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface ActionFile {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface StepRun {
  name: string;
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

export interface ActionRun {
  /** 0 when every step that ran succeeded, else the exit code of the first that failed. */
  code: number;
  steps: StepRun[];
  /** The action's outputs, from its `outputs:` section. */
  outputs: Record<string, string>;
  /** Everything the steps wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** stdout and stderr of every step, in order. */
  log: string;
}

export interface RunActionOptions {
  /** Folder holding action.yml: GITHUB_ACTION_PATH. */
  actionPath: string;
  /** The caller's checkout: GITHUB_WORKSPACE, where steps start. */
  workspace: string;
  inputs?: Record<string, string>;
  /** The caller's environment for the step (`env:` of the `uses:` step and the job). */
  env?: Record<string, string>;
}

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

/** What expressions can see. Contexts left undefined are not available where they are read. */
export interface ExpressionContext {
  inputs: Record<string, string>;
  /** Names `inputs.*` may use; an action declares them, a workflow's dispatch declares its own. */
  declaredInputs?: readonly string[];
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  actionPath?: string;
  workspace: string;
  steps: Record<string, Record<string, string>>;
  /** The webhook payload of the event, for `github.event.*`. */
  event?: Record<string, unknown>;
}

/** One operand: a context value or a string literal. Throws on anything else. */
const operand = (expr: string, where: string, ctx: ExpressionContext): string => {
  const e = expr.trim();
  const literal = /^'((?:[^']|'')*)'$/.exec(e);
  if (literal) return literal[1]!.replace(/''/g, "'");
  let m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(e);
  if (m) {
    if (ctx.declaredInputs && !ctx.declaredInputs.includes(m[1]!)) throw new Error(`${where}: \${{ ${e} }} names an input that is not declared`);
    return ctx.inputs[m[1]!] ?? '';
  }
  m = /^(secrets|vars)\.([A-Za-z0-9_]+)$/.exec(e);
  if (m) {
    const values = m[1] === 'secrets' ? ctx.secrets : ctx.vars;
    if (!values) throw new Error(`${where}: cannot substitute \${{ ${e} }}: no ${m[1]} context here`);
    return values[m[2]!] ?? '';
  }
  if (e === 'github.action_path' && ctx.actionPath) return ctx.actionPath;
  if (e === 'github.workspace') return ctx.workspace;
  m = /^github\.event\.([A-Za-z0-9_.]+)$/.exec(e);
  if (m && ctx.event) {
    const v = m[1]!.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], ctx.event);
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`${where}: \${{ ${e} }} is not in the event payload given`);
    return String(v);
  }
  m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(e);
  if (m) return ctx.steps[m[1]!]?.[m[2]!] ?? '';
  throw new Error(`${where}: cannot substitute \${{ ${e} }}`);
};

/** `a || b || 'c'`: the first non-empty operand, as GitHub's falsy '' works. */
const evaluate = (expr: string, where: string, ctx: ExpressionContext): string => {
  for (const part of expr.split('||')) {
    const v = operand(part, where, ctx);
    if (v !== '') return v;
  }
  return '';
};

/** Replaces every `${{ … }}` the runner knows; throws naming any other. */
export const substitute = (text: string, where: string, ctx: ExpressionContext): string =>
  text.replace(EXPRESSION, (_, expr: string) => evaluate(expr, where, ctx));

/**
 * Whether a step runs: its `if:` (status functions, `X != ''`, `X == ''`, hashFiles of one
 * path, joined by &&) and whether an earlier step failed.
 */
export const shouldRun = (cond: string | undefined, failed: boolean, where: string, ctx: ExpressionContext): boolean => {
  const c = cond?.replace(EXPRESSION, '$1').trim();
  if (c === undefined || c === '') return !failed;
  let status: boolean | undefined;
  let rest = true;
  for (const term of c.split('&&').map((t) => t.trim())) {
    if (term === 'always()') status = true;
    else if (term === 'success()') status = !failed;
    else if (term === 'failure()') status = failed;
    else {
      const m = /^(.+?)\s*(!=|==)\s*''$/.exec(term);
      if (!m) throw new Error(`${where}: cannot evaluate if: ${cond}`);
      const hash = /^hashFiles\('([^']+)'\)$/.exec(m[1]!.trim());
      const value = hash ? (existsSync(join(ctx.workspace, hash[1]!)) ? 'hash' : '') : evaluate(m[1]!, where, ctx);
      rest &&= m[2] === '!=' ? value !== '' : value === '';
    }
  }
  return (status ?? !failed) && rest;
};

/** GITHUB_OUTPUT's two forms: `name=value` and `name<<DELIMITER` … `DELIMITER`. */
export const parseOutputFile = (text: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${heredoc[1]} has no closing ${heredoc[2]}`);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    } else if (line.trim() !== '') {
      throw new Error(`GITHUB_OUTPUT: not an output line: ${JSON.stringify(line)}`);
    }
  }
  return out;
};

const bash = (file: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

export const readAction = (actionPath: string): ActionFile => parse(readFileSync(join(actionPath, 'action.yml'), 'utf8')) as ActionFile;

export const runAction = async (o: RunActionOptions): Promise<ActionRun> => {
  const action = readAction(o.actionPath);
  if (action.runs.using !== 'composite') throw new Error(`action.yml: runs.using is ${action.runs.using}, not composite`);
  const declared = action.inputs ?? {};
  for (const name of Object.keys(o.inputs ?? {})) if (!(name in declared)) throw new Error(`input ${name} is not declared in action.yml`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const given = o.inputs?.[name];
    if (given === undefined && spec.required && spec.default === undefined) throw new Error(`input ${name} is required`);
    inputs[name] = given ?? String(spec.default ?? '');
  }

  const tmp = mkdtempSync(join(tmpdir(), 'dg-runner-'));
  try {
    const summaryFile = join(tmp, 'step-summary');
    writeFileSync(summaryFile, '');
    const ctx: ExpressionContext = { inputs, declaredInputs: Object.keys(declared), actionPath: o.actionPath, workspace: o.workspace, steps: {} };
    const base: NodeJS.ProcessEnv = { ...process.env };
    // The caller's secrets come only from what the test passes.
    for (const k of Object.keys(base)) if (k.startsWith('DEVREV_') || k.startsWith('GITHUB_') || k.startsWith('INPUT_')) delete base[k];
    const steps: StepRun[] = [];
    let failedCode = 0;
    for (const [i, step] of action.runs.steps.entries()) {
      const where = `action.yml step ${step.name ?? i + 1}`;
      if (step.uses) throw new Error(`${where}: uses: ${step.uses} cannot run here`);
      if (!step.run) throw new Error(`${where}: neither run nor uses`);
      if (step.shell !== 'bash') throw new Error(`${where}: shell ${step.shell ?? '(none)'} is not bash`);
      if (!shouldRun(step.if, failedCode !== 0, where, ctx)) continue;
      const script = join(tmp, `step-${i}.sh`);
      writeFileSync(script, substitute(step.run, where, ctx));
      const outputFile = join(tmp, `output-${i}`);
      writeFileSync(outputFile, '');
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), `${where} env.${k}`, ctx)]));
      const cwd = step['working-directory'] ? resolve(o.workspace, substitute(step['working-directory'], where, ctx)) : o.workspace;
      const r = await bash(script, cwd, {
        ...base,
        ...o.env,
        ...stepEnv,
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: o.actionPath,
        GITHUB_WORKSPACE: o.workspace,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: tmp,
      });
      const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
      if (step.id) ctx.steps[step.id] = outputs;
      steps.push({ name: step.name ?? `step ${i + 1}`, code: r.code, stdout: r.stdout, stderr: r.stderr, outputs });
      if (r.code !== 0 && failedCode === 0) failedCode = r.code;
    }
    const outputs = Object.fromEntries(
      Object.entries(action.outputs ?? {}).map(([name, spec]) => [name, substitute(spec.value, `action.yml outputs.${name}`, ctx)]),
    );
    return {
      code: failedCode,
      steps,
      outputs,
      summary: readFileSync(summaryFile, 'utf8'),
      log: steps.map((s) => s.stdout + s.stderr).join(''),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
};

export interface WorkflowStep extends ActionStep {
  with?: Record<string, unknown>;
  'continue-on-error'?: boolean;
}
export interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown> } | null>;
  jobs: Record<string, { env?: Record<string, string>; permissions?: Record<string, string>; steps: WorkflowStep[] }>;
}

export interface JobStepRun {
  name: string;
  uses?: string;
  /** ran, skipped by its `if:`, or stood in for (an `actions/*` step this machine cannot run). */
  status: 'ran' | 'skipped' | 'not run here';
  code: number;
  /** The step's `with:`, substituted: what an uploader would have been given. */
  with: Record<string, string>;
  outputs: Record<string, string>;
  log: string;
  /** The action's run, for a local `uses: ./…` step. */
  action?: ActionRun;
}

export interface RunJobOptions {
  workflow: string;
  job: string;
  workspace: string;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string>;
  /** The event payload (`github.event`). */
  event?: Record<string, unknown>;
  /** Steps by name this machine does not run (e.g. `npm ci` of a consumer that has no lockfile), with why. */
  standIn?: Record<string, string>;
}

/**
 * One job of a workflow, as far as this machine can run it: `run:` steps through bash, local
 * actions (`uses: ./…`) through runAction, and `actions/*` / `github/*` steps recorded with
 * their substituted inputs but not run (they need GitHub). `if:` is evaluated for every step.
 */
export const runJob = async (o: RunJobOptions): Promise<JobStepRun[]> => {
  const wf = parse(readFileSync(o.workflow, 'utf8')) as Workflow;
  const job = wf.jobs[o.job];
  if (!job) throw new Error(`${o.workflow}: no job ${o.job}`);
  const declaredInputs = Object.keys(wf.on['workflow_dispatch']?.inputs ?? {});
  const ctx: ExpressionContext = { inputs: o.inputs ?? {}, declaredInputs, secrets: o.secrets ?? {}, vars: o.vars ?? {}, workspace: o.workspace, steps: {}, event: o.event };
  const runs: JobStepRun[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'dg-job-'));
  let failed = false;
  try {
    for (const [i, step] of job.steps.entries()) {
      const name = step.name ?? step.uses ?? `step ${i + 1}`;
      const where = `${o.workflow} step ${name}`;
      const env = Object.fromEntries(
        Object.entries({ ...job.env, ...step.env }).map(([k, v]) => [k, substitute(String(v), `${where} env.${k}`, ctx)]),
      );
      const record: JobStepRun = { name, uses: step.uses, status: 'skipped', code: 0, with: {}, outputs: {}, log: '' };
      runs.push(record);
      if (!shouldRun(step.if, failed, where, ctx)) continue;
      record.with = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), `${where} with.${k}`, ctx)]));
      if (o.standIn?.[name] !== undefined || (step.uses && !step.uses.startsWith('./'))) {
        if (step.uses && !/^(actions|github)\//.test(step.uses)) throw new Error(`${where}: uses: ${step.uses} cannot be stood in for`);
        record.status = 'not run here';
        continue;
      }
      record.status = 'ran';
      if (step.uses) {
        const r = await runAction({ actionPath: resolve(o.workspace, step.uses), workspace: o.workspace, inputs: record.with, env });
        Object.assign(record, { code: r.code, outputs: r.outputs, log: r.log, action: r });
      } else {
        const script = join(tmp, `step-${i}.sh`);
        writeFileSync(script, substitute(step.run ?? '', where, ctx));
        const output = join(tmp, `output-${i}`);
        writeFileSync(output, '');
        const base: NodeJS.ProcessEnv = { ...process.env };
        for (const k of Object.keys(base)) if (k.startsWith('DEVREV_') || k.startsWith('GITHUB_')) delete base[k];
        // A `run:` without `shell:` runs as `bash -e {0}` on Linux runners.
        const r = await new Promise<{ code: number; out: string }>((done) =>
          execFile('bash', ['-e', script], { cwd: o.workspace, env: { ...base, ...env, GITHUB_WORKSPACE: o.workspace, GITHUB_OUTPUT: output } }, (err, stdout, stderr) =>
            done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
          ),
        );
        Object.assign(record, { code: r.code, log: r.out, outputs: parseOutputFile(readFileSync(output, 'utf8')) });
      }
      if (step.id) ctx.steps[step.id] = record.outputs;
      if (record.code !== 0 && !step['continue-on-error']) failed = true;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return runs;
};
