import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../core/results.ts';

let server: Server;
let url: string;
beforeAll(async () => {
  // A provider that rejects every token: the preflight's first answer is a 401.
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"type":"unauthenticated"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('a run that cannot start', () => {
  it('exits 2 with one line, and leaves results and reports that say fail, never pass', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gate-setup-'));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['bin/devrev-gate.js', 'drift', '--target', url, '--token', 'bad-token-123', '--out', out],
        { encoding: 'utf8', env: { ...process.env, DEVREV_API_URL: '', DEVREV_TOKEN: '' } },
        (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^devrev-gate: .* rejected the token \(401 on the first request\): check --token/m);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.verdict).toBe('fail');
    expect(results.error).toMatch(/rejected the token/);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).verdict).toBe('fail');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/stopped early.*rejected the token/);
  });
});
