import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../core/results.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { cliEnv } from '../support/cli-providers.ts';
import { type MutatingProxy, startMutatingProxy } from '../support/mutating-proxy.ts';

/**
 * A base URL where DevRev's endpoints are not is a setup error, told from what DevRev
 * documents: the create endpoints list no 404 (a 404 is "the requested endpoint doesn't
 * exist"), no redirect and no HTML. One line, exit 2, at most 2 requests, each counted here.
 * A provider that lost one endpoint is not a wrong URL: the second request tells them apart.
 */
const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');
const dir = mkdtempSync(join(tmpdir(), 'dg-preflight-'));
let sim: RunningSimulator;
let proxy: MutatingProxy;
let other: Server;
let otherUrl: string;
let otherRequests = 0;
beforeAll(async () => {
  sim = await startSimulator({});
  // Counts every request that reaches the simulator, whatever its path.
  proxy = await startMutatingProxy(sim.url, () => undefined);
  // Not an API at all: a web site's HTML page, and a login redirect.
  other = createServer((req, res) => {
    otherRequests++;
    req.resume();
    if (req.url?.startsWith('/sso/')) res.writeHead(302, { location: 'https://login.example.test/sso?next=%2Fapi' }).end();
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html><body><h1>Welcome</h1></body></html>');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
  await new Promise<void>((r) => other.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const gate = (target: string, command: string[] = ['run', '--skip', 'load']) =>
  new Promise<{ code: number; stderr: string; out: string }>((done) => {
    // The token from the environment, as CI gives it (a flag would add its warning line).
    const env = { ...cliEnv(), DEVREV_TOKEN: 'preflight-token' };
    const out = mkdtempSync(join(dir, 'out-'));
    execFile(process.execPath, [BIN, ...command, '--target', target, '--out', out], { env }, (err, _stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stderr, out }),
    );
  });

const expectOneLine = (stderr: string): string => {
  const errors = stderr.split('\n').filter((l) => l.startsWith('devrev-gate:'));
  expect(errors, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/^verdict:/m);
  return errors[0]!;
};

describe('the preflight knows the API is there', () => {
  it('a wrong path prefix (…/v1): the 404 route-not-found is a setup error, exit 2, one line, at most two requests', async () => {
    const before = proxy.received;
    const target = `${proxy.url}/v1`;
    const r = await gate(target);
    expect(r.code).toBe(2);
    const line = expectOneLine(r.stderr);
    expect(line).toContain(`${target}/dev-users.create`);
    expect(line).toMatch(/answered HTTP 404 application\/json/);
    expect(line).toMatch(/base URL/);
    expect(proxy.received - before).toBeLessThanOrEqual(2);
    // No pillar ran: nothing is blamed on the provider.
    const results = JSON.parse(readFileSync(join(r.out, 'results.json'), 'utf8')) as RunResults;
    expect(results.pillars).toEqual([]);
    expect(results.error).toMatch(/404/);
  });

  it('an HTML page: exit 2, one line naming the URL and the content type', async () => {
    const before = otherRequests;
    const r = await gate(otherUrl);
    expect(r.code).toBe(2);
    const line = expectOneLine(r.stderr);
    expect(line).toContain(otherUrl);
    expect(line).toMatch(/answered HTTP 200 text\/html/);
    expect(otherRequests - before).toBeLessThanOrEqual(2);
  });

  it('a redirect to a login page: exit 2, one line naming where it redirects', async () => {
    const before = otherRequests;
    const r = await gate(`${otherUrl}/sso`);
    expect(r.code).toBe(2);
    const line = expectOneLine(r.stderr);
    expect(line).toMatch(/answered HTTP 302, a redirect to https:\/\/login\.example\.test\/sso/);
    expect(otherRequests - before).toBeLessThanOrEqual(2);
  });

  it('a provider that lost only dev-users.create is no setup error: the base URL is right, the pillars report the 404s (exit 1)', async () => {
    const lost = await startMutatingProxy(
      sim.url,
      () => undefined,
      (r) => (r.path.endsWith('/dev-users.create') ? { status: 404, body: { message: 'route not found' } } : undefined),
    );
    try {
      const r = await gate(lost.url, ['drift']);
      expect(r.stderr).not.toMatch(/is not the DevRev API/);
      expect(r.code, r.stderr).toBe(1);
      const results = JSON.parse(readFileSync(join(r.out, 'results.json'), 'utf8')) as RunResults;
      const statuses = results.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings)).filter((f) => f.endpoint === 'dev-users.create').map((f) => f.status);
      expect(statuses).toContain(404);
    } finally {
      await lost.close();
    }
  });

  it('the right base URL passes the preflight (its answer is a documented 400)', async () => {
    const r = await gate(proxy.url, ['drift']);
    expect(r.stderr).not.toMatch(/is not the DevRev API/);
    expect(r.stderr).toMatch(/^verdict: /m);
  });
});
