import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLICE_FILE } from '../../api-model/openapi/slice.ts';
import type { Finding, RunResults } from '../../core/results.ts';
import { USER_SLICE_FILE } from '../../core/user-repo.ts';
import { REPORT_FILES } from '../../reports/index.ts';
import type { Summary } from '../../reports/summary.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { type DriftProxy, startDriftProxy } from '../support/drift-proxy.ts';
import { everyPillarResults, passingResults, syntheticResults } from './fixture.ts';

// `devrev-gate report --from` and the reports every session leaves, as CI meets them:
// a child process, its exit code and output, and the files in its folder.

const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');
const TOKEN = 'tok-canary-reports-5f3a91';
const FILES = Object.values(REPORT_FILES);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const cli = (args: string[], cwd: string): Promise<Run> => {
  const env = { ...process.env };
  delete env['DEVREV_API_URL'];
  delete env['DEVREV_TOKEN'];
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
};

const saved = (results: RunResults) => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-report-'));
  mkdirSync(join(dir, 'run'));
  writeFileSync(join(dir, 'run', 'results.json'), JSON.stringify(results, null, 2));
  return dir;
};

describe('devrev-gate report --from', () => {
  it('re-renders every report into the run folder and exits 1 for a saved failing run', async () => {
    const dir = saved(syntheticResults());
    const r = await cli(['report', '--from', 'run'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([...FILES.map((f) => join('run', f)), 'verdict: fail']);
    for (const f of FILES) expect(existsSync(join(dir, 'run', f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(join(dir, 'run', REPORT_FILES.summary), 'utf8')) as Summary;
    expect(summary.verdict).toBe('fail');
    expect(summary.findings).toHaveLength(4);
  });

  it('writes to --out instead, takes the results file itself, and exits 0 for a saved passing run', async () => {
    const dir = saved(passingResults());
    const r = await cli(['report', '--from', join('run', 'results.json'), '--out', 'elsewhere', '--quiet'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(join(dir, 'elsewhere')).sort()).toEqual([...FILES].sort());
    expect(readdirSync(join(dir, 'run'))).toEqual(['results.json']);
  });

  it('exits 2 with one line naming the file and the problem when the results are missing, not JSON or not results', async () => {
    const missing = await cli(['report', '--from', 'nowhere'], mkdtempSync(join(tmpdir(), 'dg-report-')));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([
      `devrev-gate: ${join('nowhere')}: no such file: pass --from the --out folder of an earlier run (it holds results.json)`,
    ]);

    // A path outside the working folder is named as given, not as a climb of ../..
    const outside = await cli(['report', '--from', '/nonexistent'], mkdtempSync(join(tmpdir(), 'dg-report-')));
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^devrev-gate: \/nonexistent: no such file: /);

    const dir = saved(syntheticResults());
    writeFileSync(join(dir, 'run', 'results.json'), '{"schemaVersion": 1, ');
    const notJson = await cli(['report', '--from', 'run'], dir);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr.trim().split('\n')).toHaveLength(1);
    expect(notJson.stderr).toMatch(/^devrev-gate: run\/results\.json: not JSON \(/);

    const broken = syntheticResults() as unknown as { pillars: Array<{ checks: Array<{ outcome: string }> }> };
    broken.pillars[1]!.checks[0]!.outcome = 'maybe';
    writeFileSync(join(dir, 'run', 'results.json'), JSON.stringify(broken));
    const notResults = await cli(['report', '--from', 'run'], dir);
    expect(notResults.code).toBe(2);
    expect(notResults.stderr.trim().split('\n')).toHaveLength(1);
    expect(notResults.stderr).toMatch(/^devrev-gate: run\/results\.json: not devrev-gate results: \/pillars\/1\/checks\/0\/outcome /);
    // Nothing is rendered from results that failed validation.
    expect(existsSync(join(dir, 'run', REPORT_FILES.html))).toBe(false);
  });
});

/** A user's repository as `devrev-gate init` leaves it: config with a target line, the pinned slice, their pact. */
const userRepo = (target: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-user-repo-'));
  writeFileSync(join(dir, 'devrev-gate.config.yaml'), `# devrev-gate settings\ntarget: ${target}\n`);
  mkdirSync(join(dir, 'devrev-gate'));
  copyFileSync(SLICE_FILE, join(dir, USER_SLICE_FILE));
  mkdirSync(join(dir, 'pacts'));
  copyFileSync(resolve(import.meta.dirname, '../../pacts/devrev-sdk-integrator-devrev-api.json'), join(dir, 'pacts', 'x.json'));
  return dir;
};

/** Every location of every result: the file it names exists in `dir`, and so does the line. */
const expectAlertsOnFilesOf = (dir: string, sarif: Log) => {
  const run = sarif.runs[0]!;
  expect(run.results!.length).toBeGreaterThan(0);
  expect(run.originalUriBaseIds!['SRCROOT']!.description!.text).toBe('the root of your repository');
  const uris = new Set<string>();
  for (const r of run.results!) {
    for (const l of r.locations!) {
      const phys = l.physicalLocation!;
      const uri = phys.artifactLocation!.uri!;
      uris.add(uri);
      expect(existsSync(join(dir, uri)), uri).toBe(true);
      expect(readFileSync(join(dir, uri), 'utf8').split('\n').length).toBeGreaterThanOrEqual(phys.region!.startLine!);
    }
  }
  for (const a of run.artifacts ?? []) expect(existsSync(join(dir, a.location!.uri!)), a.location!.uri).toBe(true);
  return uris;
};

describe('alerts on the files of a repository set up by init', () => {
  it('report --from places every pillar\'s alerts on the user\'s slice, pact or config target line, and on no file without init', async () => {
    const dir = userRepo('https://api.devrev.ai');
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'run', 'results.json'), JSON.stringify(everyPillarResults(), null, 2));
    const r = await cli(['report', '--from', 'run', '--quiet'], dir);
    expect(r.code).toBe(1);
    const uris = expectAlertsOnFilesOf(dir, JSON.parse(readFileSync(join(dir, 'run', REPORT_FILES.sarif), 'utf8')) as Log);
    expect([...uris].sort()).toEqual(['devrev-gate.config.yaml', 'devrev-gate/openapi-slice.json', 'pacts/x.json']);

    const bare = saved(everyPillarResults());
    expect((await cli(['report', '--from', 'run', '--quiet'], bare)).code).toBe(1);
    expect(readFileSync(join(bare, 'run', REPORT_FILES.sarif), 'utf8')).not.toContain('physicalLocation');
  });
});

describe('reports of a session against a drifted provider', () => {
  let sim: RunningSimulator;
  let proxy: DriftProxy;

  beforeAll(async () => {
    sim = await startSimulator({});
    // A documented required property disappears from the real answer.
    proxy = await startDriftProxy(sim.url, (x) => {
      if (x.path !== '/rev-users.create' || x.status !== 201) return undefined;
      const { id: _, ...user } = (x.body as { rev_user: Record<string, unknown> }).rev_user;
      return { body: { rev_user: user } };
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await sim?.close();
  });

  it('exits 1, every report shows each gating finding, no file holds the token, and report --from redraws the same summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-report-session-'));
    const r = await cli(['drift', '--target', proxy.url, '--token', TOKEN, '--out', 'out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`reports: ${FILES.map((f) => join('out', f)).join(', ')}`);
    const results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as RunResults;
    const gating: Finding[] = results.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings)).filter((f) => f.severity === 'error');
    expect(gating.length).toBeGreaterThan(0);
    expect(gating.some((f) => f.pointer === '/rev_user/id')).toBe(true);

    const read = (f: string) => readFileSync(join(dir, 'out', f), 'utf8');
    const summary = JSON.parse(read(REPORT_FILES.summary)) as Summary;
    expect(summary.verdict).toBe('fail');
    const junit = new XMLParser({ ignoreAttributes: false }).parse(read(REPORT_FILES.junit)) as { testsuites: Record<string, string> };
    expect(Number(junit.testsuites['@_failures'])).toBeGreaterThan(0);
    const md = read(REPORT_FILES.markdown);
    const page = read(REPORT_FILES.html);
    expect(md.split('\n')[0]).toBe('## ❌ devrev-gate: FAIL');
    expect(page).toContain('<span class="verdict fail" id="verdict">FAIL</span>');
    for (const f of gating) {
      expect(summary.findings).toContainEqual(expect.objectContaining({ ruleId: f.ruleId, pointer: f.pointer, severity: 'error' }));
      expect(read(REPORT_FILES.junit)).toContain(f.ruleId);
      expect(md).toContain(f.ruleId.replace(/_/g, '\\_'));
      expect(page).toContain(f.ruleId);
      expect(page).toContain(`<code>${f.pointer.replace(/&/g, '&amp;')}</code>`);
    }
    for (const f of readdirSync(join(dir, 'out'))) expect(read(f), f).not.toContain(TOKEN);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);

    // No init here: alerts are logical-only, never on files this folder does not hold.
    const sarif = JSON.parse(read(REPORT_FILES.sarif)) as Log;
    expect(sarif.runs[0]!.results!.length).toBeGreaterThan(0);
    expect(read(REPORT_FILES.sarif)).not.toContain('physicalLocation');

    const again = await cli(['report', '--from', 'out', '--out', 'again'], dir);
    expect(again.code).toBe(1);

    // The same run in a repository set up by init: the alerts land on the user's slice.
    const repo = userRepo(proxy.url);
    const inRepo = await cli(['drift', '--target', proxy.url, '--token', TOKEN, '--out', 'out', '--quiet'], repo);
    expect(inRepo.code).toBe(1);
    const uris = expectAlertsOnFilesOf(repo, JSON.parse(readFileSync(join(repo, 'out', REPORT_FILES.sarif), 'utf8')) as Log);
    expect([...uris]).toEqual(['devrev-gate/openapi-slice.json']);
    expect(readFileSync(join(dir, 'again', REPORT_FILES.summary), 'utf8')).toBe(read(REPORT_FILES.summary));
    expect(readFileSync(join(dir, 'again', REPORT_FILES.html), 'utf8')).toBe(page);
  });
});
