import { createServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { errorLines, runCli, scratch } from '../errors/support.ts';

// A loopback provider whose process is not running its event loop accepts the connection
// (the kernel does that) and never answers: what a drift proxy serves when the script that
// started it waits for devrev-gate with spawnSync. The first request (the preflight) waits
// out its timeout; the one line says what that silence means on loopback, and nothing is sent
// to the load pillar. No rate-limited traffic: the preflight's one request never returns.
const sockets = new Set<Socket>();
let requests = 0;
const silent = createServer((s) => {
  s.once('data', () => requests++);
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((done) => silent.close(() => done()));
});

describe('a loopback target that accepts and never answers', () => {
  it('ends with exit 2 and one line naming the blocked process as the likely cause', async () => {
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as { port: number };
    const run = await runCli(['run', '--only', 'load', '--target', `http://127.0.0.1:${port}`, '--token', 'silent-token', '--out', scratch('silent'), '--quiet'], {
      // The preflight waits out its whole request timeout first; a busy CI machine has taken
      // over 60 s for the run: the test is about what it says, not how fast.
      timeoutMs: 150_000,
    });
    expect(run.code).toBe(2);
    const lines = errorLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^devrev-gate: no answer from 127\\.0\\.0\\.1:${port} in time \\(the loopback connection was accepted, but nothing answered the first request\\): is the process serving it blocked\\?`));
    expect(lines[0]).toContain('spawnSync');
    // Only the preflight reached it: the load pillar never started.
    expect(requests).toBe(1);
  });
});
