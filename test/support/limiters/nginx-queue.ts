import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's nginx with `limit_req` in front of an upstream (the simulator), keyed by the
 * Authorization header (DevRev limits per user), refusing with 429. Without `nodelay` it
 * queues what exceeds the rate up to `burst` (less the first `delay`, which pass at once)
 * and refuses beyond. The configuration is the test's own; nginx's arithmetic is nginx's.
 * Loopback only; the process and its directory go when closed.
 */
export const NGINX = '/usr/sbin/nginx';

export const nginxMissing = (): string | null =>
  existsSync(NGINX) ? null : `nginx is not installed at ${NGINX}: install Debian's package (apt-get install -y nginx), as .ci/run does`;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export interface RunningNginx {
  url: string;
  close: () => Promise<void>;
}

export const startNginxQueue = async (o: { upstream: string; ratePerS: number; burst: number; delay?: number; nodelay?: boolean }): Promise<RunningNginx> => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-nginx-'));
  const port = await freePort();
  const mode = o.nodelay ? ' nodelay' : o.delay ? ` delay=${o.delay}` : '';
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  limit_req_zone $http_authorization zone=per_user:1m rate=${o.ratePerS}r/s;
  limit_req_status 429;
  upstream api { server ${new URL(o.upstream).host}; keepalive 16; }
  server {
    listen 127.0.0.1:${port};
    location / {
      limit_req zone=per_user burst=${o.burst}${mode};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://api;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  execFileSync(NGINX, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/health-check-that-nginx-forwards`, { method: 'GET' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
