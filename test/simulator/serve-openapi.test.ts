import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pinnedSlice } from '../../api-model/openapi/slice.ts';
import { send } from './http.ts';

// `--openapi FILE` as a user gives it: `serve` on a version written here, and every way the
// file can be wrong is one line on stderr and exit 2, before anything listens or is sent.

const BIN = fileURLToPath(new URL('../../bin/devrev-gate.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'devrev-gate-openapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const gate = async (...args: string[]) => {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: dir,
    env: { ...process.env, DEVREV_TOKEN: 'openapi-test-token' },
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stderr };
};

const withoutDevUsers = () => {
  const doc = structuredClone(pinnedSlice());
  delete doc.paths['/dev-users.create'];
  return JSON.stringify(doc);
};

const withScheme = (scheme: Record<string, unknown>) => {
  const doc = structuredClone(pinnedSlice());
  (doc['components'] as { securitySchemes: Record<string, unknown> }).securitySchemes = { 'auth-token': scheme };
  return JSON.stringify(doc);
};

describe('devrev-gate serve --openapi', () => {
  it('serves the version of the file: an endpoint it lacks answers 404, one it has answers', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--openapi', file('no-dev-users.json', withoutDevUsers())], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const [chunk] = await once(child.stdout!, 'data');
      const url = String(chunk).trim().replace(/^listening on /, '');
      expect((await send(url, '/dev-users.create', { body: { email: 'a@example.org', state: 'shadow' } })).status).toBe(404);
      expect((await send(url, '/rev-users.create', { body: {} })).status).toBe(201);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('takes the version from the config file too (its `openapi` key)', async () => {
    const cwd = mkdtempSync(join(dir, 'config-'));
    writeFileSync(join(cwd, 'devrev-gate.config.json'), JSON.stringify({ serve: { openapi: file('from-config.json', withoutDevUsers()) } }));
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
    try {
      const [chunk] = await once(child.stdout!, 'data');
      const url = String(chunk).trim().replace(/^listening on /, '');
      expect((await send(url, '/dev-users.create', { body: { email: 'a@example.org', state: 'shadow' } })).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  const bad: Array<[string, string, RegExp]> = [
    ['missing.yaml', '', /missing\.yaml: no such file/],
    ['broken.yaml', 'openapi: 3.0.3\npaths: [\n', /broken\.yaml: not YAML or JSON/],
    ['swagger.json', '{"swagger": "2.0", "paths": {}}', /swagger\.json: not OpenAPI 3/],
    ['other-api.json', '{"openapi": "3.0.3", "paths": {"/works.create": {"post": {}}}}', /other-api\.json: documents none of \/rev-users\.create/],
    [
      'dangling-ref.json',
      JSON.stringify({ openapi: '3.0.3', paths: { '/rev-users.create': { post: { requestBody: { $ref: '#/components/requestBodies/gone' } } } } }),
      /dangling-ref\.json: .*points nowhere/,
    ],
    ['basic-auth.json', withScheme({ type: 'http', scheme: 'basic' }), /basic-auth\.json: security scheme "auth-token" \("http" basic\) is not one the simulator can check/],
  ];
  it.each(bad)('%s: one line, exit 2, no stack trace', async (name, text, message) => {
    const path = text === '' ? join(dir, name) : file(name, text);
    const r = await gate('serve', '--port', '0', '--openapi', path);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('drift takes the same option and refuses a bad file the same way, before sending anything', async () => {
    const r = await gate('drift', '--quiet', '--openapi', join(dir, 'missing.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/missing\.yaml: no such file/)]);
  });

  it('refuses --openapi with --target: there is no embedded simulator to serve it', async () => {
    const r = await gate('drift', '--quiet', '--target', 'http://127.0.0.1:9', '--openapi', file('ok.json', withoutDevUsers()));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--openapi .* no effect with --target/);
  });
});
