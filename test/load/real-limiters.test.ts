import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../simulator/index.ts';
import { runCli, scratch } from '../errors/support.ts';
import { type Saved, type Truth, verdictOf } from '../support/limiters/catalogue.ts';
import { startExpressLimiter } from '../support/limiters/express.ts';
import { NGINX_BIN, NGINX_MISSING, type NginxLimit, startNginx } from '../support/limiters/nginx.ts';

// The estimator through the CLI against limiters nobody here wrote: Debian's nginx
// (limit_req) and express-rate-limit, each in front of the simulator with its own limiter
// off. The configurations and truths are this file's. Each run is a child process of at
// most ~15 s of loopback traffic. The limiters also count the creates that reached the
// simulator, which the ledger must match: every create is recorded, and removed.

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  capacity: (Saved & { probe_request: string; requests_spent?: number; requests_minimum?: number | null }) | null;
  records: { created: number; removed: number; remaining: number };
  /** Users the ledger file says were created. */
  ledgerCreated: number;
}

const load = async (command: 'capacity' | 'probe' | 'recovery', url: string, durationS: number, extra: string[] = []): Promise<Outcome> => {
  const out = join(scratch('real-limiter'), 'out');
  const token = `tok-real-${Math.random().toString(36).slice(2)}`;
  const r = await runCli(['load', command, '--target', url, '--token', token, '--duration', String(durationS), '--max-requests', '100000', '--out', out, ...extra]);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  const capFile = join(out, 'capacity.json');
  const ledgerFile = join(out, 'ledger.jsonl');
  const ledger = existsSync(ledgerFile) ? readFileSync(ledgerFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return {
    ...r,
    capacity: existsSync(capFile) ? JSON.parse(readFileSync(capFile, 'utf8')) : null,
    records: results.records,
    ledgerCreated: ledger.filter((e: { event: string }) => e.event === 'created').length,
  };
};

const upstream = async () => {
  const sim = await startSimulator({ rateLimit: false });
  closers.push(() => sim.close());
  return sim.url;
};

const nginx = async (l: NginxLimit) => {
  // A machine without nginx fails here, saying how to install it (never a silent skip).
  expect(NGINX_BIN, NGINX_MISSING).not.toBeNull();
  const n = await startNginx(await upstream(), l);
  closers.push(() => n.close());
  return n;
};

/** Right, or honestly unknown; never a wrong model or figures outside the stated uncertainty. */
const rightOrUnknown = (c: Outcome['capacity'], ...truths: Truth[]) => {
  expect(c, 'capacity.json was written').not.toBeNull();
  const verdicts = truths.map((t) => verdictOf(c!, t));
  expect(verdicts.includes('right') || verdicts.every((v) => v === 'unknown'), JSON.stringify({ verdicts, c })).toBe(true);
};

/** Every create that reached the simulator is in the ledger, and the results say what remains. */
const accounted = (o: Outcome, creates: number) => {
  expect(o.ledgerCreated, 'creates the limiter passed vs the ledger').toBe(creates);
  expect(o.records.created).toBe(creates);
  expect(o.records.created - o.records.removed).toBe(o.records.remaining);
  expect(o.records.remaining).toBe(0);
};

describe('the estimator against nginx limit_req (Debian nginx, a real limiter)', () => {
  it('nodelay, burst 5 at 10 r/s: a bucket (nginx lets burst + 1 through at once) or unknown; every create in the ledger', async () => {
    const n = await nginx({ ratePerS: 10, burst: 5, nodelay: true });
    const o = await load('capacity', n.url, 10);
    expect([0, 1], o.stderr).toContain(o.code);
    rightOrUnknown(o.capacity, { model: 'token_bucket', burst: 6, ratePerS: 10 });
    // nginx's 429 says nothing about whether a create-less request counts: creates, each recorded.
    expect(o.capacity!.probe_request).toBe('rev-users.create');
    accounted(o, n.createsLogged());
    expect(o.records.created).toBeGreaterThan(0);
  });

  it('without nodelay (a queue that delays, then refuses): a queue (or the bucket it decides like, or shaping) at its rate, or unknown', async () => {
    const n = await nginx({ ratePerS: 10, burst: 5 });
    const o = await load('capacity', n.url, 10);
    expect([0, 1], o.stderr).toContain(o.code);
    rightOrUnknown(o.capacity, { model: 'queue', ratePerS: 10, limit: 5 }, { model: 'token_bucket', burst: 6, ratePerS: 10 }, { model: 'shaping', ratePerS: 10 });
    accounted(o, n.createsLogged());
  });

  it('load probe: the creates in flight when the overload ends are answered and recorded, not cut', async () => {
    const n = await nginx({ ratePerS: 20, burst: 10, nodelay: true });
    const o = await load('probe', n.url, 2);
    // nginx's own 429 is not DevRev's documented body: the probe may fail the provider, never itself.
    expect([0, 1], o.stderr).toContain(o.code);
    accounted(o, n.createsLogged());
    expect(o.records.created).toBeGreaterThan(0);
  });
});

describe('the estimator against express-rate-limit (a fixed window per user)', () => {
  it('30 per 3 s with X-RateLimit-* headers: right or unknown; the request that creates nothing is used, no user is made', async () => {
    const e = await startExpressLimiter(await upstream(), { limit: 30, windowMs: 3000, headers: 'legacy' });
    closers.push(() => e.close());
    const o = await load('capacity', e.url, 12);
    expect([0, 1], o.stderr).toContain(o.code);
    rightOrUnknown(o.capacity, { model: 'fixed_window', limit: 30, windowS: 3 });
    expect(o.capacity!.probe_request).toMatch(/without its required fields/);
    accounted(o, e.createsForwarded());
    expect(e.createsForwarded()).toBe(0);
  });

  it('load probe where the limiter counts the request that creates nothing: one request in ten is a create, each in the ledger', async () => {
    const e = await startExpressLimiter(await upstream(), { limit: 30, windowMs: 3000, headers: 'legacy' });
    closers.push(() => e.close());
    const o = await load('probe', e.url, 2);
    expect([0, 1], o.stderr).toContain(o.code);
    expect(o.stderr).toContain('load probe: the limiter counts a dev-users.create without its required fields');
    // Two windows' quota (about 60 let through) at most; one in ten of the requests a create.
    expect(e.createsForwarded()).toBeGreaterThan(0);
    expect(e.createsForwarded()).toBeLessThan(30);
    accounted(o, e.createsForwarded());
  });

  it('only Retry-After, no quota headers: load recovery falls back to creates, and every one is in the ledger and removed', async () => {
    const e = await startExpressLimiter(await upstream(), { limit: 10, windowMs: 2000, headers: 'retry-after' });
    closers.push(() => e.close());
    const o = await load('recovery', e.url, 6, ['--trials', '2']);
    expect([0, 1], o.stderr).toContain(o.code);
    expect(o.stderr).toContain('probing with creates, recorded in the ledger');
    expect(e.createsForwarded()).toBeGreaterThan(0);
    accounted(o, e.createsForwarded());
  });

  it('IETF RateLimit headers only (draft-8), 0-150 ms of varying API work: still no user is made', async () => {
    const e = await startExpressLimiter(await upstream(), { limit: 30, windowMs: 3000, headers: 'ietf', workMs: { varyingUpTo: 150 } });
    closers.push(() => e.close());
    const o = await load('capacity', e.url, 12);
    expect([0, 1], o.stderr).toContain(o.code);
    rightOrUnknown(o.capacity, { model: 'fixed_window', limit: 30, windowS: 3 });
    expect(o.stderr).toContain('the limiter counts a dev-users.create without its required fields');
    accounted(o, 0);
    expect(e.createsForwarded()).toBe(0);
  });
});
