import { CONTROL_PREFIX } from '../core/simulator-control.ts';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type ApiContext, ROUTES } from './api.ts';
import { type CallerSummary, callerSummary } from './bodies.ts';
import { type ControlState, handleControl } from './control.ts';
import {
  badRequest,
  forbidden,
  internalError,
  parseError,
  routeNotFound,
  serviceUnavailable,
  tooManyRequests,
  unauthenticated,
} from './errors.ts';
import type { Decision } from './limiter.ts';
import { authenticate, conformAnswer } from './version.ts';

/**
 * One request's way through the simulator, in the order a gateway would take it: who is
 * calling (the rate-limit key), the limiter, the route, injected faults, authentication,
 * authorisation, then the body (size, content type, UTF-8, JSON, depth) and the endpoint.
 * Every answer is a documented status with a documented body, and every API answer carries
 * the X-Ratelimit-* headers while a limiter is on.
 */
export type SimulatorState = ControlState;

/** Deeper JSON than this is refused before anything recurses over it. */
export const MAX_JSON_DEPTH = 512;

/** `Bearer <token>` (the docs) or the bare token (DevRev's own SDK); '' when there is none. */
export const tokenOf = (authorization: string | undefined): string => {
  if (!authorization) return '';
  const value = authorization.trim();
  if (/^bearer(\s|$)/i.test(value)) return value.slice(6).trim();
  return value;
};

const isJsonContentType = (ct: string | undefined): boolean => {
  if (!ct) return false;
  const semi = ct.indexOf(';');
  return (semi === -1 ? ct : ct.slice(0, semi)).trim().toLowerCase() === 'application/json';
};

/** Nesting depth of a parsed JSON value, without recursion. */
const depthExceeds = (value: unknown, max: number): boolean => {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
};

const send = (res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: unknown) => {
  const text = JSON.stringify(body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(status, headers);
  res.end(text);
};

const rateLimitHeaders = (state: SimulatorState, d: Decision, headers: OutgoingHttpHeaders): number | undefined => {
  const mode = state.options.rateLimitHeaders;
  if (mode === 'absent') return undefined;
  if (mode === 'correct') {
    headers['x-ratelimit-limit'] = String(d.limit);
    headers['x-ratelimit-remaining'] = String(d.remaining);
    headers['x-ratelimit-reset'] = String(d.resetS);
    return d.retryAfterS;
  }
  // 'wrong': a provider whose headers lie, consistently with each other: twice the quota,
  // units left after throttling, a reset a minute late and half the real wait.
  headers['x-ratelimit-limit'] = String(d.limit * 2);
  headers['x-ratelimit-remaining'] = String(d.remaining + d.limit);
  headers['x-ratelimit-reset'] = String(d.resetS + 60);
  return Math.max(1, Math.floor(d.retryAfterS / 2));
};

export const createRequestHandler = (state: SimulatorState) => {
  const callers = new Map<string, CallerSummary>();
  const callerOf = (token: string) => {
    let c = callers.get(token);
    if (!c) {
      if (callers.size >= 10_000) callers.clear();
      c = callerSummary(state.options.devOrg, token);
      callers.set(token, c);
    }
    return c;
  };

  const nextFault = (): 500 | 503 | null => {
    const forced = state.faults[0];
    if (forced) {
      forced.count--;
      if (forced.count <= 0) state.faults.shift();
      return forced.status;
    }
    const { faultRate, random } = state.options;
    if (faultRate > 0 && random() < faultRate) return random() < 0.5 ? 500 : 503;
    return null;
  };

  const api = (req: IncomingMessage, res: ServerResponse, path: string, raw: Buffer | null) => {
    const headers: OutgoingHttpHeaders = {};
    // A served version (--openapi): its endpoints, its scheme, its shapes. Null: the pin.
    const version = state.options.version;
    const served = version?.endpoints.get(path);
    let token: string;
    let anonymous = false;
    if (version) ({ token, anonymous } = authenticate(served?.auth ?? version.auth, req, tokenOf));
    else token = tokenOf(req.headers.authorization);
    const reply = (status: number, body: unknown) => send(res, status, headers, served ? conformAnswer(served, status, body) : body);
    if (state.limiter) {
      // Requests without a token have no user: they share a quota per client address.
      const key = token ? `t:${token}` : `a:${req.socket.remoteAddress ?? ''}`;
      const d = state.limiter.take(key, Date.now());
      const retryAfter = rateLimitHeaders(state, d, headers);
      if (!d.allowed) {
        if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
        return reply(429, tooManyRequests(retryAfter));
      }
    }
    const route = ROUTES.get(path);
    // A known path with another method is no route either: the docs' one 404 body. So is
    // an endpoint the served version does not document.
    if (!route || req.method !== 'POST') return send(res, 404, headers, routeNotFound());
    if (version && !served) {
      // The request a forced fault was armed for reached an endpoint this version lacks: its
      // 404 answers it, and the fault must not leak into whatever the caller sends next.
      const forced = state.faults[0];
      if (forced && --forced.count <= 0) state.faults.shift();
      return send(res, 404, headers, routeNotFound());
    }
    const fault = nextFault();
    if (fault === 500) return reply(500, internalError(randomUUID()));
    if (fault === 503) return reply(503, serviceUnavailable());
    if (!token && !anonymous) return reply(401, unauthenticated());
    if (token && state.readOnly.has(token)) return reply(403, forbidden());

    if (raw === null) {
      headers['connection'] = 'close';
      return reply(400, badRequest('bad_request', `the request body is larger than ${state.options.maxBodyBytes} bytes`));
    }
    let body: unknown;
    if (served && !served.bodyRequired && raw.length === 0) {
      // The version makes the request body optional: none is the empty request.
      body = {};
    } else {
      if (!isJsonContentType(req.headers['content-type'])) {
        return reply(400, parseError('the request body must be sent as Content-Type: application/json'));
      }
      try {
        // isUtf8 (simdutf) rejects invalid UTF-8 that toString() would silently replace.
        if (!isUtf8(raw)) throw new Error('not UTF-8');
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(400, parseError('the request body is not valid JSON (UTF-8)'));
      }
      if (raw.length > MAX_JSON_DEPTH * 2 && depthExceeds(body, MAX_JSON_DEPTH)) {
        return reply(400, badRequest('bad_request', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`));
      }
    }
    const ctx: ApiContext = { store: state.store, devOrg: state.options.devOrg, caller: callerOf(token), spec: served?.spec };
    const answer = route(body, ctx);
    return reply(answer.status, answer.body);
  };

  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const max = state.options.maxBodyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    let oversized = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        // Keep reading (and dropping) so the client gets the 400 rather than a reset.
        oversized = true;
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = oversized ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      try {
        if (path.startsWith(CONTROL_PREFIX)) handleControl(state, req, res, path, raw, send);
        else api(req, res, path, raw);
      } catch (err) {
        // Reaching this is a simulator bug; the property test exists to find it.
        if (!res.headersSent) send(res, 500, {}, internalError(randomUUID()));
        process.emitWarning(`devrev-gate simulator: ${(err as Error)?.message ?? String(err)}`);
      }
    });
  };
};

/** Requests Node cannot even parse (bad request line, oversized headers) still get a documented 400. */
export const onClientError = (err: NodeJS.ErrnoException, socket: Socket) => {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(parseError('the request could not be parsed as HTTP/1.1'));
  socket.end(
    `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};
