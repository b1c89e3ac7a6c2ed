import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm start` as a new user runs it: the terminal holds the gate's progress, its table and
// the verdict; the Pact verifier's own report goes to a log file named in one line.

const ROOT = resolve(import.meta.dirname, '../..');

/** Lines only the Pact verifier writes (its report, its summary, pact-core's logger). */
const VERIFIER_LINE = /Verifying a pact between|^\s*Given |returns a response which|has status code|has a matching body|includes headers|Verification (un)?successful|There were \d+ pact failures|pact_verifier|\u001b\[/m;

const npmStart = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    const env = { ...process.env };
    delete env['DEVREV_API_URL'];
    delete env['DEVREV_TOKEN'];
    execFile('npm', ['start', '--silent', '--', ...args], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });

describe('a quiet terminal', () => {
  it("npm start's stdout holds no line from the Pact verifier, whose report is in the log file named once", async () => {
    const out = mkdtempSync(join(tmpdir(), 'dg-quiet-'));
    // The verifier runs in the contracts pillar; the slow pillars add nothing to this question.
    const r = await npmStart(['--only', 'contracts,drift', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const log = join(out, 'pact-verifier.log');
    const text = readFileSync(log, 'utf8');
    // The pattern does match the verifier's report: it is in the log, not in the terminal.
    expect(text).toMatch(VERIFIER_LINE);
    expect(r.stdout).not.toMatch(VERIFIER_LINE);
    expect(r.stderr).not.toMatch(VERIFIER_LINE);
    expect(r.stderr.split('\n').filter((l) => l.includes('pact-verifier.log'))).toEqual([`contracts: the Pact verifier's own report: ${log}`]);
    expect(r.stderr).toMatch(/^verdict: PASS in /m);
  });

  it('shows the verifier report in the terminal with --debug, and writes no log then', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dg-quiet-'));
    const r = await npmStart(['--only', 'contracts', '--debug', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(VERIFIER_LINE);
    expect(existsSync(join(out, 'pact-verifier.log'))).toBe(false);
    expect(r.stderr).toContain('contracts: the Pact verifier reports to the terminal (--debug)');
  });
});
