import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The CLI as a person meets it: a separate process, its exit code and its stderr. Children
// are spawned async because the providers they talk to live in the test process.

export const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export const scratch = (name: string): string => mkdtempSync(join(tmpdir(), `dg-${name}-`));

/** Runs `devrev-gate ARGS` (optionally behind a wrapper such as `unshare -n`) with no DevRev env. */
export const runCli = (args: string[], o: { cwd?: string; wrap?: string[]; timeoutMs?: number } = {}): Promise<CliRun> => {
  const env = { ...process.env };
  delete env['DEVREV_API_URL'];
  delete env['DEVREV_TOKEN'];
  const [file, ...pre] = o.wrap?.length ? [...o.wrap, process.execPath] : [process.execPath];
  return new Promise((done) => {
    execFile(file!, [...pre, BIN, ...args], { cwd: o.cwd ?? scratch('cwd'), env, timeout: o.timeoutMs ?? 60_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
};

/**
 * stderr as lines, without the progress lines a session prints around its run: the plan
 * (target, run id, budget) before it, and where it wrote its reports after it; and without
 * the warning a token given as a flag gets (these tests pass it so, on purpose).
 */
export const errorLines = (stderr: string): string[] =>
  stderr
    .split('\n')
    .filter((l) => l !== '')
    .filter((l) => !/^target \S+ \((loopback|remote)\); run \S+; at most \d+ requests/.test(l))
    .filter((l) => !/^reports: \S/.test(l))
    .filter((l) => !/^devrev-gate: warning: --token on the command line can be read by other processes/.test(l));

/** A stack frame as Node prints it. */
export const STACK_FRAME = /^ {4}at /m;

export interface Provider {
  url: string;
  close(): Promise<void>;
}

const closing = (server: Server) => () =>
  new Promise<void>((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });

const listening = async (server: Server, scheme: 'http' | 'https'): Promise<Provider> => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `${scheme}://127.0.0.1:${port}`, close: closing(server) };
};

/** A loopback provider that answers every request with this status, content type and body. */
export const answering = (status: number, contentType: string | null, body: string): Promise<Provider> =>
  listening(
    createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        if (contentType !== null) res.setHeader('content-type', contentType);
        res.statusCode = status;
        res.end(body);
      });
    }),
    'http',
  );

/** A loopback port that was just free: nothing listens on it. */
export const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
};

/** A loopback HTTPS provider with a self-signed certificate made for this test by openssl. */
export const selfSignedHttps = async (): Promise<Provider> => {
  const dir = scratch('tls');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  await new Promise<void>((done, fail) =>
    execFile(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
      (err) => (err ? fail(err) : done()),
    ),
  );
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  return listening(server as unknown as Server, 'https');
};
