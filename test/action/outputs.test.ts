import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.ts';
import { REPORTS_ROOT } from '../../cli/options.ts';

// Each command writes to its own folder by default, so one command's reports never
// overwrite another's: run as a user runs them, from an empty folder, through the CLI.

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/devrev-gate.js');
const SLICE = join(ROOT, 'api-model/openapi/devrev-slice.json');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cli = (args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    const env = { ...process.env };
    delete env['DEVREV_API_URL'];
    delete env['DEVREV_TOKEN'];
    execFile(process.execPath, [BIN, ...args], { cwd, env }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });

/** Every file of a folder with its bytes and modification time: "intact" means none changed. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, `${statSync(join(dir, f)).mtimeMs}:${readFileSync(join(dir, f), 'utf8')}`]));

const leaves = (cmd: Command): Command[] => (cmd.commands.length ? cmd.commands.flatMap(leaves) : [cmd]);

describe('default output folders', () => {
  it('every command that writes reports has its own folder under reports/devrev-gate, named for the command', () => {
    const defaults = new Map<string, string>();
    for (const cmd of leaves(buildProgram())) {
      const out = cmd.options.find((o) => o.long === '--out');
      if (!out || out.defaultValue === undefined) continue;
      const path: string[] = [];
      for (let c: Command | null = cmd; c?.parent; c = c.parent) path.unshift(c.name());
      defaults.set(path.join(' '), String(out.defaultValue));
    }
    expect(defaults.get('run')).toBe(`${REPORTS_ROOT}/run`);
    expect(defaults.get('spec check')).toBe(`${REPORTS_ROOT}/spec-check`);
    expect(defaults.get('load probe')).toBe(`${REPORTS_ROOT}/load-probe`);
    for (const [name, out] of defaults) expect(out, name).toBe(`${REPORTS_ROOT}/${name.replace(/ /g, '-')}`);
    expect(new Set(defaults.values()).size).toBe(defaults.size);
  });

  it('spec check then run leave both report folders intact, and report --from redraws either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-outputs-'));
    dirs.push(dir);
    const spec = await cli(['spec', 'check', '--openapi', SLICE, '--no-pact', '--quiet'], dir);
    expect(spec.code, spec.stderr).toBe(0);
    const specDir = join(dir, REPORTS_ROOT, 'spec-check');
    const before = snapshot(specDir);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['results.json', 'results.sarif', 'summary.md', 'junit.xml']));

    const run = await cli(['run', '--only', 'drift', '--quiet'], dir);
    expect(run.code, run.stderr).toBe(0);
    const runDir = join(dir, REPORTS_ROOT, 'run');
    expect(snapshot(specDir)).toEqual(before);
    const runResults = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { pillars: Array<{ pillar: string }> };
    expect(runResults.pillars.map((p) => p.pillar)).toEqual(['drift']);
    const specResults = JSON.parse(readFileSync(join(specDir, 'results.json'), 'utf8')) as { pillars: Array<{ pillar: string }> };
    expect(specResults.pillars.map((p) => p.pillar)).toEqual(['spec']);
    expect(readdirSync(join(dir, REPORTS_ROOT)).sort()).toEqual(['run', 'spec-check']);

    // Redrawn in place from each folder's own results.json.
    for (const from of [specDir, runDir]) {
      const redraw = await cli(['report', '--from', from, '--quiet'], dir);
      expect(redraw.code, redraw.stderr).toBe(0);
    }
    expect(JSON.parse(readFileSync(join(specDir, 'summary.json'), 'utf8'))).toMatchObject({ runId: expect.stringMatching(/^spec-/) });
  });
});
