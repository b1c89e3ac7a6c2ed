import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupLedger, describeRemaining, readLedgerFile } from '../../cleanup/index.ts';
import { DEV_USERS_CREATE, REV_USERS_CREATE } from '../../api-model/shapes/index.ts';
import { HttpClient } from '../../core/http.ts';
import { Ledger } from '../../core/ledger.ts';
import { createRunContext } from '../../core/run-context.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const users = async () =>
  (await (await fetch(`${sim.url}/__simulator/users`)).json()) as {
    rev_users: Array<{ id: string; state?: string }>;
    dev_users: Array<{ id: string; state?: string }>;
  };

/** Creates one rev user and one dev user on the simulator, seen as a loopback target. */
const createBoth = async (ledgerFile: string) => {
  const ctx = createRunContext({ target: { url: sim.url, kind: 'loopback' }, token: 'cleanup-token-1', outDir: '/tmp' });
  const ledger = new Ledger(ledgerFile, ctx.runId);
  const http = new HttpClient(ctx);
  const rev = await http.send({ path: REV_USERS_CREATE.path, body: { display_name: `gate ${ctx.runId}` } });
  const dev = await http.send({
    path: DEV_USERS_CREATE.path,
    body: { email: `gate+${ctx.runId}@example.com`, state: 'shadow' },
  });
  const revId = (rev.json as { rev_user: { id: string } }).rev_user.id;
  const devId = (dev.json as { dev_user: { id: string } }).dev_user.id;
  ledger.record({ event: 'created', endpoint: REV_USERS_CREATE.name, id: revId });
  ledger.record({ event: 'created', endpoint: DEV_USERS_CREATE.name, id: devId });
  return { ctx, ledger, revId, devId };
};

// Async on purpose: the simulator lives in this process and must keep answering.
/** The token goes in the environment, as a user gives it (a --token flag adds a warning to stderr). */
const cli = (args: string[], token = '') =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['bin/devrev-gate.js', ...args],
      { encoding: 'utf8', env: { ...process.env, DEVREV_API_URL: '', DEVREV_TOKEN: token } },
      (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('the cleanup', () => {
  it('deletes the rev users and deactivates the dev users a run created, and says what remains', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gate-cleanup-')), 'ledger.jsonl');
    const { ctx, ledger, revId, devId } = await createBoth(file);

    const report = await cleanupLedger(ctx, ledger);

    expect(report.removed.map((e) => e.id)).toEqual([revId]);
    expect(report.deactivated.map((e) => e.id)).toEqual([devId]);
    expect(report.failed).toEqual([]);
    const now = await users();
    expect(now.rev_users.map((u) => u.id)).not.toContain(revId);
    expect(now.dev_users.find((u) => u.id === devId)?.state).toBe('deactivated');
    expect(describeRemaining(report)).toEqual([expect.stringMatching(/deactivated dev user, no documented delete/)]);
    expect(ledger.outstanding()).toEqual([]);
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
    expect(events).toEqual(['created', 'created', 'removed', 'deactivated']);
  });

  it('is finished from the ledger file by `devrev-gate cleanup`, and a second run has nothing left to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-cleanup-'));
    const file = join(dir, 'ledger.jsonl');
    const { revId } = await createBoth(file);

    const first = await cli(['cleanup', '--ledger', file, '--target', sim.url], 'cleanup-token-1');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/2 record\(s\) to clean up/);
    expect(first.stdout).toMatch(/removed 1, deactivated 1, failed 0/);
    expect((await users()).rev_users.map((u) => u.id)).not.toContain(revId);

    const second = await cli(['cleanup', '--ledger', file, '--target', sim.url], 'cleanup-token-1');
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/0 record\(s\) to clean up/);
  });

  it('refuses a malformed ledger with one line naming the file and line, exit 2', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gate-cleanup-')), 'ledger.jsonl');
    writeFileSync(file, '{"event":"created","endpoint":"rev-users.create","id":"x"}\nnot json\n');
    const r = await cli(['cleanup', '--ledger', file, '--target', sim.url], 't');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`devrev-gate: ledger ${file} line 2 is not JSON: pass a ledger.jsonl written by devrev-gate`]);
    expect(() => readLedgerFile(join(file, 'missing'))).toThrow(/cannot read ledger/);
  });

  it('needs a target and a token, and says so in one line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gate-cleanup-')), 'ledger.jsonl');
    writeFileSync(file, '');
    const r = await cli(['cleanup', '--ledger', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^devrev-gate: cleanup needs the --target/);
  });
});
