import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../core/ledger.ts';
import type { RunResults } from '../../core/results.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { type DriftProxy, startDriftProxy } from '../support/drift-proxy.ts';

type User = { id: string; display_name?: string; external_ref?: string; email?: string; state?: string };

const run = (args: string[]) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['bin/devrev-gate.js', ...args],
      { encoding: 'utf8', env: { ...process.env, DEVREV_API_URL: '', DEVREV_TOKEN: '' }, maxBuffer: 64 * 1024 * 1024 },
      (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });

let sim: RunningSimulator;
let proxy: DriftProxy;
/** Every user a 201 answer reported, seen on the wire (the run deletes rev users later). */
const seen: User[] = [];
beforeAll(async () => {
  sim = await startSimulator();
  proxy = await startDriftProxy(sim.url, (x) => {
    const body = x.body as { rev_user?: User; dev_user?: User } | undefined;
    const user = x.status === 201 ? (body?.rev_user ?? body?.dev_user) : undefined;
    if (user) seen.push(user);
    return undefined;
  });
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

describe('test data on a target that is not the embedded simulator', () => {
  it('carries the run id on every user created, is all in the ledger, and is removed at the end', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gate-data-'));
    const r = await run(['run', '--target', proxy.url, '--token', 'data-token-1', '--out', out, '--skip', 'load']);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    const ledger = readFileSync(join(out, 'ledger.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LedgerEntry);
    const created = new Set(ledger.filter((e) => e.event === 'created').map((e) => e.id));

    expect(seen.length).toBeGreaterThan(0);
    for (const u of seen) {
      const tagged = [u.display_name, u.external_ref, u.email?.split('@')[0]].some((v) => v?.includes(results.runId));
      expect(tagged, `user ${u.id} carries no run id: ${JSON.stringify(u)}`).toBe(true);
      expect(created, `user ${u.id} missing from the ledger`).toContain(u.id);
    }

    const users = (await (await fetch(`${sim.url}/__simulator/users`)).json()) as { rev_users: User[]; dev_users: User[] };
    // Every dev user the run created still exists (deactivated: no documented delete).
    expect(users.dev_users.length).toBeGreaterThan(0);
    for (const u of users.dev_users) {
      expect(created, `dev user ${u.id} missing from the ledger`).toContain(u.id);
      expect(u.email?.split('@')[0] ?? '').toContain(results.runId);
      expect(u.state).toBe('deactivated');
    }
    // Rev users are deleted; those left are only the ones the simulator's setup made.
    expect(users.rev_users.filter((u) => created.has(u.id))).toEqual([]);
    expect(results.records.created).toBe(created.size);
    expect(results.records.removed).toBe(ledger.filter((e) => e.event === 'removed').length);
  });
});
