import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, SECRET_NAME } from '../../core/redact.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';

// The token must appear in no artifact: not in any file the run writes, not in pacts/,
// not on stdout or stderr. A distinctive canary makes any leak findable.
const CANARY = 'canary-TOKEN-7f3a9c1e5b';

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((name) => {
        const p = join(dir, name);
        return statSync(p).isDirectory() ? filesUnder(p) : [p];
      })
    : [];

const run = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['bin/devrev-gate.js', ...args],
      { encoding: 'utf8', env: { ...process.env, DEVREV_API_URL: '', DEVREV_TOKEN: CANARY }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

describe('the canary token', () => {
  for (const where of ['the embedded simulator', 'a loopback target'] as const) {
    it(`appears in no artifact, log or output of a whole run against ${where}`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'gate-canary-'));
      // The embedded run covers every pillar, load included; against this process's
      // generous simulator the load pillar would probe a limit it never reaches.
      const target = where === 'a loopback target' ? ['--target', sim.url, '--skip', 'load'] : [];
      const r = await run(['run', ...target, '--out', out]);
      // On a failure, the findings table (stdout) says which check failed.
      expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);

      const written = [...filesUnder(out), ...filesUnder('pacts')];
      expect(written.length).toBeGreaterThan(0);
      if (where === 'a loopback target') expect(written.some((f) => f.endsWith('ledger.jsonl'))).toBe(true);
      const leaks = written.filter((f) => readFileSync(f).includes(CANARY));
      expect(leaks).toEqual([]);
      expect(r.stdout).not.toContain(CANARY);
      expect(r.stderr).not.toContain(CANARY);
    }, 180_000);
  }
});

describe('the committed pact files', () => {
  it('show every secret-named request header as the redaction marker', () => {
    const files = filesUnder('pacts').filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    let secretHeaders = 0;
    for (const f of files) {
      const pact = JSON.parse(readFileSync(f, 'utf8')) as { interactions: Array<{ request: { headers?: Record<string, string[]> } }> };
      for (const i of pact.interactions) {
        for (const [name, values] of Object.entries(i.request.headers ?? {})) {
          if (!SECRET_NAME.test(name)) continue;
          secretHeaders++;
          expect(values, `${f}: ${name}`).toEqual([REDACTED]);
        }
      }
    }
    expect(secretHeaders).toBeGreaterThan(0);
  });
});
