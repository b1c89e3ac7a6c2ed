import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Saved } from './catalogue.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/devrev-gate.js');

export interface CliCapacity {
  code: number;
  stdout: string;
  stderr: string;
  capacity: (Saved & { requests_sent: number; duration_s: number; fit?: Array<{ model: string; fit: number | null }>; probe_request?: string; reason?: string }) | null;
  wallS: number;
}

/**
 * `devrev-gate load capacity` against a zoo limiter, the way a user runs it: a child
 * process, the session's preflight included. `othersFirst` unrelated requests with the
 * same token go out just before (quota spent by someone else).
 */
export const capacityViaCli = async (url: string, o: { durationS: number; token?: string; othersFirst?: number; extra?: string[]; bin?: string }): Promise<CliCapacity> => {
  const token = o.token ?? `zoo-${Math.random().toString(36).slice(2)}`;
  for (let i = 0; i < (o.othersFirst ?? 0); i++) {
    await fetch(`${url}/rev-users.create`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"display_name":"someone else"}' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'dg-zoo-'));
  const env = { ...process.env };
  delete env['DEVREV_API_URL'];
  delete env['DEVREV_TOKEN'];
  const started = Date.now();
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(
      process.execPath,
      [o.bin ?? BIN, 'load', 'capacity', '--target', url, '--token', token, '--duration', String(o.durationS), '--max-requests', '100000', '--out', join(dir, 'out'), ...(o.extra ?? [])],
      { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );
  let capacity: CliCapacity['capacity'] = null;
  try {
    capacity = JSON.parse(readFileSync(join(dir, 'out', 'capacity.json'), 'utf8'));
  } catch {
    capacity = null;
  }
  rmSync(dir, { recursive: true, force: true });
  return { ...r, capacity, wallS: (Date.now() - started) / 1000 };
};
