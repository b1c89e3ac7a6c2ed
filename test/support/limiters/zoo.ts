import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A zoo of rate limiters written for the project's tests, independently of the simulator's
 * own limiter code: each is a few lines of the textbook algorithm, behind a tiny HTTP server
 * that answers like DevRev (201 for a create, 400 for a create missing its required
 * fields, 200 for a delete, 429 too_many_requests with Retry-After when throttled). Every
 * request counts, whatever its endpoint, as DevRev documents. Loopback only.
 */
export interface Admission {
  allowed: boolean;
  /** Seconds until a request can succeed again (429 only). */
  retryAfterS?: number;
  /** X-Ratelimit-* when the limiter has them. */
  headers?: { limit: number; remaining: number; resetS: number };
}

export interface ZooLimiter {
  /** Decides a request that arrived at `nowMs`; `done` is called when its answer has left (concurrency). */
  admit(nowMs: number): Admission;
  done?(): void;
}

export const fixedWindow = (limit: number, windowMs: number, offsetMs = 0): ZooLimiter => {
  let idx = Number.NaN;
  let used = 0;
  return {
    admit(now) {
      const w = Math.floor((now - offsetMs) / windowMs);
      if (w !== idx) [idx, used] = [w, 0];
      const endMs = (w + 1) * windowMs + offsetMs;
      const allowed = used < limit;
      if (allowed) used++;
      return { allowed, retryAfterS: Math.ceil((endMs - now) / 1000), headers: { limit, remaining: limit - used, resetS: Math.ceil(endMs / 1000) } };
    },
  };
};

/** Sliding log: at most `limit` admissions in any `windowMs`. */
export const slidingLog = (limit: number, windowMs: number): ZooLimiter => {
  const log: number[] = [];
  return {
    admit(now) {
      while (log.length > 0 && log[0]! <= now - windowMs) log.shift();
      const allowed = log.length < limit;
      if (allowed) log.push(now);
      const freeAt = log.length > 0 ? log[0]! + windowMs : now;
      return {
        allowed,
        retryAfterS: Math.max(1, Math.ceil((freeAt - now) / 1000)),
        headers: { limit, remaining: limit - log.length, resetS: Math.ceil((log.length > 0 ? log[log.length - 1]! + windowMs : now) / 1000) },
      };
    },
  };
};

/** Sliding window counter: the previous window's count weighted by how much of it still overlaps. */
export const slidingCounter = (limit: number, windowMs: number): ZooLimiter => {
  let idx = Number.NaN;
  let prev = 0;
  let cur = 0;
  return {
    admit(now) {
      const w = Math.floor(now / windowMs);
      if (w !== idx) {
        prev = w === idx + 1 ? cur : 0;
        cur = 0;
        idx = w;
      }
      const overlap = 1 - (now - w * windowMs) / windowMs;
      const allowed = prev * overlap + cur < limit;
      if (allowed) cur++;
      const remaining = Math.max(0, Math.floor(limit - prev * overlap - cur));
      return { allowed, retryAfterS: 1, headers: { limit, remaining, resetS: Math.ceil(((w + 1) * windowMs) / 1000) } };
    },
  };
};

/** GCRA (the generic cell rate algorithm): the same admissions as a token bucket. */
export const gcra = (burst: number, ratePerS: number): ZooLimiter => {
  const T = 1000 / ratePerS;
  const tau = T * (burst - 1);
  let tat = Number.NEGATIVE_INFINITY;
  return {
    admit(now) {
      const t = Math.max(tat, now);
      const allowed = t - tau <= now;
      if (allowed) tat = t + T;
      const remaining = Math.max(0, Math.min(burst, Math.floor((now + tau + T - Math.max(tat, now)) / T + 1e-9)));
      return {
        allowed,
        retryAfterS: Math.max(1, Math.ceil((t - tau - now) / 1000)),
        headers: { limit: burst, remaining, resetS: Math.ceil(Math.max(tat, now) / 1000) },
      };
    },
  };
};

/** At most `max` requests in flight; no rate limit at all. */
export const concurrency = (max: number): ZooLimiter => {
  let inFlight = 0;
  return {
    admit() {
      const allowed = inFlight < max;
      if (allowed) inFlight++;
      return { allowed, retryAfterS: 1, headers: { limit: max, remaining: max - inFlight, resetS: Math.ceil(Date.now() / 1000) } };
    },
    done() {
      inFlight--;
    },
  };
};

