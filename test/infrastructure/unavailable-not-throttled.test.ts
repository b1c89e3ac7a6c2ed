import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleInfo } from '../../api-model/rulebook/index.ts';
import { simulatorStates } from '../../contracts/pact/states.ts';
import type { RunResults } from '../../core/results.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { cliEnv } from '../support/cli-providers.ts';
import { type Rewriter, startMutatingProxy } from '../support/mutating-proxy.ts';

/**
 * The rate-limits page promises a throttled user "429 Too Many Requests" with Retry-After.
 * A proxy of the project's own turns the simulator's real 429s into 503s without a wait:
 * after the bounded retries that is an error finding of its own rule (basis prose), exit 1,
 * not an inconclusive interaction. A 503 that clears on retry is no finding.
 * Provider states come from a Pact state-change URL (`--states-url`) served here, which
 * sets them on the simulator behind the proxy.
 */
const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');
const RULE = 'rate-limit-503-instead-of-429';
const dir = mkdtempSync(join(tmpdir(), 'dg-503-'));
let sim: RunningSimulator;
let states: Server;
let statesUrl: string;
// Each run's states get values of their own (run-unique refs), as a run id gives them.
let runNo = 0;
beforeAll(async () => {
  sim = await startSimulator({});
  const setter = simulatorStates(sim.url);
  states = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c;
    });
    req.on('end', async () => {
      const { state, params } = JSON.parse(raw) as { state: string; params?: Record<string, unknown> };
      const outcome = await setter.setup(state, params ?? {}, { runId: `dg503r${runNo}`, token: 'unavailable-token', fixtures: {} }).catch(() => null);
      if (!outcome) return void res.writeHead(400).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...outcome.values, ...(outcome.token ? { token: outcome.token } : {}), ...(outcome.headers ? { headers: outcome.headers } : {}) }));
    });
  });
  await new Promise<void>((r) => states.listen(0, '127.0.0.1', r));
  statesUrl = `http://127.0.0.1:${(states.address() as AddressInfo).port}/state`;
});
afterAll(async () => {
  await sim.close();
  await new Promise<void>((r) => states.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const UNAVAILABLE = { status: 503, headers: { 'retry-after': null }, body: { type: 'service_unavailable', message: 'Service Unavailable' } };

const contracts = async (rewrite: Rewriter, name: string) => {
  const proxy = await startMutatingProxy(sim.url, rewrite);
  const out = join(dir, name);
  runNo++;
  const env = cliEnv();
  try {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(
        process.execPath,
        [BIN, 'contracts', '--target', proxy.url, '--token', 'unavailable-token', '--states-url', statesUrl, '--pact-dir', join(out, 'pacts'), '--out', out],
        { env },
        (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
      ),
    );
    return { ...r, results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults };
  } finally {
    await proxy.close();
  }
};

describe('a 503 where the docs promise a throttled user 429 with Retry-After', () => {
  it('is an error finding of its own rule after the bounded retries, exit 1', async () => {
    const seen503: string[] = [];
    const r = await contracts((x) => {
      if (x.status !== 429) return undefined;
      seen503.push(String(x.requestHeaders.authorization));
      return UNAVAILABLE;
    }, 'always');
    expect(r.code, r.stderr).toBe(1);
    const checks = r.results.pillars.flatMap((p) => p.checks);
    const failing = checks.filter((c) => c.outcome === 'fail');
    expect(failing.map((c) => c.name).sort()).toEqual(['dev-users.create 429 with Retry-After and retry_after', 'rev-users.create 429 with Retry-After and retry_after']);
    for (const c of failing) {
      expect(c.findings.map((f) => f.ruleId)).toEqual([RULE]);
      expect(c.findings[0]).toMatchObject({ severity: 'error', basis: 'prose', status: 503, expected: '429 with Retry-After', actual: '503 without Retry-After' });
      expect(c.findings[0]!.evidence?.status).toBe(503);
    }
    // The rule book carries it with the rate-limits page as its basis.
    expect(ruleInfo(RULE)).toMatchObject({ severity: 'error', basis: 'prose' });
    // Bounded retries: three attempts per interaction, not an endless loop.
    expect(seen503.length).toBe(6);
    expect(checks.filter((c) => c.outcome === 'inconclusive')).toEqual([]);
  });

  it('is no finding when the 503 clears into the promised 429 on retry', async () => {
    const once = new Set<string>();
    const r = await contracts((x) => {
      const who = String(x.requestHeaders.authorization);
      if (x.status !== 429 || once.has(who)) return undefined;
      once.add(who);
      return UNAVAILABLE;
    }, 'clears');
    expect(once.size).toBe(2);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.results.pillars.flatMap((p) => p.checks).flatMap((c) => c.findings)).toEqual([]);
  });
});
