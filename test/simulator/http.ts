import { Agent, request } from 'node:http';

/**
 * A raw HTTP client for the simulator's self-tests: it sends exactly the bytes, content
 * type and Authorization header a case asks for (fetch would normalise some of them) and
 * returns status, lower-case headers and the parsed body.
 */
export interface Raw {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

export interface SendOptions {
  method?: string;
  /** An object is sent as JSON; a string or bytes as they are. */
  body?: unknown;
  contentType?: string | null;
  /** The whole Authorization header value; null sends none. */
  authorization?: string | null;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

export const bearer = (token: string) => `Bearer ${token}`;

export const send = (base: string, path: string, o: SendOptions = {}): Promise<Raw> =>
  new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const payload =
      o.body === undefined
        ? Buffer.alloc(0)
        : typeof o.body === 'string'
          ? Buffer.from(o.body, 'utf8')
          : o.body instanceof Uint8Array
            ? Buffer.from(o.body)
            : Buffer.from(JSON.stringify(o.body), 'utf8');
    const headers: Record<string, string | number> = { 'content-length': payload.length };
    const contentType = o.contentType === undefined ? 'application/json' : o.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    const authorization = o.authorization === undefined ? bearer('test-user') : o.authorization;
    if (authorization !== null) headers['authorization'] = authorization;
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: o.method ?? 'POST', headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = String(v);
          resolve({ status: res.statusCode ?? 0, headers: h, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

/** POST to a reserved /__simulator/ route. */
export const control = async (base: string, name: string, body?: unknown): Promise<Raw> =>
  send(base, `/__simulator/${name}`, { body: body ?? {}, authorization: null });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
