import { isAllowed, isThrottled, type Observation } from './observe.ts';

/**
 * When the limiter decided each request, from when it was sent and when its answer came.
 *
 * The decision lies between the send plus the fastest one-way trip and the receive less the
 * fastest return trip. What lies between the two is either waiting before the decision (a
 * gateway queue, a stalled server) or work after it (the API creating the record, a limiter
 * that queues what it admitted). A refusal does almost no work after its decision, so its
 * round trip beyond the fastest refusal's is waiting before it.
 *
 * When successes take as long as refusals give or take the same spread, their extra time is
 * waiting too, and the receive side is used for every answer: waiting before the decision
 * reorders send order, not receive order. When successes vary far more than refusals (an
 * API whose work varies by tens to hundreds of ms, a queue that delays what it admitted),
 * their receive times say nothing about their decisions: the send side is used, plus the
 * waiting the refusals sent around the same time show. Otherwise every success would look
 * decided up to the work's spread late, after the refusals that followed it.
 */
export interface Sample {
  /** Estimated decision time on the server. */
  t: number;
  allowed: boolean;
  /** Our requests the limiter had let through and not yet answered when this one was sent. */
  inFlight: number;
  /** Earliest and latest the decision can have been, where they are wider than `t` (ms). */
  lo?: number;
  hi?: number;
  /** The round trip, ms (a queue's delay shows in the successes'). */
  rttMs?: number;
}

export interface DecisionTiming {
  samples: Sample[];
  /** How far a decision time can be off (ms): the spread of what was read as waiting before it. */
  spreadMs: number;
  /** Successes were placed from their send time (their answers vary after the decision). */
  fromSendSide: boolean;
}

const quantile = (xs: readonly number[], q: number) => {
  if (xs.length === 0) return 0;
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor(q * a.length))]!;
};

/** p90 less the minimum: how much round trips of one kind vary. */
const spreadOf = (xs: readonly number[]) => (xs.length === 0 ? 0 : quantile(xs, 0.9) - quantile(xs, 0));

/** Refusals this many or more are needed to tell waiting from work. */
const MIN_REFUSALS = 5;
/** Refusals on each side (in send order) whose waiting stands for a success's. */
const NEIGHBOURS = 2;

const below = (xs: readonly number[], v: number) => {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (xs[m]! < v) lo = m + 1;
    else hi = m;
  }
  return lo;
};

/**
 * Successes vary after their decision when their round trips spread well beyond the
 * refusals' (twice as far and by 10 ms more: timer noise on a loaded machine stays below).
 */
export const successesVaryAfterDecision = (okRtts: readonly number[], refusedRtts: readonly number[]): boolean =>
  refusedRtts.length >= MIN_REFUSALS && okRtts.length >= MIN_REFUSALS && spreadOf(okRtts) > 2 * spreadOf(refusedRtts) + 10;

export const decisionTimes = (obs: readonly Observation[]): DecisionTiming => {
  const answered = obs.filter((o) => o.status !== null);
  const rtt = (o: Observation) => o.recvMs - o.sentMs;
  const ok = answered.filter(isAllowed);
  const refused = answered.filter(isThrottled);
  let minRtt = Number.POSITIVE_INFINITY;
  const minByStatus = new Map<number, number>();
  for (const o of answered) {
    minRtt = Math.min(minRtt, rtt(o));
    minByStatus.set(o.status!, Math.min(minByStatus.get(o.status!) ?? Number.POSITIVE_INFINITY, rtt(o)));
  }
  const oneWay = minRtt / 2;
  const fromReceive = (o: Observation) => Math.max(o.sentMs + oneWay, o.recvMs - (minByStatus.get(o.status!)! - oneWay));
  const fromSendSide = successesVaryAfterDecision(ok.map(rtt), refused.map(rtt));
  // Waiting before the decision, as the refusals show it, in send order.
  const refusedBySend = [...refused].sort((a, b) => a.sentMs - b.sentMs);
  const refusedSent = refusedBySend.map((o) => o.sentMs);
  const minRefused = minByStatus.get(429) ?? minRtt;
  const waitOf = refusedBySend.map((o) => rtt(o) - minRefused);
  const waitNear = (sentMs: number) => {
    const at = below(refusedSent, sentMs);
    const near = waitOf.slice(Math.max(0, at - NEIGHBOURS), at + NEIGHBOURS);
    return { typical: near.length === 0 ? 0 : quantile(near, 0.5), most: near.length === 0 ? 0 : quantile(near, 1) };
  };
  const decided = (o: Observation): Pick<Sample, 't' | 'lo' | 'hi'> => {
    if (!fromSendSide) return { t: fromReceive(o) };
    // Waiting before the decision as the refusals sent around it show it: one answer read
    // late (the prober's own event loop busy) moves no decision. Never later than the
    // answer allows, even with no work at all.
    const lo = o.sentMs + oneWay;
    const { typical, most } = waitNear(o.sentMs);
    const hi = isThrottled(o) ? o.recvMs - oneWay : Math.min(o.recvMs - oneWay, lo + most);
    return { t: Math.min(hi, lo + typical), lo, hi };
  };
  const placed = answered.map((o) => ({ o, d: decided(o) }));
  if (fromSendSide) {
    // A success that may have been decided before a refusal (a stall answered both late,
    // the server read its sockets in another order) is placed before it when the middle of
    // its bounds is earlier: a refusal sent well before it keeps its place.
    const mid = (d: Pick<Sample, 't' | 'lo' | 'hi'>) => ((d.lo ?? d.t) + (d.hi ?? d.t)) / 2;
    const refusals = placed.filter((x) => isThrottled(x.o)).map((x) => x.d).sort((a, b) => a.t - b.t);
    const refusedAt = refusals.map((d) => d.t);
    for (const x of placed) {
      if (isThrottled(x.o)) continue;
      for (let k = below(refusedAt, x.d.lo!); k < refusals.length && refusals[k]!.t < x.d.t; k++) {
        if (mid(refusals[k]!) > mid(x.d)) {
          x.d.t = Math.max(x.d.lo!, refusals[k]!.t - 1e-3);
          break;
        }
      }
    }
  }
  const sorted = placed.sort((a, b) => a.d.t - b.d.t);
  const sentSorted = ok.map((o) => o.sentMs).sort((a, b) => a - b);
  const recvSorted = ok.map((o) => o.recvMs).sort((a, b) => a - b);
  const samples = sorted.map(({ o, d }) => ({
    ...d,
    rttMs: rtt(o),
    allowed: isAllowed(o),
    inFlight: below(sentSorted, o.sentMs) - below(recvSorted, o.sentMs),
  }));
  const spreadMs = fromSendSide ? spreadOf(refused.map(rtt)) : spreadOf(answered.map(rtt));
  return { samples, spreadMs, fromSendSide };
};
