import { setTimeout as sleep } from 'node:timers/promises';
import { parseRetryAfter } from './retry-after.ts';
import { SetupError } from './errors.ts';
import type { RunContext } from './run-context.ts';

/**
 * The one HTTP client of the contracts, drift and properties pillars (the load engines
 * have their own). Every attempt counts against the run's budget; a 429 waits Retry-After
 * (seconds or HTTP-date) and retries within a bound, after which the answer is marked
 * `throttled` so the check reports `inconclusive`, never a drift finding; a 503 is retried
 * with backoff.
 */
export type AuthStyle = 'bearer' | 'raw' | 'none';

export interface HttpRequest {
  path: string;
  method?: 'POST' | 'GET';
  /** Serialised as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string | Uint8Array;
  /** Defaults to application/json; null sends no Content-Type. */
  contentType?: string | null;
  auth?: AuthStyle;
  /** Overrides the run's token (a second user, a read-only user). */
  token?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Retry a 429 after Retry-After (default true). Off for checks of the 429 itself. */
  retry429?: boolean;
  retry503?: boolean;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  text: string;
  /** Parsed body when it is JSON, else undefined. */
  json: unknown;
  durationMs: number;
  attempts: number;
  /** Still 429 after the bounded retries. */
  throttled: boolean;
  /** The curl line that reproduces the request, token redacted. */
  curl: string;
}

export type TransportFailure = 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'blocked-port' | 'aborted' | 'other';

export class TransportError extends SetupError {
  constructor(
    readonly failure: TransportFailure,
    readonly url: string,
    cause: unknown,
  ) {
    super(TransportError.describe(failure, url), TransportError.advise(failure), { cause });
  }

  static describe(failure: TransportFailure, url: string): string {
    const host = (() => {
      try {
        return new URL(url).host;
      } catch {
        return url;
      }
    })();
    switch (failure) {
      case 'timeout':
        return `no answer from ${host} in time`;
      case 'refused':
        return `nothing is listening at ${host}`;
      case 'reset':
        return `${host} closed the connection`;
      case 'dns':
        return `cannot resolve ${host}`;
      case 'tls':
        return `TLS handshake with ${host} failed`;
      case 'blocked-port':
        return `Node's fetch refuses to connect to ${host} (the Fetch standard blocks that port)`;
      case 'aborted':
        return 'interrupted';
      default:
        return `request to ${host} failed`;
    }
  }

  static advise(failure: TransportFailure): string {
    switch (failure) {
      case 'dns':
        return 'check the host name in --target / DEVREV_API_URL';
      case 'refused':
        return 'check the port in --target, or start the provider first';
      case 'tls':
        return 'check the certificate, or use the http:// URL the provider really serves';
      case 'timeout':
        return 'check the target is up, or raise the timeout';
      case 'blocked-port':
        return 'serve the provider on another port, e.g. 8080';
      default:
        return 'check --target and the network';
    }
  }
}

export const classifyTransport = (err: unknown): TransportFailure => {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  const code = e?.cause?.code ?? e?.code ?? '';
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return 'timeout';
  if (e?.name === 'AbortError') return 'aborted';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'dns';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'reset';
  // OpenSSL's verify codes as Node names them; an unknown CA is UNABLE_TO_VERIFY_LEAF_SIGNATURE.
  if (/CERT|CRL|TLS|SSL|UNABLE_TO_|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH/i.test(code)) return 'tls';
  // undici refuses the Fetch standard's blocked ports (1, 9, 6000, ...) before connecting.
  if ((e?.cause as { message?: string } | undefined)?.message === 'bad port') return 'blocked-port';
  return 'other';
};

/** Shell-quotes for POSIX sh; bytes that are not printable UTF-8 go through printf. */
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const toCurl = (
  url: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  redact: (s: string) => string,
): string => {
  const parts = ['curl', '-sS', '-X', 'POST', shq(url)];
  for (const [k, v] of Object.entries(headers)) parts.push('-H', shq(`${k}: ${v}`));
  if (body !== undefined) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    const text = bytes.toString('utf8');
    const printable = Buffer.from(text, 'utf8').equals(bytes) && !/[\x00-\x08\x0b-\x1f\x7f]/.test(text);
    if (printable) parts.push('--data-raw', shq(redact(text)));
    else {
      const esc = [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
      parts.push('--data-binary', `"$(printf '${esc}')"`);
    }
  }
  return parts.join(' ');
};

