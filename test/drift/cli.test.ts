import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../core/results.ts';
import { driftCases } from '../../drift/requests.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { type DriftProxy, type Mutate, type ProxiedExchange, startDriftProxy } from '../support/drift-proxy.ts';

// `devrev-gate drift` as a CI runs it: a separate process, its exit code, its stdout table
// and its results.json. The providers live in this process, so the child is spawned async.

const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');
const TOKEN = 'tok-cli-drift-selftest';

let sim: RunningSimulator;
const proxies: DriftProxy[] = [];

beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(async () => {
  for (const p of proxies) await p.close();
  await sim.close();
});

const proxy = async (mutate: Mutate) => {
  const p = await startDriftProxy(sim.url, mutate);
  proxies.push(p);
  return p.url;
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
  results: () => RunResults;
}

const drift = (args: string[], dir = mkdtempSync(join(tmpdir(), 'dg-cli-drift-'))): Promise<Run> => {
  const env = { ...process.env };
  delete env['DEVREV_API_URL'];
  delete env['DEVREV_TOKEN'];
  return new Promise((done) => {
    execFile(process.execPath, [BIN, 'drift', '--out', join(dir, 'out'), ...args], { cwd: dir, env }, (err, stdout, stderr) =>
      done({
        code: err ? Number((err as { code?: number }).code) : 0,
        stdout,
        stderr,
        dir,
        results: () => JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as RunResults,
      }),
    );
  });
};

const target = (url: string) => ['--target', url, '--token', TOKEN];
const findingsOf = (r: RunResults) => r.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));

const revMinimal = (x: ProxiedExchange) =>
  x.path === '/rev-users.create' && x.requestBody.toString('utf8').includes('-rev-minimal"');
const withoutId: Mutate = (x) => {
  if (!revMinimal(x)) return undefined;
  const { id: _, ...user } = (x.body as { rev_user: Record<string, unknown> }).rev_user;
  return { body: { rev_user: user } };
};
const withLegacy: Mutate = (x) => {
  if (!revMinimal(x)) return undefined;
  const body = x.body as { rev_user: Record<string, unknown> };
  return { body: { rev_user: { ...body.rev_user, x_legacy: 'kept' } } };
};

describe('devrev-gate drift', () => {
  it('exits 0 against the embedded simulator with no finding above info', async () => {
    const r = await drift([]);
    expect(r.stderr).toMatch(/^verdict: PASS in .* · 0 errors, 0 warnings, /m);
    expect(r.stderr.replace(/^verdict: .*$/m, '')).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^drift: ${driftCases().length} checks \\(0 failed\\), 0 errors, 0 warnings`));
    const results = r.results();
    expect(results.verdict).toBe('pass');
    expect(findingsOf(results).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('exits 1 against a drifted provider and names the rule and the pointer in its table', async () => {
    const r = await drift(target(await proxy(withoutId)));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rev-users\.create\s+error\s+response-required-property-missing\s+\/rev_user\/id\s+minimal-create 201/);
    const f = findingsOf(r.results()).find((x) => x.ruleId === 'response-required-property-missing');
    expect(f).toMatchObject({ endpoint: 'rev-users.create', status: 201, pointer: '/rev_user/id', severity: 'error' });
    const saved = readFileSync(join(r.dir, 'out', 'results.json'), 'utf8') + r.stdout + r.stderr;
    expect(saved).not.toContain(TOKEN);
  });

  it('exits 0 on additive-only drift, with an info finding', async () => {
    const r = await drift(target(await proxy(withLegacy)));
    expect(r.code).toBe(0);
    expect(findingsOf(r.results()).map((f) => [f.ruleId, f.pointer, f.severity])).toEqual([
      ['response-property-added', '/rev_user/x_legacy', 'info'],
    ]);
    expect(r.stdout).toContain('info      response-property-added');
  });

  it('exits 1 on a warning only with --fail-on warning', async () => {
    const url = await proxy(() => ({ headers: { 'x-ratelimit-reset': '__delete__' } }));
    const lenient = await drift(target(url));
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('rate-limit-header-missing');
    const strict = await drift([...target(url), '--fail-on', 'warning']);
    expect(strict.code).toBe(1);
    expect(strict.results().failOn).toBe('warning');
  });

  it('exits 2 with one line naming the file and the problem when the ignore file is malformed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-cli-drift-'));
    writeFileSync(join(dir, 'devrev-gate.ignore.json'), '{"ignore": [{"rule": "response-property-added"}]}');
    const r = await drift([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('ignore file devrev-gate.ignore.json: entry 1 needs a "reason"');
    expect(existsSync(join(dir, 'out', 'results.json'))).toBe(false);
    const badFlag = await drift(['--fail-on', 'info']);
    expect(badFlag.code).toBe(2);
  });

  it('fails on an expired ignore entry, found by its default YAML name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-cli-drift-'));
    writeFileSync(
      join(dir, 'devrev-gate.ignore.yaml'),
      '- rule: response-property-added\n  reason: vendor field, ticket DEV-7\n  expires: 2020-01-31\n',
    );
    const r = await drift([], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\*\s+error\s+ignore-entry-expired\s+\/0/);
  });

  it('shows an ignored finding as ignored and does not fail on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-cli-drift-'));
    const file = join(dir, 'accepted.json');
    writeFileSync(
      file,
      JSON.stringify({
        ignore: [{ rule: 'response-required-property-missing', endpoint: 'rev-users.create', path: '/rev_user/id', reason: 'DEV-42', expires: '2999-12-31' }],
      }),
    );
    const r = await drift([...target(await proxy(withoutId)), '--ignore', file], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/error \(ignored\)\s+response-required-property-missing\s+\/rev_user\/id/);
    expect(findingsOf(r.results()).find((f) => f.ruleId === 'response-required-property-missing')?.ignored).toEqual({
      reason: 'DEV-42',
      expires: '2999-12-31',
    });
  });

  it('records a baseline and reports an undocumented field that disappeared since', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-cli-drift-'));
    const file = join(dir, 'baseline.json');
    const recorded = await drift([...target(await proxy(withLegacy)), '--record-baseline', file], dir);
    expect(recorded.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('"/rev_user/x_legacy": "string"');
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);

    const clean = await proxy(() => undefined);
    const compared = await drift([...target(clean), '--baseline', file, '--fail-on', 'warning'], dir);
    expect(compared.code).toBe(1);
    expect(compared.stdout).toMatch(/warning\s+baseline-property-removed\s+\/rev_user\/x_legacy/);
    const lenient = await drift([...target(clean), '--baseline', file], dir);
    expect(lenient.code).toBe(0);

    writeFileSync(join(dir, 'not-a-baseline.json'), '{"answers": []}');
    const refused = await drift(['--baseline', join(dir, 'not-a-baseline.json')], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('baseline not-a-baseline.json: not a devrev-gate baseline');
  });
});
