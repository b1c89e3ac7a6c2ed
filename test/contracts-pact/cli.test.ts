import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../simulator/index.ts';
import { startDriftProxy } from '../support/drift-proxy.ts';

const BIN = join(import.meta.dirname, '../../bin/devrev-gate.js');
const dir = mkdtempSync(join(tmpdir(), 'dg-contracts-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const { PACT_DO_NOT_TRACK: _unset, ...env } = process.env;
    execFile(process.execPath, [BIN, 'contracts', '--quiet', '--pact-dir', join(dir, 'pacts'), '--out', join(dir, 'out'), ...args], { env: { ...env, DEVREV_API_URL: '', DEVREV_TOKEN: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });

describe('devrev-gate contracts', () => {
  it('exits 0 against the embedded simulator', async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {4}rev-users\.create 429 with Retry-After and retry_after$/m);
    // Pact's usage tracking stays off unless the user turns it on.
    expect(r.stdout + r.stderr).not.toMatch(/tracking events anonymously/);
  });

  it('exits 1 against a drifted provider, naming the interaction and the pointer', async () => {
    const sim = await startSimulator({});
    const proxy = await startDriftProxy(sim.url, (x) => {
      const body = x.body as { rev_user?: Record<string, unknown> } | undefined;
      if (x.status !== 201 || !body?.rev_user) return undefined;
      const { id: _drop, ...rest } = body.rev_user;
      return { body: { rev_user: rest } };
    });
    try {
      const r = await run(['--target', proxy.url, '--token', 'cli-test-token']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^FAIL {4}rev-users\.create 201 minimal request$/m);
      expect(r.stdout).toContain('/rev_user/id  expected "present"  actual "absent"');
      expect(r.stdout).toMatch(/^SKIPPED rev-users\.create 409 for a taken external_ref \(provider state cannot be set/m);
    } finally {
      await proxy.close();
      await sim.close();
    }
  });
});
