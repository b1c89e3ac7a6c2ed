import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { rateLimit } from 'express-rate-limit';
import { seeded } from '../synthetic-limiters.ts';
import { type RunningZoo, runningOn } from './zoo.ts';

// express ships no types and @types/express is not installed: the few calls made here, typed.
type Req = IncomingMessage & { body?: unknown; originalUrl: string };
type Res = ServerResponse & { status(code: number): Res; json(body: unknown): void; type(t: string): Res; send(body: string): void };
type Handler = (req: Req, res: Res, next: () => void) => unknown;
interface ExpressApp {
  use(h: Handler | ReturnType<typeof rateLimit>): void;
  post(path: string, h: (req: Req, res: Res) => Promise<void>): void;
  listen(port: number, host: string, cb: () => void): Server;
}
const express = createRequire(import.meta.url)('express') as (() => ExpressApp) & { text(o: { type: string; limit: string }): Handler };

/**
 * express-rate-limit (its default memory store: a fixed window per client, started by the
 * client's first request after the last one ran out) in front of an upstream API, the way
 * a Node service deploys it. Each request it lets through then does `workMs` of the API's
 * own work, drawn uniformly (seeded) between the two bounds, before it is forwarded: the
 * answers of admitted requests arrive late by a varying amount, refusals at once.
 * Keyed by the Authorization header (DevRev limits per user). Loopback only.
 */
/** `admitted`: requests the limiter let through (forwarded upstream). */
export const startExpressWindow = async (o: { upstream: string; limit: number; windowMs: number; workMs: [number, number]; seed?: number }): Promise<RunningZoo> => {
  const random = seeded(o.seed ?? 1);
  let admitted = 0;
  const app = express();
  app.use(
    rateLimit({
      windowMs: o.windowMs,
      limit: o.limit,
      standardHeaders: false,
      legacyHeaders: true,
      keyGenerator: (req) => String(req.headers.authorization ?? ''),
      handler: (_req, res) => {
        const wait = Number(res.getHeader('retry-after') ?? 1);
        res.status(429).json({ type: 'too_many_requests', message: 'slow down', retry_after: wait });
      },
    }),
  );
  app.use(express.text({ type: '*/*', limit: '1mb' }));
  app.post('/{*path}', async (req, res) => {
    admitted++;
    const [lo, hi] = o.workMs;
    await new Promise((r) => setTimeout(r, lo + random() * (hi - lo)));
    const up = await fetch(`${o.upstream}${req.originalUrl}`, {
      method: 'POST',
      headers: { authorization: String(req.headers.authorization ?? ''), 'content-type': 'application/json' },
      body: typeof req.body === 'string' ? req.body : '',
    });
    res.status(up.status).type('application/json').send(await up.text());
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return runningOn(server, () => admitted);
};
