import { createServer, type IncomingHttpHeaders, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

/**
 * A provider that changes real answers the way infrastructure and drift do: it forwards
 * every request to an upstream (normally the embedded simulator) and lets a rewrite
 * change the genuine answer: status, headers, body, a delay, a compressed or chunked
 * transfer, or no answer at all because the process "exited" (the port closes). The
 * checks are proven against the simulator's real answers changed this way, never against
 * a simulator option.
 */
export interface Exchange {
  /** 1-based number of this request among those the proxy received. */
  n: number;
  method: string;
  path: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  /** The request body parsed as JSON, when it is. */
  request: unknown;
  status: number;
  headers: Record<string, string>;
  /** The answer parsed as JSON, or undefined. */
  body: unknown;
  rawBody: Buffer;
}

export interface Rewrite {
  status?: number;
  /** Merged over the upstream headers; a null value removes the header. */
  headers?: Record<string, string | null>;
  /** Replaces the body: a string or Buffer as is, anything else as JSON. */
  body?: unknown;
  delayMs?: number;
  encoding?: 'gzip' | 'deflate' | 'br';
  /** Sends the body in small pieces with Transfer-Encoding: chunked. */
  chunked?: boolean;
  /** The process exits instead of answering: every socket closes, the port stops listening. */
  die?: boolean;
  /** The connection is reset instead of answered; the port keeps listening (a crashing upstream). */
  reset?: boolean;
}

export type Rewriter = (x: Exchange) => Rewrite | undefined | Promise<Rewrite | undefined>;

/** The request alone, before anything reaches the upstream. */
export type IncomingRequest = Pick<Exchange, 'n' | 'method' | 'path' | 'requestHeaders' | 'requestBody' | 'request'>;

/**
 * Answers a request without forwarding it (a real 429 or 503 means the provider did
 * nothing): return the whole answer, or undefined to forward as usual.
 */
export type Interceptor = (r: IncomingRequest) => { status: number; headers?: Record<string, string>; body: unknown } | undefined;

export interface MutatingProxy {
  url: string;
  /** Requests received so far. */
  readonly received: number;
  /** True once a rewrite said `die`. */
  readonly dead: boolean;
  close(): Promise<void>;
}

const parse = (b: Buffer): unknown => {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
};

const encode = (body: Buffer, encoding: Rewrite['encoding']): Buffer =>
  encoding === 'gzip' ? gzipSync(body) : encoding === 'deflate' ? deflateSync(body) : encoding === 'br' ? brotliCompressSync(body) : body;

export const startMutatingProxy = async (upstream: string, rewrite: Rewriter, intercept?: Interceptor): Promise<MutatingProxy> => {
  const up = new URL(upstream);
  const sockets = new Set<Socket>();
  let received = 0;
  let dead = false;
  const die = (server: Server) => {
    dead = true;
    server.close();
    for (const s of sockets) s.destroy();
  };
  const server: Server = createServer((req, res) => {
    const n = ++received;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      const early = intercept?.({ n, method: req.method ?? 'GET', path: req.url ?? '/', requestHeaders: req.headers, requestBody, request: parse(requestBody) });
      if (early) {
        const body = Buffer.from(JSON.stringify(early.body));
        res.writeHead(early.status, { 'content-type': 'application/json', ...early.headers, 'content-length': String(body.length) });
        res.end(body);
        return;
      }
      const fwd = httpRequest(
        { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host, 'accept-encoding': 'identity' } },
        (upRes) => {
          const parts: Buffer[] = [];
          upRes.on('data', (c: Buffer) => parts.push(c));
          upRes.on('end', async () => {
            const rawBody = Buffer.concat(parts);
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined) headers[k] = String(v);
            const x: Exchange = {
              n,
              method: req.method ?? 'GET',
              path: req.url ?? '/',
              requestHeaders: req.headers,
              requestBody,
              request: parse(requestBody),
              status: upRes.statusCode ?? 502,
              headers,
              body: parse(rawBody),
              rawBody,
            };
            const r = (await rewrite(x)) ?? {};
            if (r.die) return die(server);
            if (r.reset) return void req.socket.destroy();
            if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
            const out: Record<string, string> = { ...headers };
            for (const [k, v] of Object.entries(r.headers ?? {})) {
              if (v === null) delete out[k.toLowerCase()];
              else out[k.toLowerCase()] = v;
            }
            let body: Buffer = rawBody;
            if ('body' in r) body = typeof r.body === 'string' || Buffer.isBuffer(r.body) ? Buffer.from(r.body as string) : Buffer.from(JSON.stringify(r.body));
            delete out['content-length'];
            delete out['transfer-encoding'];
            delete out['connection'];
            delete out['keep-alive'];
            if (r.encoding) {
              body = encode(body, r.encoding);
              out['content-encoding'] = r.encoding;
            }
            if (!r.chunked) {
              res.writeHead(r.status ?? x.status, { ...out, 'content-length': String(body.length) });
              res.end(body);
              return;
            }
            res.writeHead(r.status ?? x.status, out);
            for (let at = 0; at < body.length; at += 16) res.write(body.subarray(at, at + 16));
            res.end();
          });
        },
      );
      fwd.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
      });
      fwd.end(requestBody);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return received;
    },
    get dead() {
      return dead;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (dead) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** The user object of a create's 201 answer, whichever endpoint. */
export const createdUser = (x: Exchange): Record<string, unknown> | undefined => {
  if (x.status !== 201 || !x.body || typeof x.body !== 'object') return undefined;
  const b = x.body as Record<string, unknown>;
  return (b['rev_user'] ?? b['dev_user']) as Record<string, unknown> | undefined;
};

/** A copy of the 201 body with the created user edited. */
export const editUser = (x: Exchange, edit: (user: Record<string, unknown>) => void): Rewrite | undefined => {
  if (!createdUser(x)) return undefined;
  const body = structuredClone(x.body) as Record<string, Record<string, unknown>>;
  const key = 'rev_user' in body ? 'rev_user' : 'dev_user';
  edit(body[key]!);
  return { body };
};
