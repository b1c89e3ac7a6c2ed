import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rateLimit } from 'express-rate-limit';
import { seeded } from '../synthetic-limiters.ts';

// express ships no types (and @types/express is not installed): the little used here.
type Req = IncomingMessage & { originalUrl: string; path: string; body: unknown };
type Res = ServerResponse & { status(code: number): Res; send(body: string): void; json(body: unknown): void };
interface ExpressApp {
  use(handler: unknown): void;
  listen(port: number, host: string, ready: () => void): Server;
}
const express = createRequire(import.meta.url)('express') as (() => ExpressApp) & { raw(o: { type: () => boolean; limit: string }): unknown };

/**
 * express-rate-limit (a real, widely deployed Node limiter nobody here wrote) in a small
 * express app that forwards every request to an upstream (the simulator, its own limiter
 * off): a fixed window of `limit` per `windowMs` per user (keyed by Authorization; its
 * MemoryStore starts a user's window at the first request after the last one ended).
 * `workMs` adds the API's own work after the limiter's decision: a constant, or a varying
 * 0..max ms drawn per request. `headers`: which rate-limit headers the app sends (`ietf`:
 * only IETF `RateLimit`/`RateLimit-Policy`, express-rate-limit's draft-8).
 */
export interface ExpressLimit {
  limit: number;
  windowMs: number;
  /** Varying work is drawn uniformly from 0..varyingUpTo; with a seed, the same draws every run. */
  workMs?: { constant: number } | { varyingUpTo: number; seed?: number };
  /** `retry-after`: no quota headers at all, only Retry-After (and a DevRev-like body) on a 429. */
  headers?: 'ietf' | 'legacy' | 'retry-after';
  /** A 429 with DevRev's documented body (type, message, retry_after) whatever the headers. */
  devrevBody?: boolean;
}

export interface RunningExpress {
  url: string;
  /** Creates the app forwarded that the upstream answered 201 (the ones it performed). */
  createsForwarded(): number;
  /** Requests the limiter let through (forwarded upstream), every endpoint. */
  admitted(): number;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const startExpressLimiter = async (upstream: string, l: ExpressLimit): Promise<RunningExpress> => {
  let creates = 0;
  let admitted = 0;
  const w = l.workMs;
  const random = w && 'varyingUpTo' in w && w.seed !== undefined ? seeded(w.seed) : Math.random;
  const app = express();
  app.use(
    rateLimit({
      windowMs: l.windowMs,
      limit: l.limit,
      standardHeaders: l.headers === 'ietf' ? 'draft-8' : false,
      legacyHeaders: l.headers === undefined || l.headers === 'legacy',
      keyGenerator: (req: IncomingMessage) => String(req.headers.authorization ?? 'anonymous'),
      ...(l.headers === 'retry-after' || l.devrevBody
        ? {
            handler: (req: IncomingMessage & { rateLimit?: { resetTime?: Date } }, res: Res) => {
              const wait = Math.max(1, Math.ceil(((req.rateLimit?.resetTime?.getTime() ?? Date.now() + l.windowMs) - Date.now()) / 1000));
              res.setHeader('retry-after', String(wait));
              res.status(429).json({ type: 'too_many_requests', message: 'Too many requests', retry_after: wait });
            },
          }
        : {}),
    }),
  );
  app.use(express.raw({ type: () => true, limit: '1mb' }));
  app.use(async (req: Req, res: Res) => {
    admitted++;
    if (w) await pause('constant' in w ? w.constant : random() * w.varyingUpTo);
    try {
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept']) {
        const v = req.headers[name];
        if (typeof v === 'string') headers[name] = v;
      }
      const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body.toString('utf8') : undefined;
      const r = await fetch(upstream + req.originalUrl, { method: req.method, headers, body });
      const text = await r.text();
      if (req.path === '/rev-users.create' && r.status === 201) creates++;
      res.status(r.status);
      const type = r.headers.get('content-type');
      if (type) res.setHeader('content-type', type);
      res.send(text);
    } catch (err) {
      res.status(502).json({ type: 'bad_gateway', message: (err as Error).message });
    }
  });
  const server = await new Promise<Server>((done) => {
    const s = app.listen(0, '127.0.0.1', () => done(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    createsForwarded: () => creates,
    admitted: () => admitted,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
};
