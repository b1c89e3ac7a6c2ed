import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupLedger } from '../../cleanup/index.ts';
import { Ledger } from '../../core/ledger.ts';
import { createRunContext } from '../../core/run-context.ts';
import { fixedWindow, type RunningZoo, startZoo } from '../support/limiters/zoo.ts';

// A load run that spent the user's quota leaves cleanup throttled: it must wait for the
// quota and remove every record, not give up after a couple of 429s.

const zoos: RunningZoo[] = [];
afterAll(async () => {
  for (const z of zoos) await z.close();
});

describe('cleanup after a throttled run', () => {
  it('waits for the quota (Retry-After) and removes every record', async () => {
    const zoo = await startZoo({ limiter: () => fixedWindow(2, 1000) });
    zoos.push(zoo);
    const ctx = createRunContext({ target: { url: zoo.url, kind: 'loopback' }, token: 'tok-cleanup-quota', outDir: mkdtempSync(join(tmpdir(), 'dg-cq-')), quiet: true });
    const ledger = new Ledger(join(ctx.outDir, 'ledger.jsonl'), ctx.runId);
    for (let i = 1; i <= 5; i++) ledger.record({ event: 'created', endpoint: 'rev-users.create', id: `don:identity:dvrv-us-1:devo/zoo:revu/${i}` });
    const lines: string[] = [];
    const report = await cleanupLedger(ctx, ledger, { say: (l) => lines.push(l) });
    expect(report.failed).toEqual([]);
    expect(report.removed).toHaveLength(5);
    expect(ledger.outstanding()).toEqual([]);
    expect(lines.some((l) => /waiting \d+ s for the quota/.test(l))).toBe(true);
  });
});
