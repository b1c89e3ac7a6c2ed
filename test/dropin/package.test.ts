import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_SLICE_FILE } from '../../core/user-repo.ts';
import type { RunResults } from '../../core/results.ts';

// The package as an integrator gets it: `npm pack`, installed into an empty project, then
// init, a full run on the embedded simulator, drift against a served simulator whose
// rate-limit headers are absent, and a re-pin that the gate then reads. Nothing here runs
// from this repository: every command is the installed package's bin, in the new project.

const ROOT = resolve(import.meta.dirname, '../..');
const LONG = 900_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const sh = (file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 600_000): Promise<Run> => {
  const base = { ...process.env };
  delete base['DEVREV_API_URL'];
  delete base['DEVREV_TOKEN'];
  return new Promise((done) =>
    execFile(file, args, { cwd, env: { ...base, ...env }, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
};

let dir: string;
let project: string;
let tarball: string;
let gate: (args: string[], env?: NodeJS.ProcessEnv) => Promise<Run>;

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Every result location's file in a SARIF log, as the uri and its base say. */
const sarifUris = (file: string): string[] => {
  const log = readJson<{ runs: Array<{ results?: Array<{ locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string } } }> }> }> }>(file);
  return log.runs.flatMap((r) => (r.results ?? []).flatMap((res) => (res.locations ?? []).flatMap((l) => l.physicalLocation?.artifactLocation?.uri ?? [])));
};

const sarifResultCount = (file: string): number =>
  readJson<{ runs: Array<{ results?: unknown[] }> }>(file).runs.reduce((n, r) => n + (r.results?.length ?? 0), 0);

