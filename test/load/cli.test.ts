import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Saved, verdictOf } from '../support/limiters/catalogue.ts';

// `devrev-gate load ...` as a CI runs it: a child process and its exit code. The remote
// refusal happens before any request (runSession refuses before starting anything).

const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');

const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string; dir: string }> => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-cli-load-'));
  const env = { ...process.env };
  delete env['DEVREV_API_URL'];
  delete env['DEVREV_TOKEN'];
  return new Promise((done) =>
    execFile(process.execPath, [BIN, 'load', ...args, '--out', join(dir, 'out')], { cwd: dir, env }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr, dir }),
    ),
  );
};

describe('devrev-gate load exit codes', () => {
  it('exits 0 on the clean embedded simulator and saves capacity.json', async () => {
    const r = await cli(['capacity', '--duration', '5', '--simulate', 'token-bucket:4/5']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/capacity: token bucket, burst (at least )?\d/);
    // Right by the zoo's measure: the figures, within what the estimate says of its own uncertainty.
    const saved = JSON.parse(readFileSync(join(r.dir, 'out', 'capacity.json'), 'utf8')) as Saved;
    expect(verdictOf(saved, { model: 'token_bucket', burst: 4, ratePerS: 5 }), JSON.stringify(saved)).toBe('right');
    expect(r.stderr).toMatch(/load capacity: .*sent/);
  });

  it('exits 1 when the provider breaks a promise (headers that lie)', async () => {
    const r = await cli(['probe', '--duration', '1', '--simulate-headers', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('rate-limit-remaining-not-zero');
  });

  it('exits 2 on a bad option, naming it', async () => {
    const r = await cli(['capacity', '--rate', '500', '--max-rate', '100']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--max-rate');
    const s = await cli(['probe', '--simulate', 'sliding:3']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('--simulate');
  });

  it('exits 2 for a remote target without --allow-remote', async () => {
    const r = await cli(['probe', '--target', 'https://api.devrev.ai', '--token', 'tok-never-sent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--allow-remote');
    // --skip is a `run` option; `load` has none to offer.
    expect(r.stderr).not.toContain('--skip');
    expect(r.stderr).not.toContain('tok-never-sent');
  });
});