/** The same limiter answering with Retry-After alone, as gateways without quota headers do. */
export const withoutQuotaHeaders = (l: ZooLimiter): ZooLimiter => ({
  admit: (now) => ({ ...l.admit(now), headers: undefined }),
  done: l.done ? () => l.done!() : undefined,
});

/** Both must admit; a request the second refuses still spent the first's unit, as gateways chain them. */
export const tiers = (a: ZooLimiter, b: ZooLimiter): ZooLimiter => ({
  admit(now) {
    const x = a.admit(now);
    if (!x.allowed) return x;
    const y = b.admit(now);
    if (!y.allowed) return y;
    // Remaining: the tighter of the two.
    return x.headers && y.headers && y.headers.remaining < x.headers.remaining ? y : x;
  },
});

export interface ZooOptions {
  /** A fresh limiter per key. */
  limiter: () => ZooLimiter;
  /** What a limiter is per: the token (DevRev: per user) or the client address. */
  keyBy?: 'token' | 'address';
  /** A gateway queue in front of the limiter: each request waits this long (ms, jittered ±50%). */
  delayBeforeMs?: number;
  /** Work after the decision, for admitted requests (ms). */
  delayAfterMs?: number;
  /** Shaping instead of a limiter: requests queue and leave at this rate; none is refused. */
  shapeRatePerS?: number;
}

export interface RunningZoo {
  url: string;
  /** Requests admitted so far (every endpoint). */
  admitted: () => number;
  close: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;

const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', date: new Date().toUTCString(), ...headers });
  res.end(JSON.stringify(body));
};

const endpointAnswer = (req: IncomingMessage, raw: string, res: ServerResponse, headers: Record<string, string>) => {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return answer(res, 400, { type: 'bad_request', message: 'malformed JSON' }, headers);
  }
  if (req.url === '/rev-users.create') {
    const n = ++seq;
    return answer(res, 201, { rev_user: { type: 'rev_user', id: `don:identity:dvrv-us-1:devo/zoo:revu/${n}`, display_id: `REVU-${n}`, display_name: body['display_name'] } }, headers);
  }
  if (req.url === '/dev-users.create' && typeof body['email'] !== 'string') {
    return answer(res, 400, { type: 'bad_request', message: 'email is required' }, headers);
  }
  if (req.url === '/rev-users.delete') return answer(res, 200, {}, headers);
  return answer(res, 404, { message: 'route not found' }, headers);
};

export const startZoo = async (o: ZooOptions): Promise<RunningZoo> => {
  const limiters = new Map<string, ZooLimiter>();
  let admitted = 0;
  let shapedUntil = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (o.delayBeforeMs) await sleep(o.delayBeforeMs * (0.5 + Math.random()));
      if (o.shapeRatePerS) {
        const now = Date.now();
        shapedUntil = Math.max(now, shapedUntil + 1000 / o.shapeRatePerS);
        await sleep(shapedUntil - now);
        admitted++;
        return endpointAnswer(req, Buffer.concat(chunks).toString('utf8'), res, {});
      }
      const key = o.keyBy === 'address' ? String(req.socket.remoteAddress) : String(req.headers.authorization ?? '');
      const lim = limiters.get(key) ?? o.limiter();
      limiters.set(key, lim);
      const a = lim.admit(performance.timeOrigin + performance.now());
      const headers: Record<string, string> = a.headers
        ? { 'x-ratelimit-limit': String(a.headers.limit), 'x-ratelimit-remaining': String(a.headers.remaining), 'x-ratelimit-reset': String(a.headers.resetS) }
        : {};
      if (!a.allowed) {
        const s = String(a.retryAfterS ?? 1);
        return answer(res, 429, { type: 'too_many_requests', message: 'slow down', retry_after: Number(s) }, { ...headers, 'retry-after': s });
      }
      admitted++;
      if (o.delayAfterMs) await sleep(o.delayAfterMs);
      endpointAnswer(req, Buffer.concat(chunks).toString('utf8'), res, headers);
      lim.done?.();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return runningOn(server, () => admitted);
};

/** A listening loopback server as the tests hold it: its URL, what it admitted, and closing it (connections cut). */
export const runningOn = (server: Server, admitted: () => number): RunningZoo => {
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    admitted,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
