import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Replaces every `${{ … }}` the runner knows; throws naming any other. */
export const substitute = (
  text: string,
  where: string,
  ctx: { inputs: Record<string, string>; actionPath: string; workspace: string; steps: Record<string, Record<string, string>> },
): string =>
  text.replace(EXPRESSION, (_, expr: string) => {
    let m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (m) {
      if (!(m[1]! in ctx.inputs)) throw new Error(`${where}: \${{ ${expr} }} names an input action.yml does not declare`);
      return ctx.inputs[m[1]!]!;
    }
    if (expr === 'github.action_path') return ctx.actionPath;
    if (expr === 'github.workspace') return ctx.workspace;
    m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (m) return ctx.steps[m[1]!]?.[m[2]!] ?? '';
    throw new Error(`${where}: cannot substitute \${{ ${expr} }}`);
  });

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

/** Whether a step runs, from its `if:` and whether an earlier step failed. */
const shouldRun = (cond: string | undefined, failed: boolean, where: string): boolean => {
  const c = cond?.replace(EXPRESSION, '$1').trim();
  if (c === undefined || c === 'success()') return !failed;
  if (c === 'always()') return true;
  if (c === 'failure()') return failed;
  throw new Error(`${where}: cannot evaluate if: ${cond}`);
};

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
    const ctx = { inputs, actionPath: o.actionPath, workspace: o.workspace, steps: {} as Record<string, Record<string, string>> };
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
      if (!shouldRun(step.if, failedCode !== 0, where)) continue;
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
