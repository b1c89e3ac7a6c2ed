import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answering, errorLines, freePort, type Provider, runCli, STACK_FRAME, scratch, selfSignedHttps } from './support.ts';

// Every set-up mistake a person makes with the gate ends in one line on stderr that says
// what is wrong and what to do, exit code 2, and no stack trace unless --debug asks for it.
// Each case runs the real CLI as a child process against a loopback provider made for it;
// nothing here sends a packet off the machine (the DNS case runs in an empty network
// namespace).

const TOKEN = 'tok-errors-selftest';
const providers: Provider[] = [];
afterAll(async () => {
  for (const p of providers) await p.close();
});
const provider = async (p: Promise<Provider>) => {
  const got = await p;
  providers.push(got);
  return got;
};

const drift = (target: string, extra: string[] = []) =>
  runCli(['drift', '--target', target, '--token', TOKEN, '--out', join(scratch('out'), 'out'), ...extra]);

/** The run ended with exactly this one error line, exit 2, no stack and no token. */
const expectOneLine = (r: { code: number; stderr: string; stdout: string }, line: string) => {
  expect(errorLines(r.stderr)).toEqual([line]);
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr + r.stdout).not.toContain(TOKEN);
};

describe.concurrent('a target that cannot be reached', () => {
  it('names the port nothing listens on and says to start the provider', async () => {
    const port = await freePort();
    const r = await drift(`http://127.0.0.1:${port}`);
    expectOneLine(r, `devrev-gate: nothing is listening at 127.0.0.1:${port}: check the port in --target, or start the provider first`);
  });

  it('says a port the Fetch standard blocks is refused by Node, not that the network failed', async () => {
    // undici refuses port 6000 (X11) before it connects, so nothing is sent anywhere.
    const r = await drift('http://127.0.0.1:6000');
    expectOneLine(
      r,
      "devrev-gate: Node's fetch refuses to connect to 127.0.0.1:6000 (the Fetch standard blocks that port): serve the provider on another port, e.g. 8080",
    );
  });

  it('says a host name that does not resolve cannot be resolved (inside an empty network namespace)', async () => {
    const r = await runCli(
      ['drift', '--target', 'https://api.devrev.example', '--token', TOKEN, '--out', join(scratch('out'), 'out')],
      { wrap: ['unshare', '-n'] },
    );
    expectOneLine(r, 'devrev-gate: cannot resolve api.devrev.example: check the host name in --target / DEVREV_API_URL');
  });
});

describe.concurrent('a TLS failure', () => {
  it('names the host whose self-signed certificate failed the handshake', async () => {
    const tls = await provider(selfSignedHttps());
    const host = new URL(tls.url).host;
    const r = await drift(tls.url);
    expectOneLine(
      r,
      `devrev-gate: TLS handshake with ${host} failed: check the certificate, or use the http:// URL the provider really serves`,
    );
  });

  it('names the host when https:// is aimed at a plain-HTTP provider', async () => {
    const plain = await provider(answering(400, 'application/json', '{}'));
    const host = new URL(plain.url).host;
    const r = await drift(plain.url.replace('http://', 'https://'));
    expectOneLine(
      r,
      `devrev-gate: TLS handshake with ${host} failed: check the certificate, or use the http:// URL the provider really serves`,
    );
  });
});

describe.concurrent('the first answer', () => {
  it('turns a 401 into "rejected the token" and points at --token', async () => {
    const p = await provider(answering(401, 'application/json', '{"type":"unauthenticated","message":"bad token"}'));
    const r = await drift(p.url);
    expectOneLine(r, `devrev-gate: ${p.url} rejected the token (401 on the first request): check --token / DEVREV_TOKEN`);
  });

  const DOCUMENTED = 'DevRev documents 201, 400, 401, 403, 429, 500, 503 for it';
  const OBJECT = 'DevRev answers it with a JSON object';
  it.each([
    ['an HTML page', 200, 'text/html; charset=utf-8', '<!doctype html><title>Welcome</title>', `HTTP 200 text/html "<!doctype html><title>Welcome</title>", where ${DOCUMENTED}`],
    ['plain text', 200, 'text/plain', 'ok', `HTTP 200 text/plain "ok", where ${DOCUMENTED}`],
    ['a JSON array', 200, 'application/json', '[{"id":"x"}]', `HTTP 200 application/json "[{\\"id\\":\\"x\\"}]", where ${DOCUMENTED}`],
    ['an empty JSON body', 400, 'application/json', '', `HTTP 400 application/json, empty, where ${OBJECT}`],
    ['JSON with no content type', 400, null, '{"type":"bad_request"}', `HTTP 400 no content type "{\\"type\\":\\"bad_request\\"}", where ${OBJECT}`],
    ['an HTML 404', 404, 'text/html', '<h1>Not Found</h1>', `HTTP 404 text/html "<h1>Not Found</h1>", where ${DOCUMENTED}`],
  ] as const)('says a target answering with %s is not the DevRev API', async (_name, status, type, body, detail) => {
    const p = await provider(answering(status, type, body));
    const r = await drift(p.url);
    expectOneLine(
      r,
      `devrev-gate: ${p.url} is not the DevRev API: POST ${p.url}/dev-users.create answered ${detail}: check --target / DEVREV_API_URL is the API base URL with no path after it, e.g. https://api.devrev.ai`,
    );
  });
});

