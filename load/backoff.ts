import { isAllowed, isThrottled, type Observation } from './observe.ts';

/**
 * Backing off from a limiter that punishes persistence. While the client is throttled, a
 * refusal sent after the wait the stretch's first 429 advertised was over (or, with no wait
 * advertised, more than `NO_WAIT_MS` into the stretch) says the refusals themselves keep it
 * refusing (a counter that includes them, a lockout that every attempt prolongs). Then the
 * prober stops, and probes sparsely: one request after a silence, each silence twice the
 * last, until one is let through. What the silences were, and which one ended it, are the
 * evidence for the estimate (how long the limiter needs to be left alone).
 */

/** With no wait advertised, throttled this long without a success counts as persistent. */
export const NO_WAIT_MS = 2000;
/** Slack on an advertised wait: Retry-After is whole seconds rounded up, so the real wait is shorter. */
const WAIT_SLACK_MS = 250;
/** The first silence, ms; each next one doubles. */
const FIRST_SILENCE_MS = 500;
/**
 * Each back-off starts from a different first silence: with the same schedule every time,
 * every throttled stretch would last alike, and a lockout of that length or a window of
 * that period would explain the recoveries as well as a counter that needs a quiet window.
 */
const FIRST_SILENCE_FACTORS = [1, 1.6, 0.7, 1.3];

export interface Silence {
  /** When the silence began and the probe after it left (epoch ms). */
  fromMs: number;
  probeMs: number;
  /** The probe was let through. */
  recovered: boolean | null;
}

export class Backoff {
  /** Silences kept so far, in order. */
  readonly silences: Silence[] = [];
  private silenceMs = FIRST_SILENCE_MS;
  private backoffs = 0;
  private active = false;
  private probeDueMs = 0;
  private probeSent = false;

  /** `advertised`: the wait a 429 advertises, seconds, or null. */
  constructor(private readonly advertised: (o: Observation) => number | null) {}

  /** The prober sent a request at `nowMs` (only one goes out per probe). */
  onSend(nowMs: number): void {
    if (!this.active || nowMs < this.probeDueMs) return;
    this.probeSent = true;
    this.silences[this.silences.length - 1]!.probeMs = nowMs;
  }

  /** Epoch ms before which nothing is sent, or null to send as usual. */
  holdUntil(obs: readonly Observation[], nowMs: number): number | null {
    if (this.active) return this.whileActive(obs, nowMs);
    if (!persistent(obs, this.advertised)) return null;
    this.active = true;
    this.silenceMs = FIRST_SILENCE_MS * FIRST_SILENCE_FACTORS[this.backoffs++ % FIRST_SILENCE_FACTORS.length]!;
    this.startSilence(nowMs);
    return this.probeDueMs;
  }

  private startSilence(nowMs: number) {
    this.probeDueMs = nowMs + this.silenceMs;
    this.probeSent = false;
    this.silences.push({ fromMs: nowMs, probeMs: Number.NaN, recovered: null });
  }

  private whileActive(obs: readonly Observation[], nowMs: number): number | null {
    const cur = this.silences[this.silences.length - 1]!;
    if (!this.probeSent) return nowMs >= this.probeDueMs ? null : this.probeDueMs;
    const answer = obs.find((o) => o.sentMs >= cur.probeMs - 0.001 && o.status !== null);
    // The probe is in flight: nothing else goes out until it is answered.
    if (!answer) return nowMs + 20;
    cur.recovered = isAllowed(answer);
    if (cur.recovered) {
      // Let through: back to probing as usual; the next persistent stretch starts over.
      this.active = false;
      return null;
    }
    this.silenceMs *= 2;
    this.startSilence(nowMs);
    return this.probeDueMs;
  }
}

/** The current throttled stretch (refusals since the last success) went on past the wait it advertised. */
export const persistent = (obs: readonly Observation[], advertised: (o: Observation) => number | null): boolean => {
  let lastOkSent = Number.NEGATIVE_INFINITY;
  for (const o of obs) if (isAllowed(o)) lastOkSent = Math.max(lastOkSent, o.sentMs);
  let first: Observation | null = null;
  let last: Observation | null = null;
  for (const o of obs) {
    if (!isThrottled(o) || o.sentMs <= lastOkSent) continue;
    if (!first || o.sentMs < first.sentMs) first = o;
    if (!last || o.sentMs > last.sentMs) last = o;
  }
  if (!first || !last) return false;
  const wait = advertised(first);
  const endMs = wait === null ? first.sentMs + NO_WAIT_MS : first.recvMs + wait * 1000 + WAIT_SLACK_MS;
  return last.sentMs > endMs;
};
