import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RevUsersCreateResponse, validate } from '../../api-model/shapes/index.ts';
import { send } from './http.ts';

// `devrev-gate serve` as a user runs it: a child process, its stdout, its signals and its
// exit code.

const BIN = fileURLToPath(new URL('../../bin/devrev-gate.js', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const serve = (...args: string[]) => {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const nl = stdout.indexOf('\n');
      if (nl !== -1) resolve(stdout.slice(0, nl));
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before printing: ${stderr}`)));
  });
  // Tests of refused options never read the first line: keep its rejection handled.
  firstLine.catch(() => {});
  return { child, firstLine, exited, out: () => stdout, err: () => stderr };
};

describe('devrev-gate serve', () => {
  it('prints where it listens as its first line, serves, and exits 0 on SIGTERM after answering the request in flight', async () => {
    const s = serve('--port', '0');
    const line = await s.firstLine;
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.slice('listening on '.length);
    const r = await send(url, '/rev-users.create', { body: {} });
    expect(r.status).toBe(201);
    expect(validate(RevUsersCreateResponse, r.json, 'strict').errors).toEqual([]);
    expect(r.headers['x-ratelimit-limit']).toBe('1000');

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ display_name: 'in flight' });
    const u = new URL(url);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: '/rev-users.create',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'tok' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      req.on('socket', (socket) =>
        socket.on('connect', () =>
          setTimeout(() => {
            s.child.kill('SIGTERM');
            setTimeout(() => req.end(body.slice(5)), 300);
          }, 100),
        ),
      );
    });
    const done = await answer;
    expect(done.status).toBe(201);
    expect(JSON.parse(done.text).rev_user.display_name).toBe('in flight');
    expect(await s.exited).toBe(0);
  });

  it('exits 0 on SIGINT', async () => {
    const s = serve('--port', '0', '--no-rate-limit');
    const url = (await s.firstLine).slice('listening on '.length);
    // A signal in the first milliseconds can beat tsx's loader thread start-up and kill the
    // process outright (seen only then); a person's Ctrl-C comes after the server served.
    expect((await send(url, '/dev-users.create', { body: { email: 'sigint@example.com', state: 'shadow' } })).status).toBe(201);
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    expect(s.err()).toContain('SIGINT');
  });

  it.each([
    [['--port', 'abc'], '--port'],
    [['--port', '70000'], '--port'],
    [['--fault-rate', '2'], '--fault-rate'],
    [['--limit', '10', '--rate', '2'], '--rate'],
    [['--algorithm', 'token-bucket', '--rate', '2'], '--burst'],
    [['--no-rate-limit', '--limit', '5'], '--no-rate-limit'],
  ])('refuses %j with one line naming %s and exit 2', async (args, named) => {
    const s = serve(...args);
    expect(await s.exited).toBe(2);
    const lines = s.err().trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines[0]).toContain(named);
    expect(s.out()).toBe('');
  });

  it('says in one line that a taken port is taken and exits 2', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const s = serve('--port', String(port));
      expect(await s.exited).toBe(2);
      expect(s.err().trim().split('\n')).toHaveLength(1);
      expect(s.err()).toContain(`port ${port}`);
      expect(s.err()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});