describe.concurrent('a port already taken', () => {
  it('says serve cannot listen on a taken port and how to pick another', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as AddressInfo;
    try {
      const r = await runCli(['serve', '--port', String(port)]);
      expect(r.stdout).toBe('');
      expectOneLine(r, `devrev-gate: port ${port} on 127.0.0.1 is already in use: choose another --port, or --port 0 for a free one`);
    } finally {
      await new Promise<void>((done) => blocker.close(() => done()));
    }
  });
});

describe.concurrent('load aimed at a remote target', () => {
  // Refused before anything is sent: api.devrev.ai is never contacted.
  it('is refused by run, which offers --allow-remote or --skip load', async () => {
    const r = await runCli(['run', '--target', 'https://api.devrev.ai', '--token', TOKEN]);
    expectOneLine(r, 'devrev-gate: refusing to send load to remote target https://api.devrev.ai: pass --allow-remote if you own it, or --skip load');
  });

  it('is refused by load, which offers only --allow-remote', async () => {
    const r = await runCli(['load', 'probe', '--target', 'https://api.devrev.ai', '--token', TOKEN]);
    expectOneLine(r, 'devrev-gate: refusing to send load to remote target https://api.devrev.ai: pass --allow-remote if you own it');
  });
});

describe.concurrent('an output folder that cannot be written', () => {
  // Root ignores permission bits, so only paths no one can write are used: under a
  // regular file, and on the read-only /proc and /sys file systems.
  const dir = scratch('unwritable');
  writeFileSync(join(dir, 'a-file'), 'not a folder');
  const readOnlyForOthers = join(dir, 'ro');
  mkdirSync(readOnlyForOthers);
  chmodSync(readOnlyForOthers, 0o500);

  it('says a file given as --out is a file, not a folder', async () => {
    const out = join(dir, 'a-file');
    const r = await runCli(['drift', '--out', out]);
    expectOneLine(r, `devrev-gate: --out ${out} is a file, not a folder: choose a folder path`);
  });

  it.each([
    ['a folder under a regular file', join(dir, 'a-file', 'out')],
    ['the root of /proc', '/proc'],
    ['a new folder under /proc', '/proc/devrev-gate-out'],
    ['a folder under /sys', '/sys/devrev-gate-out'],
  ])('says it cannot write to %s, before any request', async (_name, out) => {
    const r = await runCli(['drift', '--out', out]);
    expectOneLine(r, `devrev-gate: cannot write to --out ${out}: choose a folder you can write to`);
    expect(r.stdout).toBe('');
  });
});

