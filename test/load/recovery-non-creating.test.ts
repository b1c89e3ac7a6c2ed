import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunContext } from '../../core/run-context.ts';
import { runLoadRecovery } from '../../load/index.ts';
import { type SimulatorOptions, startSimulator } from '../../simulator/index.ts';
import { startDriftProxy } from '../support/drift-proxy.ts';

// `load recovery` spends the quota with a request that creates nothing when the limiter
// counts it (the documented 400 then means "let through"), and falls back to creates,
// saying why, when it does not. The simulator is served on loopback: the embedded
// simulator's own kind keeps nothing and never asks.

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

const SMALL: SimulatorOptions = { rateLimit: { algorithm: 'fixed_window', limit: 5, windowS: 1 } };

const simulator = async () => {
  const s = await startSimulator(SMALL);
  closers.push(() => s.close());
  return s.url;
};

const users = async (url: string): Promise<number> => {
  const r = (await (await fetch(`${url}/__simulator/users`)).json()) as { rev_users: unknown[]; dev_users: unknown[] };
  return r.rev_users.length + r.dev_users.length;
};

const run = async (url: string) => {
  const said: string[] = [];
  const token = `tok-rec-${Math.random().toString(36).slice(2)}`;
  const ctx = createRunContext({ target: { url, kind: 'loopback' }, token, outDir: mkdtempSync(join(tmpdir(), 'dg-rec-')), quiet: true });
  const p = await runLoadRecovery(ctx, { trials: 2, fairnessS: 1, secondToken: `${token}-b`, say: (l) => said.push(l) });
  return { p, said, created: ctx.ledger.counts().created };
};

describe('load recovery spends nothing that creates records where the target allows it', () => {
  it('probes with a request that creates nothing when the limiter counts it, and judges its 400 as let through', async () => {
    const url = await simulator();
    const before = await users(url);
    const { p, said, created } = await run(url);
    expect(said.join('\n')).toContain('load recovery: the limiter counts a dev-users.create without its required fields (400)');
    expect(await users(url)).toBe(before);
    expect(created).toBe(0);
    // Recovery was timed on the 400s: each trial saw the request let through again.
    expect(p.data?.recovery?.length).toBe(2);
    for (const t of p.data?.recovery ?? []) expect(t.actualS).not.toBeNull();
    expect(p.checks.filter((c) => c.outcome === 'fail').map((c) => c.id), JSON.stringify(p.checks.flatMap((c) => c.findings), null, 1)).toEqual([]);
    expect(p.checks.find((c) => c.id === 'load.recovery.after-wait')?.outcome).toBe('pass');
    expect(p.checks.find((c) => c.id === 'load.recovery.fairness')?.outcome).toBe('pass');
    expect(new Set(p.checks.map((c) => c.endpoint))).toEqual(new Set(['dev-users.create']));
  });

  it('falls back to creates, recorded in the ledger, and says why when the 400 is not counted', async () => {
    const upstream = await simulator();
    // A provider whose limiter ignores the request that creates nothing: its Remaining never drops.
    const proxy = await startDriftProxy(upstream, (x) => (x.path.startsWith('/dev-users.create') && x.status === 400 ? { headers: { 'x-ratelimit-remaining': '5' } } : undefined));
    closers.push(() => proxy.close());
    const { p, said, created } = await run(proxy.url);
    expect(said.join('\n')).toContain('load recovery: X-Ratelimit-Remaining did not drop for a request that creates nothing: probing with creates, recorded in the ledger');
    expect(created).toBeGreaterThan(0);
    expect(created).toBe(await users(upstream));
    expect(p.data?.recovery?.length).toBe(2);
    for (const t of p.data?.recovery ?? []) expect(t.actualS).not.toBeNull();
    expect(new Set(p.checks.map((c) => c.endpoint))).toEqual(new Set(['rev-users.create']));
  });
});
