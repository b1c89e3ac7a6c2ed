import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { createRunContext } from '../../core/run-context.ts';
import { parseTarget } from '../../core/target.ts';
import { runLoadCapacity, runLoadProbe, runLoadRecovery, validateLoadOptions } from '../../load/index.ts';
import { buildTimeline, type Observation } from '../../load/observe.ts';
import { guardLoadTarget, loadPlan, requestCap } from '../../load/safety.ts';

// Remote handling is tested on the guards and the plan, never by sending: the remote
// target below is refused before any socket is opened (the engines throw synchronously
// after validation, before their first request).

const REMOTE = parseTarget('https://api.devrev.ai');
const remoteCtx = (maxRequests?: number) =>
  createRunContext({ target: REMOTE, token: 'tok-remote-never-used', outDir: mkdtempSync(join(tmpdir(), 'dg-load-safe-')), quiet: true, maxRequests });

describe('load safety', () => {
  it('refuses a remote target without --allow-remote, in the guard and in every engine', async () => {
    expect(() => guardLoadTarget(REMOTE, false)).toThrow(UsageError);
    try {
      guardLoadTarget(REMOTE, false);
    } catch (err) {
      expect((err as UsageError).oneLine()).toContain('pass --allow-remote');
    }
    for (const run of [runLoadProbe, runLoadCapacity, runLoadRecovery]) {
      await expect(run(remoteCtx(), {})).rejects.toThrow(/refusing to send load to remote target/);
    }
  });

  it('lets loopback targets run as asked', () => {
    expect(() => guardLoadTarget(parseTarget('http://127.0.0.1:8080'), false)).not.toThrow();
    expect(() => guardLoadTarget(parseTarget('http://[::1]:8080'), false)).not.toThrow();
  });

  it('caps remote runs at a small default and at the run budget', () => {
    expect(requestCap(remoteCtx(), { maxRequests: null })).toBe(100);
    expect(requestCap(remoteCtx(40), { maxRequests: null })).toBe(40);
    expect(requestCap(remoteCtx(), { maxRequests: 25 })).toBe(25);
  });

  it('prints a plan naming the requests, the duration and how long the quota stays spent', () => {
    const plan = loadPlan('load capacity', REMOTE, 100, 15, Date.UTC(2025, 0, 1, 12, 0, 0));
    expect(plan.quotaSpentForS).toBe(315);
    expect(plan.line).toContain('at most 100 requests');
    expect(plan.line).toContain('https://api.devrev.ai');
    expect(plan.line).toContain('resets every 5 minutes');
    expect(plan.line).toContain('12:05:15 UTC');
  });

  it('names the bad option and the fix', () => {
    expect(() => validateLoadOptions({ concurrency: 0 })).toThrow(/--concurrency must be a whole number/);
    expect(() => validateLoadOptions({ rate: 500, maxRate: 100 })).toThrow(/--max-rate \(100\) is below --rate/);
    expect(() => validateLoadOptions({ maxDurationS: 0 })).toThrow(/--duration/);
    expect(() => validateLoadOptions({ algorithm: 'sliding' as never })).toThrow(/--algorithm/);
  });

  it('builds a timeline of status counts and latency percentiles per 100 ms', () => {
    const t0 = 1_000_000;
    const tl = buildTimeline(
      [
        { sentMs: t0, recvMs: t0 + 10, status: 201 },
        { sentMs: t0 + 50, recvMs: t0 + 70, status: 429 },
        { sentMs: t0 + 150, recvMs: t0 + 151, status: 503 },
        { sentMs: t0 + 160, recvMs: t0 + 5160, status: null, error: 'timeout' },
      ],
      t0,
    );
    expect(tl).toHaveLength(2);
    expect(tl[0]).toMatchObject({ tMs: 0, s2xx: 1, s429: 1, s5xx: 0, errors: 0, p50: 10, p99: 20 });
    expect(tl[1]).toMatchObject({ tMs: 100, s5xx: 1, errors: 1, p50: 1 });
  });
});

describe('the timeline of a large overload', () => {
  it('is built from half a million observations without running out of stack', () => {
    const obs: Observation[] = Array.from({ length: 500_000 }, (_, i) => ({
      sentMs: i / 100,
      recvMs: i / 100 + 1,
      status: i % 3 === 0 ? 201 : 429,
    }));
    const timeline = buildTimeline(obs, 0);
    expect(timeline).toHaveLength(50);
    expect(timeline.reduce((n, b) => n + b.s2xx + b.s429, 0)).toBe(500_000);
  });
});
