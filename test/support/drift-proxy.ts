import { createServer, type IncomingHttpHeaders, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A generic drifting provider for self-tests: it forwards every request to a real
 * upstream (normally the embedded simulator) and lets a test mutate the real answer.
 * Checks are proven against drift applied to genuine responses, so they cannot be tuned
 * to a simulator option.
 */
export interface ProxiedExchange {
  method: string;
  path: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the upstream body was not JSON. */
  body: unknown;
  rawBody: Buffer;
}

export interface Mutation {
  status?: number;
  headers?: Record<string, string>;
  /** Replaces the body; a string or Buffer is sent as is, anything else as JSON. */
  body?: unknown;
}

export type Mutate = (x: ProxiedExchange) => Mutation | undefined | Promise<Mutation | undefined>;

export interface DriftProxy {
  url: string;
  close(): Promise<void>;
}

export const startDriftProxy = async (upstream: string, mutate: Mutate): Promise<DriftProxy> => {
  const up = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      const fwd = httpRequest(
        {
          host: up.hostname,
          port: up.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: up.host },
        },
        (upRes) => {
          const parts: Buffer[] = [];
          upRes.on('data', (c: Buffer) => parts.push(c));
          upRes.on('end', async () => {
            const rawBody = Buffer.concat(parts);
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined) headers[k] = String(v);
            let body: unknown;
            try {
              body = JSON.parse(rawBody.toString('utf8'));
            } catch {
              body = undefined;
            }
            const exchange: ProxiedExchange = {
              method: req.method ?? 'GET',
              path: req.url ?? '/',
              requestHeaders: req.headers,
              requestBody,
              status: upRes.statusCode ?? 502,
              headers,
              body,
              rawBody,
            };
            const m = (await mutate(exchange)) ?? {};
            const outHeaders = { ...headers, ...(m.headers ?? {}) };
            for (const [k, v] of Object.entries(outHeaders)) if (v === '__delete__') delete outHeaders[k];
            let out: Buffer = rawBody;
            if ('body' in m) {
              out =
                typeof m.body === 'string' || Buffer.isBuffer(m.body)
                  ? Buffer.from(m.body as string)
                  : Buffer.from(JSON.stringify(m.body));
            }
            delete outHeaders['content-length'];
            delete outHeaders['transfer-encoding'];
            res.writeHead(m.status ?? exchange.status, { ...outHeaders, 'content-length': String(out.length) });
            res.end(out);
          });
        },
      );
      fwd.on('error', () => {
        res.writeHead(502).end();
      });
      fwd.end(requestBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** A `headers` value that removes the header from the upstream answer. */
export const DELETE_HEADER = '__delete__';
