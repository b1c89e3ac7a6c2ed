import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../core/ledger.ts';
import type { RunResults } from '../../core/results.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';

interface Finished {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Starts the CLI and sends `signal` once stderr shows `when`; resolves when it exits. */
const interruptWhen = (args: string[], when: RegExp, signal: NodeJS.Signals): Promise<Finished> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['bin/devrev-gate.js', ...args], {
      env: { ...process.env, DEVREV_API_URL: '', DEVREV_TOKEN: '' },
    });
    let stderr = '';
    let stdout = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit in time; stderr so far:\n${stderr}`));
    }, 45_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!sent) reject(new Error(`exited before the signal; stderr:\n${stderr}`));
      else resolve({ code, stderr, stdout });
    });
  });

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

describe('an interrupted run', () => {
  it('stops on SIGINT against a real target, writes results and ledger, removes what it created, exits non-zero', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gate-int-'));
    const r = await interruptWhen(
      ['run', '--target', sim.url, '--token', 'interrupt-token-1', '--out', out, '--only', 'drift,properties'],
      /properties: seed/,
      'SIGINT',
    );

    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/SIGINT received: stopping/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.interrupted).toBe(true);
    expect(results.verdict).toBe('fail');
    expect(results.outcome).toBe('interrupted');
    expect(r.stderr).toMatch(/verdict: INTERRUPTED in /);
    expect(results.pillars.map((p) => p.pillar)).toContain('drift');

    const ledger = readFileSync(join(out, 'ledger.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LedgerEntry);
    const created = ledger.filter((e) => e.event === 'created');
    expect(created.length).toBeGreaterThan(0);
    const handled = new Set(ledger.filter((e) => e.event === 'removed' || e.event === 'deactivated').map((e) => e.id));
    expect(created.filter((e) => !handled.has(e.id))).toEqual([]);

    const users = (await (await fetch(`${sim.url}/__simulator/users`)).json()) as { rev_users: Array<{ id: string }> };
    const left = new Set(users.rev_users.map((u) => u.id));
    expect(created.filter((e) => e.endpoint === 'rev-users.create' && left.has(e.id))).toEqual([]);
    expect(results.records.created).toBe(created.length);
  });

  it('stops on SIGTERM against the embedded simulator, writes what it gathered and exits non-zero', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gate-int-'));
    const r = await interruptWhen(['run', '--out', out, '--only', 'drift,properties'], /properties: seed/, 'SIGTERM');
    expect(r.code).toBe(130);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.interrupted).toBe(true);
    expect(results.verdict).toBe('fail');
    expect(results.target.kind).toBe('simulator');
  });

  // Cancelled while the capacity rounds run: the saved answer is what the rounds found, said
  // to be cut short; not the continuous probing's "no request was throttled" after 429s.
  it('stops on SIGINT during the capacity rounds and says so in capacity.json, without claiming no 429 came', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gate-int-'));
    const r = await interruptWhen(['load', 'capacity', '--simulate', 'token-bucket:10/5', '--duration', '15', '--out', out], /rounds: burst,/, 'SIGINT');
    expect(r.code).toBe(130);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.outcome).toBe('interrupted');
    const capacity = JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8')) as { algorithm: string | null; reason: string; rounds: Array<{ round: string }> };
    expect(capacity.algorithm, capacity.reason).toBeNull();
    expect(capacity.reason).toMatch(/interrupted during the designed rounds \(burst/);
    expect(capacity.reason).not.toMatch(/no request was throttled/);
    expect(capacity.rounds[0]?.round).toBe('burst');
  });
});
