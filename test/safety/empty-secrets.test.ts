import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, scratch } from '../errors/support.ts';

// A CI job whose secrets are not set gets them as empty variables. With no target that is
// the embedded simulator, and an empty token is no token: before, the simulator was given
// '' as its token, answered every request 401, and the run blamed it.
const run = (args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stderr: string }>((done) =>
    execFile(process.execPath, [BIN, ...args], { cwd: scratch('empty-secrets'), env: { ...process.env, ...env }, timeout: 120_000 }, (err, _o, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stderr }),
    ),
  );

describe('empty secrets', () => {
  it('DEVREV_API_URL and DEVREV_TOKEN set but empty: the embedded simulator, checked with its own token, passes', async () => {
    const r = await run(['drift', '--out', 'out'], { DEVREV_API_URL: '', DEVREV_TOKEN: '' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^verdict: PASS/m);
    expect(r.stderr).not.toMatch(/401/);
  }, 120_000);
});