describe('the packed package, installed into an empty project', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dg-package-'));
    const packed = await sh('npm', ['pack', '--pack-destination', dir, '--silent'], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    tarball = join(dir, packed.stdout.trim().split('\n').at(-1)!);
    project = join(dir, 'project');
    mkdirSync(project);
    expect((await sh('npm', ['init', '-y'], project)).code).toBe(0);
    const installed = await sh('npm', ['i', '-D', tarball, '--prefer-offline', '--no-audit', '--no-fund'], project);
    expect(installed.code, installed.stderr).toBe(0);
    const bin = join(project, 'node_modules', '.bin', 'devrev-gate');
    gate = (args, env = {}) => sh(bin, args, project, env);
  }, LONG);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships what runs and nothing of this repository beside it', async () => {
    const list = (await sh('tar', ['tzf', tarball], dir)).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    // dist/ is what the installed bin runs (compiled at pack time, with the files it reads beside it).
    for (const f of ['bin/devrev-gate.js', 'config.schema.json', 'api-model/openapi/devrev-slice.json', 'package.json', 'cli/main.ts', 'dist/cli/main.js', 'dist/api-model/openapi/devrev-slice.json', 'dist/contracts/pact/verifier-process.js', 'dist/reports/page.js', 'dist/pacts/devrev-sdk-integrator-devrev-api.json'])
      expect(list).toContain(f);
    expect(list.filter((f) => /^(dist\/)?(test|bench|tools|\.ci|\.github|node_modules)\//.test(f) || /\.test\.[jt]s$/.test(f))).toEqual([]);
    // Packing leaves no build behind in the clone.
    expect(existsSync(join(ROOT, 'dist'))).toBe(false);
    const pkg = readJson<{ private?: boolean; dependencies: Record<string, string> }>(join(project, 'node_modules/devrev-gate/package.json'));
    expect(pkg.private).toBeUndefined();
    // No shipped file names a place outside the package.
    const installed = join(project, 'node_modules/devrev-gate');
    for (const f of list.filter((x) => /\.(ts|js)$/.test(x))) {
      const text = readFileSync(join(installed, f), 'utf8');
      expect(text, f).not.toContain('../shared');
      expect(text, f).not.toContain(ROOT);
    }
  });

  it('init writes the config, the pin, the ignore file and the workflows; a second init keeps them all', async () => {
    const first = await gate(['init']);
    expect(first.code, first.stderr).toBe(0);
    const config = readFileSync(join(project, 'devrev-gate.config.yaml'), 'utf8');
    const schemaLine = /^\$schema: (\S+)$/m.exec(config)?.[1];
    expect(schemaLine).toBe('node_modules/devrev-gate/config.schema.json');
    expect(existsSync(join(project, schemaLine!))).toBe(true);
    expect(parseYaml(config)).toEqual({ $schema: schemaLine });
    const pin = readJson<Record<string, { source: { file: string; sha256: string; date: string } }>>(join(project, USER_SLICE_FILE));
    expect(readFileSync(join(project, USER_SLICE_FILE), 'utf8')).toBe(readFileSync(join(project, 'node_modules/devrev-gate/api-model/openapi/devrev-slice.json'), 'utf8'));
    expect(pin['x-devrev-gate-slice']!.source).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(parseYaml(readFileSync(join(project, 'devrev-gate.ignore.yaml'), 'utf8'))).toEqual({ ignore: [] });
    const templates = join(project, 'node_modules/devrev-gate/templates/workflows');
    const shipped = existsSync(templates) ? readdirSync(templates).sort() : [];
    for (const t of shipped)
      expect(readFileSync(join(project, '.github/workflows', t), 'utf8'), t).toBe(readFileSync(join(templates, t), 'utf8'));
    if (shipped.length === 0) expect(first.stdout).toContain('wrote no workflow');
    const again = await gate(['init']);
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n').filter((l) => l.startsWith('wrote '))).toEqual([]);
    expect(again.stdout.split('\n').filter((l) => l.startsWith('kept '))).toHaveLength(3 + shipped.length);
  }, LONG);

  it('runs every pillar on the embedded simulator and passes', async () => {
    const r = await gate(['run', '--out', 'reports/run', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const results = readJson<RunResults>(join(project, 'reports/run/results.json'));
    expect(results.verdict).toBe('pass');
    expect(results.pillars.map((p) => p.pillar)).toEqual(['contracts', 'drift', 'properties', 'load']);
    expect(existsSync(join(project, 'reports/run/results.sarif'))).toBe(true);
  }, LONG);

  it('drift against a served simulator without rate-limit headers fails under fail-on: warning from the config file', async () => {
    // The setting comes from the user's file, in the drift section.
    writeFileSync(join(project, 'devrev-gate.config.yaml'), `${readFileSync(join(project, 'devrev-gate.config.yaml'), 'utf8')}drift:\n  fail-on: warning\n`);
    const server: ChildProcess = spawn(join(project, 'node_modules/.bin/devrev-gate'), ['serve', '--port', '0', '--rate-limit-headers', 'absent'], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        server.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) done(m[1]!);
        });
        server.on('exit', (code) => fail(new Error(`serve exited ${code}`)));
      });
      const r = await gate(['drift', '--target', url, '--out', 'reports/drift', '--quiet'], { DEVREV_TOKEN: 'dropin-token-1' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const results = readJson<RunResults>(join(project, 'reports/drift/results.json'));
      expect(results.failOn).toBe('warning');
      const rules = new Set(results.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings.map((f) => f.ruleId))));
      expect([...rules]).toContain('rate-limit-header-missing-on-error');
      expect(sarifResultCount(join(project, 'reports/drift/results.sarif'))).toBeGreaterThan(0);
    } finally {
      server.kill('SIGTERM');
    }
  }, LONG);

  it('spec pin writes the user pin after showing the classified change, and drift then reads that pin', async () => {
    const pinFile = join(project, USER_SLICE_FILE);
    const doc = readJson<{ components: { schemas: Record<string, { allOf: Array<{ properties?: Record<string, unknown> }> }> } }>(pinFile);
    delete doc.components.schemas['rev-user']!.allOf[1]!.properties!['external_ref'];
    writeFileSync(join(project, 'newer.json'), JSON.stringify(doc));
    const pinned = await gate(['spec', 'pin', 'newer.json']);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.stdout).toMatch(/external_ref/);
    expect(pinned.stdout).toMatch(/devrev-gate\/openapi-slice\.json: written from newer\.json/);
    const written = readJson<typeof doc>(pinFile);
    expect(written.components.schemas['rev-user']!.allOf[1]!.properties!['external_ref']).toBeUndefined();
    // The package's own pin is untouched; the user's pin is what the gate now judges by.
    expect(readFileSync(join(project, 'node_modules/devrev-gate/api-model/openapi/devrev-slice.json'), 'utf8')).not.toBe(readFileSync(pinFile, 'utf8'));
    const r = await gate(['drift', '--out', 'reports/drift-repinned', '--quiet']);
    expect([0, 1]).toContain(r.code);
    const results = readJson<RunResults>(join(project, 'reports/drift-repinned/results.json'));
    const added = results.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings)).filter((f) => f.ruleId === 'response-property-added');
    expect(added.map((f) => f.pointer)).toContain('/rev_user/external_ref');
    // The full run before the re-pin had no such finding.
    const before = readJson<RunResults>(join(project, 'reports/run/results.json'));
    expect(before.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings)).filter((f) => f.pointer === '/rev_user/external_ref')).toEqual([]);
  }, LONG);

  it('every SARIF result points at a file that exists in the project', () => {
    for (const out of ['reports/run', 'reports/drift', 'reports/drift-repinned']) {
      const file = join(project, out, 'results.sarif');
      for (const uri of sarifUris(file)) expect(existsSync(join(project, decodeURIComponent(uri))), `${out}: ${uri}`).toBe(true);
    }
    expect(sarifResultCount(join(project, 'reports/drift/results.sarif'))).toBeGreaterThan(0);
  });
});