describe.concurrent('malformed input files', () => {
  it('names the ignore file and what is wrong in it', async () => {
    const dir = scratch('ignore');
    const file = join(dir, 'accepted.json');
    writeFileSync(file, '{"ignore": [{"rule": "response-property-added", "reason": "DEV-1", "expires": "soon"}]}');
    const r = await runCli(['drift', '--ignore', file, '--out', join(dir, 'out')]);
    expectOneLine(
      r,
      'devrev-gate: ignore file accepted.json: entry 1: "expires" must be a date (YYYY-MM-DD), got "soon": fix the file (entries are {rule, endpoint?, path?, case?, actual?, reason, expires?} or {fingerprint, reason, expires?})',
    );
  });

  it('names a YAML ignore file that is not YAML', async () => {
    const dir = scratch('ignore');
    writeFileSync(join(dir, 'devrev-gate.ignore.yaml'), 'ignore: [unclosed\n');
    const r = await runCli(['drift', '--out', join(dir, 'out')], { cwd: dir });
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^devrev-gate: ignore file devrev-gate\.ignore\.yaml: not valid YAML \(.+\): fix the file \(entries are \{rule, endpoint\?, path\?, case\?, actual\?, reason, expires\?\} or \{fingerprint, reason, expires\?\}\)\n$/,
    );
    expect(r.code).toBe(2);
  });

  it('keeps a YAML parser warning off stderr: the one line is all a person sees', async () => {
    const dir = scratch('ignore');
    writeFileSync(join(dir, 'devrev-gate.ignore.yml'), '%FOO bar\n---\n- 1\n');
    const r = await runCli(['drift', '--out', join(dir, 'out')], { cwd: dir });
    expectOneLine(
      r,
      'devrev-gate: ignore file devrev-gate.ignore.yml: entry 1 is not an object: fix the file (entries are {rule, endpoint?, path?, case?, actual?, reason, expires?} or {fingerprint, reason, expires?})',
    );
  });

  it('names a missing ignore file', async () => {
    const r = await runCli(['drift', '--ignore', 'nowhere.json']);
    expectOneLine(r, 'devrev-gate: ignore file nowhere.json does not exist: check the --ignore path');
  });

  it('names the baseline file that is not JSON and says to record a new one', async () => {
    const dir = scratch('baseline');
    const file = join(dir, 'drift-baseline.json');
    writeFileSync(file, '{"devrevGateBaseline": 1, "answers": [');
    const r = await runCli(['drift', '--baseline', file, '--out', join(dir, 'out')]);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^devrev-gate: baseline drift-baseline\.json: not valid JSON \(.+\): record a new one with --record-baseline FILE\n$/);
    expect(r.code).toBe(2);
  });

  it('names the baseline answer that has no shape', async () => {
    const dir = scratch('baseline');
    const file = join(dir, 'drift-baseline.json');
    writeFileSync(file, JSON.stringify({ devrevGateBaseline: 1, answers: [{ endpoint: 'rev-users.create', case: 'x', status: 201 }] }));
    const r = await runCli(['drift', '--baseline', file, '--out', join(dir, 'out')]);
    expectOneLine(
      r,
      'devrev-gate: baseline drift-baseline.json: answer 1 needs endpoint, case, status and a shape of pointer → type: record a new one with --record-baseline FILE',
    );
  });

  it('names a baseline that is a folder, not a file', async () => {
    const dir = scratch('baseline');
    const r = await runCli(['drift', '--baseline', dir, '--out', join(dir, 'out')]);
    expectOneLine(r, `devrev-gate: cannot read baseline ${dir} (EISDIR): give the file --record-baseline wrote`);
  });

  it('refuses a --record-baseline it could not write, before the run spends its requests', async () => {
    const dir = scratch('baseline');
    writeFileSync(join(dir, 'a-file'), '');
    for (const file of [join(dir, 'a-file', 'baseline.json'), '/proc/devrev-gate/baseline.json']) {
      const r = await runCli(['drift', '--record-baseline', file, '--out', join(dir, 'out')]);
      expectOneLine(r, `devrev-gate: cannot write --record-baseline ${file}: give a file in a folder you can write to`);
      expect(r.stdout).toBe('');
    }
  });

  it('names the ledger line that is not a ledger entry', async () => {
    const dir = scratch('ledger');
    const file = join(dir, 'ledger.jsonl');
    writeFileSync(file, '{"event":"created","endpoint":"rev-users.create","id":"x"}\n["created"]\n');
    const r = await runCli(['cleanup', '--ledger', file, '--target', 'http://127.0.0.1:1', '--token', TOKEN]);
    expectOneLine(r, `devrev-gate: ledger ${file} line 2 is not a ledger entry: pass a ledger.jsonl written by devrev-gate`);
  });

  it('names a ledger that cannot be read', async () => {
    const dir = scratch('ledger');
    const r = await runCli(['cleanup', '--ledger', dir, '--target', 'http://127.0.0.1:1', '--token', TOKEN]);
    expectOneLine(r, `devrev-gate: cannot read ledger ${dir}: pass the ledger.jsonl a run wrote to its --out folder`);
  });
});

describe.concurrent('--debug', () => {
  it('adds the stack trace after the same one line', async () => {
    const port = await freePort();
    const line = `devrev-gate: nothing is listening at 127.0.0.1:${port}: check the port in --target, or start the provider first`;
    const plain = await drift(`http://127.0.0.1:${port}`);
    expect(plain.stderr).not.toMatch(STACK_FRAME);
    const debug = await drift(`http://127.0.0.1:${port}`, ['--debug']);
    expect(debug.code).toBe(2);
    const lines = errorLines(debug.stderr);
    expect(lines[0]).toBe(line);
    expect(lines[1]).toBe(`TransportError: nothing is listening at 127.0.0.1:${port}`);
    expect(debug.stderr).toMatch(STACK_FRAME);
    expect(debug.stderr).toMatch(/ {4}at .*preflight/);
  });

  it('shows the stack of a malformed file too, and not without it', async () => {
    const dir = scratch('debug');
    writeFileSync(join(dir, 'devrev-gate.ignore.json'), '[1]');
    const line =
      'devrev-gate: ignore file devrev-gate.ignore.json: entry 1 is not an object: fix the file (entries are {rule, endpoint?, path?, case?, actual?, reason, expires?} or {fingerprint, reason, expires?})';
    const plain = await runCli(['drift', '--out', join(dir, 'out')], { cwd: dir });
    expectOneLine(plain, line);
    const debug = await runCli(['drift', '--out', join(dir, 'out'), '--debug'], { cwd: dir });
    expect(debug.code).toBe(2);
    expect(debug.stderr.split('\n')[0]).toBe(line);
    expect(debug.stderr).toMatch(/ {4}at .*parseIgnore/);
  });
});
