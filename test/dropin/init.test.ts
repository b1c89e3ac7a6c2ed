import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLICE_FILE } from '../../api-model/openapi/slice.ts';
import { USER_SLICE_FILE } from '../../core/user-repo.ts';

// `devrev-gate init` in a user's repository: what it writes, what it keeps, and that the
// pin it writes is the one the gate and `spec pin` then use.

const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');

const cli = (args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) =>
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );

const repo = () => mkdtempSync(join(tmpdir(), 'dg-init-'));

describe('devrev-gate init', () => {
  it('completes a partial set, keeps what exists (one line each, exit 0), and --force overwrites', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'devrev-gate.ignore.yaml'), 'ignore: []\n# ours\n');
    const r = await cli(['init'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote devrev-gate\.config\.yaml$/m);
    expect(r.stdout).toMatch(/^wrote devrev-gate\/openapi-slice\.json$/m);
    expect(r.stdout).toMatch(/^kept devrev-gate\.ignore\.yaml \(it exists; --force overwrites\)$/m);
    expect(readFileSync(join(dir, 'devrev-gate.ignore.yaml'), 'utf8')).toContain('# ours');
    writeFileSync(join(dir, 'devrev-gate.config.yaml'), 'fail-on: warning\n');
    const forced = await cli(['init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toMatch(/^kept /m);
    expect(readFileSync(join(dir, 'devrev-gate.config.yaml'), 'utf8')).toMatch(/^\$schema: node_modules\/devrev-gate\/config\.schema\.json$/m);
    expect(readFileSync(join(dir, 'devrev-gate.ignore.yaml'), 'utf8')).not.toContain('# ours');
    rmSync(dir, { recursive: true });
  });

  it('keeps an older devrev-gate.config.json, even with --force, rather than hide it behind a new file', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'devrev-gate.config.json'), '{ "fixtures": { "revOrg": "REV-1" } }\n');
    const r = await cli(['init', '--force'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kept devrev-gate\.config\.json \(init writes devrev-gate\.config\.yaml only where none of/m);
    expect(existsSync(join(dir, 'devrev-gate.config.yaml'))).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('--openapi FILE pins that document through the extractor, with its sha256, commit and date', async () => {
    const dir = repo();
    const doc = readFileSync(SLICE_FILE);
    writeFileSync(join(dir, 'published.json'), doc);
    const r = await cli(['init', '--openapi', 'published.json', '--commit', 'abc1234', '--date', '2026-01-02'], dir);
    expect(r.code, r.stderr).toBe(0);
    const pin = JSON.parse(readFileSync(join(dir, USER_SLICE_FILE), 'utf8')) as Record<string, { source: unknown }>;
    expect(pin['x-devrev-gate-slice']!.source).toEqual({
      file: 'published.json',
      sha256: createHash('sha256').update(doc).digest('hex'),
      commit: 'abc1234',
      date: '2026-01-02',
    });
    expect(r.stdout).toMatch(/pinned: published\.json \(abc1234, 2026-01-02\)/);
    const empty = repo();
    const bad = await cli(['init', '--commit', 'abc1234'], empty);
    rmSync(empty, { recursive: true });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('devrev-gate: --commit and --date describe --openapi FILE: add --openapi FILE or drop them\n');
    rmSync(dir, { recursive: true });
  });

  it('after init, spec pin compares with and writes the user pin, never the package one', async () => {
    const dir = repo();
    expect((await cli(['init'], dir)).code).toBe(0);
    const before = readFileSync(SLICE_FILE, 'utf8');
    const doc = JSON.parse(before) as { components: { schemas: Record<string, { allOf: Array<{ properties?: Record<string, unknown> }> }> } };
    delete doc.components.schemas['dev-user']!.allOf[1]!.properties!['experience_start_date'];
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'newer.json'), JSON.stringify(doc));
    const r = await cli(['spec', 'pin', 'docs/newer.json', '--date', '2026-02-03'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/experience_start_date/);
    expect(r.stdout).toMatch(/^devrev-gate\/openapi-slice\.json: written from docs\/newer\.json/m);
    expect(readFileSync(SLICE_FILE, 'utf8')).toBe(before);
    const pinned = JSON.parse(readFileSync(join(dir, USER_SLICE_FILE), 'utf8')) as typeof doc;
    expect(pinned.components.schemas['dev-user']!.allOf[1]!.properties!['experience_start_date']).toBeUndefined();
    // spec diff --from pinned now means the user's pin.
    const diff = await cli(['spec', 'diff', '--from', 'pinned', '--to', 'docs/newer.json', '--no-pact', '--out', 'out'], dir);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).not.toMatch(/experience_start_date/);
    rmSync(dir, { recursive: true });
  });
});
