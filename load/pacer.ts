import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { keepHeaders, nowMs, type Observation } from './observe.ts';

/**
 * The evenly paced, open-loop prober the capacity estimate relies on. Requests leave on a
 * timer at fixed intervals whatever the answers do (open loop: a slow answer never delays
 * the next request), unlike autocannon's rate option, which spends each second's budget
 * in a burst at the start of the second (see the README). Keep-alive sockets, at most
 * `concurrency` in flight: a request whose turn comes while all are busy is not queued
 * (that would bunch requests up) but counted as skipped.
 */
export interface PacedRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
  /** Label for fairness runs. */
  who?: string;
}

export interface PacerOptions {
  url: string;
  /** Requests per second at `elapsedMs` into the run (a function so a run can ramp up). */
  rate: (elapsedMs: number, obs: readonly Observation[]) => number;
  next: (i: number) => PacedRequest;
  concurrency: number;
  maxRequests: number;
  maxDurationMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Checked every `checkEveryMs`: true ends the run early (the estimate is good enough). */
  stopWhen?: (obs: readonly Observation[], elapsedMs: number) => boolean;
  checkEveryMs?: number;
  /** Which answers to keep the parsed body of (429s always). */
  keepBody?: (status: number) => boolean;
  onObservation?: (o: Observation) => void;
  onTick?: (obs: readonly Observation[], startMs: number, inFlight: number) => void;
  /** Epoch ms before which nothing is sent (waiting out a long window instead of spending it), or null. */
  holdUntil?: (obs: readonly Observation[]) => number | null;
}

export interface PacerResult {
  observations: Observation[];
  startMs: number;
  endMs: number;
  sent: number;
  skipped: number;
  stoppedBy: 'enough' | 'max-requests' | 'duration' | 'aborted';
}

/** Longest catch-up after an event-loop stall: beyond it the schedule restarts from now. */
const MAX_LAG_MS = 25;

export const runPacer = (o: PacerOptions): Promise<PacerResult> =>
  new Promise((resolve) => {
    const https = o.url.startsWith('https:');
    const agent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: o.concurrency })
      : new Agent({ keepAlive: true, maxSockets: o.concurrency });
    const base = new URL(o.url);
    const observations: Observation[] = [];
    const startMs = nowMs();
    let nextAt = startMs;
    let sent = 0;
    let skipped = 0;
    let inFlight = 0;
    let stopped: PacerResult['stoppedBy'] | null = null;
    let lastCheck = startMs;
    let timer: NodeJS.Timeout | undefined;

    const finish = () => {
      if (inFlight > 0) return;
      agent.destroy();
      resolve({ observations, startMs, endMs: nowMs(), sent, skipped, stoppedBy: stopped ?? 'duration' });
    };
    const stop = (why: PacerResult['stoppedBy']) => {
      if (stopped) return;
      stopped = why;
      clearTimeout(timer);
      finish();
    };
    const record = (ob: Observation) => {
      observations.push(ob);
      o.onObservation?.(ob);
    };

    const fire = (i: number) => {
      inFlight++;
      sent++;
      let done = false;
      sendOne(o, agent, base, o.next(i), (ob) => {
        if (done) return;
        done = true;
        inFlight--;
        record(ob);
        if (stopped) finish();
      });
    };

    const tick = () => {
      if (stopped) return;
      const now = nowMs();
      const elapsed = now - startMs;
      if (o.signal?.aborted) { stop('aborted'); return; }
      if (elapsed >= o.maxDurationMs) { stop('duration'); return; }
      if (o.stopWhen && now - lastCheck >= (o.checkEveryMs ?? 500)) {
        lastCheck = now;
        if (o.stopWhen(observations, elapsed)) { stop('enough'); return; }
      }
      const hold = o.holdUntil?.(observations) ?? null;
      if (hold !== null && hold > now) {
        o.onTick?.(observations, startMs, inFlight);
        nextAt = hold;
        timer = setTimeout(tick, Math.min(1000, hold - now));
        return;
      }
      if (now - nextAt > MAX_LAG_MS) nextAt = now;
      while (nextAt <= now) {
        if (sent >= o.maxRequests) { stop('max-requests'); return; }
        if (inFlight >= o.concurrency) skipped++;
        else fire(sent);
        const rate = o.rate(nextAt - startMs, observations);
        nextAt += 1000 / rate;
      }
      o.onTick?.(observations, startMs, inFlight);
      timer = setTimeout(tick, Math.max(0, Math.min(50, nextAt - nowMs())));
    };
    // One request alone first: the connection is set up and the provider's cold start
    // (its first answer can take tens of ms) is over before the even schedule begins, so
    // the schedule's first requests are not all decided at once.
    if (o.maxRequests < 1 || o.signal?.aborted) {
      stop(o.signal?.aborted ? 'aborted' : 'max-requests');
      return;
    }
    fire(sent);
    const begin = setInterval(() => {
      if (inFlight > 0 && nowMs() - startMs < o.timeoutMs) return;
      clearInterval(begin);
      nextAt = nowMs();
      tick();
    }, 1);
  });

/**
 * Sends one request over `agent` and hands `settle` what came back: status, the headers the
 * checks read, the body where `keepBody` wants it (and every 429's), or the failure. `settle`
 * may be called twice (an error after a timeout): callers keep the first.
 */
export const sendOne = (
  o: Pick<PacerOptions, 'timeoutMs' | 'keepBody'>,
  agent: Agent | HttpsAgent,
  base: URL,
  r: PacedRequest,
  settle: (ob: Observation) => void,
): void => {
  const https = base.protocol === 'https:';
  const send = https ? httpsRequest : request;
  const sentMs = nowMs();
  const req = send(
    {
      host: base.hostname,
      port: base.port || (https ? 443 : 80),
      method: 'POST',
      path: `${base.pathname.replace(/\/$/, '')}${r.path}`,
      agent,
      headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
      timeout: o.timeoutMs,
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let body: unknown;
        if (status === 429 || o.keepBody?.(status)) {
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = Buffer.concat(chunks).toString('utf8');
          }
        }
        settle({ sentMs, recvMs: nowMs(), status, headers: keepHeaders(res.headers), body, who: r.who });
      });
      res.on('error', () => settle({ sentMs, recvMs: nowMs(), status: null, error: 'connection', who: r.who }));
    },
  );
  req.on('timeout', () => {
    settle({ sentMs, recvMs: nowMs(), status: null, error: 'timeout', who: r.who });
    req.destroy();
  });
  req.on('error', () => settle({ sentMs, recvMs: nowMs(), status: null, error: 'connection', who: r.who }));
  req.end(r.body);
};
