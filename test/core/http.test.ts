import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetExhaustedError } from '../../core/errors.ts';
import { HttpClient, retryWaitMs, TransportError } from '../../core/http.ts';
import { createRunContext } from '../../core/run-context.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
let server: Server | undefined;

const serve = async (handler: Handler): Promise<string> => {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, ++n));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const clientFor = (url: string, maxRequests = 100) => {
  const ctx = createRunContext({ target: { url, kind: 'loopback' }, token: 'tok-secret-1234', outDir: '/tmp', maxRequests });
  return { ctx, http: new HttpClient(ctx, { maxRetryAfterS: 1 }) };
};

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

describe('the HTTP client', () => {
  it('sends the token as a bearer token by default and raw on request', async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(String(req.headers.authorization));
      json(res, 201, {});
    });
    const { http } = clientFor(url);
    await http.send({ path: '/rev-users.create', body: {} });
    await http.send({ path: '/rev-users.create', body: {}, auth: 'raw' });
    await http.send({ path: '/rev-users.create', body: {}, auth: 'none' });
    expect(seen).toEqual(['Bearer tok-secret-1234', 'tok-secret-1234', 'undefined']);
  });

  it('waits out a 429 and retries, counting every attempt against the budget', async () => {
    const url = await serve((_q, res, n) =>
      n === 1 ? json(res, 429, { type: 'too_many_requests', retry_after: 0 }, { 'retry-after': '0' }) : json(res, 201, { ok: 1 }),
    );
    const { ctx, http } = clientFor(url);
    const r = await http.send({ path: '/x', body: {} });
    expect(r.status).toBe(201);
    expect(r.attempts).toBe(2);
    expect(r.throttled).toBe(false);
    expect(ctx.budget.sent).toBe(2);
  });

  it('gives up on a 429 after its bound and marks the answer throttled', async () => {
    const url = await serve((_q, res) => json(res, 429, { type: 'too_many_requests' }, { 'retry-after': '0' }));
    const { http } = clientFor(url);
    const r = await http.send({ path: '/x', body: {} });
    expect(r.status).toBe(429);
    expect(r.throttled).toBe(true);
    expect(r.attempts).toBe(3);
  });

  it('does not wait for a Retry-After longer than it is willing to', async () => {
    const url = await serve((_q, res) => json(res, 429, {}, { 'retry-after': '300' }));
    const r = await clientFor(url).http.send({ path: '/x', body: {} });
    expect(r.attempts).toBe(1);
    expect(r.throttled).toBe(true);
  });

  it('returns a 429 untouched when retries are off, for checks of the 429 itself', async () => {
    const url = await serve((_q, res) => json(res, 429, {}, { 'retry-after': '0' }));
    const r = await clientFor(url).http.send({ path: '/x', body: {}, retry429: false });
    expect([r.status, r.attempts, r.throttled]).toEqual([429, 1, false]);
  });

  it('retries a 503 with backoff within its bound', async () => {
    const url = await serve((_q, res, n) => (n < 3 ? json(res, 503, { type: 'service_unavailable' }) : json(res, 201, {})));
    const r = await clientFor(url).http.send({ path: '/x', body: {} });
    expect([r.status, r.attempts]).toEqual([201, 3]);
  });

  it('stops before sending once the budget is spent', async () => {
    const url = await serve((_q, res) => json(res, 201, {}));
    const { http } = clientFor(url, 1);
    await http.send({ path: '/x', body: {} });
    await expect(http.send({ path: '/x', body: {} })).rejects.toBeInstanceOf(BudgetExhaustedError);
  });

  it('reports a port with nothing listening as a transport error with advice', async () => {
    const url = await serve((_q, res) => json(res, 201, {}));
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const err = await clientFor(url)
      .http.send({ path: '/x', body: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).failure).toBe('refused');
    expect((err as TransportError).oneLine()).toMatch(/nothing is listening.*--target/);
  });

  it('gives a curl reproduction with the token redacted', async () => {
    const url = await serve((_q, res) => json(res, 201, {}));
    const r = await clientFor(url).http.send({ path: '/rev-users.create', body: { note: "it's tok-secret-1234" } });
    expect(r.curl).toContain(`curl -sS -X POST '${url}/rev-users.create'`);
    expect(r.curl).not.toContain('tok-secret-1234');
    expect(r.curl).toContain("'authorization: [REDACTED]'");
  });

  it('reproduces bodies that are not text with printf escapes', async () => {
    const url = await serve((_q, res) => json(res, 400, {}));
    const r = await clientFor(url).http.send({ path: '/x', rawBody: new Uint8Array([0xff, 0x7b]) });
    expect(r.curl).toContain(`--data-binary "$(printf '\\xff\\x7b')"`);
  });
});

describe('the wait before retrying a 429', () => {
  const now = Date.parse('Tue, 01 Dec 2026 19:00:00 GMT');

  it('reads Retry-After in seconds', () => {
    expect(retryWaitMs({ 'retry-after': '3' }, 10, now)).toBe(3050);
    expect(retryWaitMs({ 'retry-after': '0' }, 10, now)).toBe(50);
  });

  it('reads an HTTP-date, counted from the answer\'s Date header when there is one', () => {
    expect(retryWaitMs({ 'retry-after': 'Tue, 01 Dec 2026 19:00:04 GMT' }, 10, now)).toBe(4050);
    // The server's clock says 19:00:02: two seconds are left, whatever ours says.
    expect(retryWaitMs({ 'retry-after': 'Tue, 01 Dec 2026 19:00:04 GMT', date: 'Tue, 01 Dec 2026 19:00:02 GMT' }, 10, now)).toBe(2050);
    // A date already past: retry at once.
    expect(retryWaitMs({ 'retry-after': 'Tue, 01 Dec 2026 18:59:00 GMT' }, 10, now)).toBe(50);
  });

  it('does not retry past its cap, nor on a Retry-After it cannot read', () => {
    expect(retryWaitMs({ 'retry-after': '11' }, 10, now)).toBeNull();
    expect(retryWaitMs({ 'retry-after': 'Tue, 01 Dec 2026 19:05:00 GMT' }, 10, now)).toBeNull();
    expect(retryWaitMs({ 'retry-after': 'soon' }, 10, now)).toBeNull();
    expect(retryWaitMs({}, 10, now)).toBeNull();
  });

  it('retries a 429 whose Retry-After is an HTTP-date', async () => {
    const url = await serve((_q, res, n) => {
      const at = new Date().toUTCString();
      return n === 1 ? json(res, 429, { type: 'too_many_requests' }, { 'retry-after': at, date: at }) : json(res, 201, { ok: 1 });
    });
    const r = await clientFor(url).http.send({ path: '/x', body: {} });
    expect([r.status, r.attempts, r.throttled]).toEqual([201, 2, false]);
  });
});