export interface HttpClientOptions {
  /** Max 429 retries before the answer counts as throttled. */
  max429Retries?: number;
  /** Longest Retry-After we are willing to wait, in seconds. */
  maxRetryAfterS?: number;
  max503Retries?: number;
  timeoutMs?: number;
}

/**
 * How long to wait before retrying a 429, ms; null when it is not retried: no Retry-After
 * that parseRetryAfter (./retry-after.ts) can read (delay-seconds or an HTTP-date, the date counted from the
 * answer's Date header, else from `nowMs`), or a wait longer than `maxRetryAfterS`.
 */
export const retryWaitMs = (headers: Readonly<Record<string, string>>, maxRetryAfterS: number, nowMs: number): number | null => {
  const ra = parseRetryAfter(headers['retry-after'], { dateHeader: headers['date'], nowMs });
  if (!ra || ra.seconds > maxRetryAfterS) return null;
  // A little past the advertised instant, so the retry is not decided a moment too soon.
  return ra.seconds * 1000 + 50;
};

export class HttpClient {
  private readonly o: Required<HttpClientOptions>;

  constructor(
    private readonly ctx: Pick<RunContext, 'target' | 'token' | 'budget' | 'redactor' | 'signal'>,
    options: HttpClientOptions = {},
  ) {
    this.o = { max429Retries: 2, maxRetryAfterS: 10, max503Retries: 2, timeoutMs: 15_000, ...options };
  }

  headersFor(req: HttpRequest): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const contentType = req.contentType === undefined ? 'application/json' : req.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    const token = req.token ?? this.ctx.token;
    const auth = req.auth ?? 'bearer';
    if (auth !== 'none' && token) headers['authorization'] = auth === 'bearer' ? `Bearer ${token}` : token;
    return { ...headers, ...req.headers };
  }

  curlFor(req: HttpRequest): string {
    const body = req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    const redacted = this.ctx.redactor.headers(this.headersFor(req));
    return toCurl(this.ctx.target.url + req.path, redacted, body, (s) => this.ctx.redactor.text(s));
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const url = this.ctx.target.url + req.path;
    const headers = this.headersFor(req);
    const body = req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    const curl = this.curlFor(req);
    let attempts = 0;
    let retries429 = 0;
    let retries503 = 0;
    for (;;) {
      if (this.ctx.signal.aborted) throw new TransportError('aborted', url, this.ctx.signal.reason);
      this.ctx.budget.take();
      attempts++;
      const started = performance.now();
      let res: Response;
      let text: string;
      // A timer of our own, held until the answer is read: a timeout signal referenced only by
      // AbortSignal.any() can be collected before it fires, and a run then waits for ever on a
      // target that accepted the connection and never answers.
      const timeoutMs = req.timeoutMs ?? this.o.timeoutMs;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new DOMException(`no answer in ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      try {
        res = await fetch(url, {
          method: req.method ?? 'POST',
          headers,
          body: body as BodyInit | undefined,
          signal: AbortSignal.any([this.ctx.signal, timeout.signal]),
          redirect: 'manual',
        });
        text = await res.text();
      } catch (err) {
        throw new TransportError(this.ctx.signal.aborted ? 'aborted' : classifyTransport(err), url, err);
      } finally {
        clearTimeout(timer);
      }
      const durationMs = performance.now() - started;
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        out[k] = v;
      });
      let json: unknown;
      try {
        json = text.length ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const response: HttpResponse = {
        status: res.status,
        headers: out,
        text,
        json,
        durationMs,
        attempts,
        throttled: false,
        curl,
      };
      if (res.status === 429 && req.retry429 !== false) {
        const waitMs = retryWaitMs(out, this.o.maxRetryAfterS, Date.now());
        if (waitMs === null || retries429 >= this.o.max429Retries) return { ...response, throttled: true };
        retries429++;
        await sleep(waitMs, undefined, { signal: this.ctx.signal }).catch(() => undefined);
        continue;
      }
      if (res.status === 503 && req.retry503 !== false && retries503 < this.o.max503Retries) {
        retries503++;
        await sleep(200 * 2 ** retries503, undefined, { signal: this.ctx.signal }).catch(() => undefined);
        continue;
      }
      return response;
    }
  }
}
