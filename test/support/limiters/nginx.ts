import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's nginx as a real rate limiter nobody here wrote: `limit_req` on
 * `POST /rev-users.create` (keyed by the Authorization header), proxying to an upstream
 * (the simulator, with its own limiter off). Started as a child process with its own temp
 * prefix and config on a loopback port; its access log says what reached the upstream, so a
 * test can count the creates the upstream performed. Only creates are limited, so the
 * session's cleanup (rev-users.delete) is not throttled by the test's own limiter.
 */
export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) ?? null;

/** The sentence a test or benchmark fails with when nginx is missing. */
export const NGINX_MISSING = 'nginx is not installed: apt-get install -y nginx (Debian package; .ci/run installs it)';

export interface NginxLimit {
  /** Requests per second (nginx's `rate=Nr/s`). */
  ratePerS: number;
  /** `burst=`: requests beyond the rate nginx holds (or, with nodelay, lets through at once). */
  burst: number;
  /** `nodelay`: the burst is let through at once; without it, excess requests are queued and paced. */
  nodelay?: boolean;
  /** `delay=N`: the first N of the burst pass at once, the rest are paced (nginx >= 1.15.7). */
  delay?: number;
  /**
   * The paths the limit applies to (default `/rev-users.create` alone). A limit on both
   * creates counts the request that creates nothing (an incomplete dev-users.create) too,
   * as a per-user limiter does; otherwise the simulator's own headers behind nginx say it
   * is counted while nginx lets it through.
   */
  paths?: readonly string[];
}

export interface RunningNginx {
  url: string;
  /** Creates that reached the upstream and were answered 201 by it (from the access log). */
  createsLogged(): number;
  /** Every line of the access log: method, path, status, upstream status. */
  log(): string[];
  close(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

const accepting = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      done(true);
    });
    c.once('error', () => done(false));
  });

export const nginxConf = (dir: string, port: number, upstream: string, l: NginxLimit): string => {
  const up = new URL(upstream);
  const how = l.nodelay ? ' nodelay' : l.delay !== undefined ? ` delay=${l.delay}` : '';
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  log_format counted '$request_method $uri $status $upstream_status';
  access_log ${dir}/access.log counted;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  limit_req_zone $http_authorization zone=per_user:1m rate=${l.ratePerS}r/s;
  limit_req_status 429;
  upstream api { server ${up.hostname}:${up.port}; keepalive 32; }
  server {
    listen 127.0.0.1:${port};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location ~ ^(${(l.paths ?? ['/rev-users.create']).map((p) => p.replaceAll('.', '\\.')).join('|')})$ {
      limit_req zone=per_user burst=${l.burst}${how};
      proxy_pass http://api;
    }
    location / { proxy_pass http://api; }
  }
}
`;
};

/** Starts nginx in front of `upstream`; throws NGINX_MISSING when there is no nginx. */
export const startNginx = async (upstream: string, l: NginxLimit): Promise<RunningNginx> => {
  if (!NGINX_BIN) throw new Error(NGINX_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'dg-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  let port = 0;
  let child: ChildProcess | null = null;
  let stderr = '';
  // A port picked free can be taken before nginx binds it: a few tries.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, port, upstream, l));
    const c = spawn(NGINX_BIN, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let exited = false;
    c.once('exit', () => {
      exited = true;
    });
    const until = Date.now() + 5000;
    while (!exited && Date.now() < until && !(await accepting(port))) await new Promise((r) => setTimeout(r, 20));
    if (!exited && (await accepting(port))) child = c;
    else c.kill('SIGKILL');
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx did not start: ${stderr.trim() || 'no output'}`);
  }
  const running = child;
  const log = () => {
    try {
      return readFileSync(join(dir, 'access.log'), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    createsLogged: () => log().filter((line) => /^POST \/rev-users\.create \d+ 201$/.test(line)).length,
    close: () =>
      new Promise<void>((done) => {
        const end = () => {
          rmSync(dir, { recursive: true, force: true });
          done();
        };
        if (running.exitCode !== null) return end();
        running.once('exit', end);
        // QUIT: finish the requests in flight and write their log lines, then exit.
        running.kill('SIGQUIT');
        setTimeout(() => running.kill('SIGKILL'), 5000).unref();
      }),
  };
};
