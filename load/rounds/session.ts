import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { BucketRegion } from '../models/bucket-region.ts';
import { firstBurst } from '../models/rounds.ts';
import { isAllowed, isThrottled, nowMs, type Observation } from '../observe.ts';
import { sendOne } from '../pacer.ts';
import type { BucketFromRounds, Recovery, RoundRecord, RoundsOptions, RoundsResult, WindowFromRounds } from './types.ts';

/** Pauses grow by this factor: a bucket's first token is caught within 2.5 token intervals, in few probes. */
const PAUSE_GROWTH = 2.5;
/** Pauses tried before the rounds leave the question to the continuous probing. */
const MAX_PAUSES = 40;

/** One request at a time over one keep-alive connection. */
const sender = (o: RoundsOptions) => {
  const https = o.url.startsWith('https:');
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(o.url);
  const on = (a: Agent) => (): Promise<Observation> =>
    new Promise((done) => {
      let settled = false;
      sendOne(o, a, base, o.next(), (ob) => {
        if (settled) return;
        settled = true;
        o.onObservation?.(ob);
        done(ob);
      });
    });
  /** `n` at once, each on a connection of its own. */
  const volley = async (n: number) => {
    const each = https ? new HttpsAgent({ keepAlive: false }) : new Agent({ keepAlive: false });
    const answers = await Promise.all(Array.from({ length: n }, on(each)));
    each.destroy();
    return answers;
  };
  return { one: on(agent), volley, close: () => agent.destroy() };
};

/**
 * What the rounds share: the answers so far (sent one at a time, so they come in send order
 * and the buckets they allow are kept as they arrive), the rounds' records, what they ruled
 * out, and the few ways of sending every round is made of.
 */
export class RoundsSession {
  readonly obs: Observation[] = [];
  readonly rounds: RoundRecord[] = [];
  readonly region = new BucketRegion();
  readonly startMs = nowMs();
  longWait = false;
  unknown: string | null = null;
  ruledOut: RoundsResult['ruledOut'] = null;
  /** Set where the rounds know the limiter is not left drained (a window just turned). */
  rest: number | null = null;
  bucketUnconfirmed = false;
  firstRecoveryMs = 0;
  private readonly sender: ReturnType<typeof sender>;

  constructor(readonly o: RoundsOptions) {
    this.sender = sender(o);
  }

  /** A round ended: kept, and told to whoever shows progress. */
  record = (r: RoundRecord): void => {
    this.rounds.push(r);
    this.o.onRound?.(r);
  };

  /** A silence a cancelled run ends too. */
  sleep = (ms: number) => sleepFor(Math.max(0, ms), undefined, { signal: this.o.signal }).catch(() => undefined);

  stopped = () => this.o.signal.aborted || nowMs() >= this.o.deadlineMs || this.obs.length >= this.o.cap;

  /** After a volley the answers have no send order the bucket region could read. */
  private regionStale = false;

  one = async (): Promise<Observation> => {
    const ob = await this.sender.one();
    this.obs.push(ob);
    if (!this.regionStale) this.region.add(ob);
    return ob;
  };

  /** `n` requests at once (a burst no sequential sender matches), kept in send order. */
  volley = async (n: number): Promise<Observation[]> => {
    const answers = (await this.sender.volley(Math.min(n, this.o.cap - this.obs.length))).sort((a, b) => a.sentMs - b.sentMs);
    this.obs.push(...answers);
    this.regionStale = true;
    return answers;
  };

  /** Sequential requests until a 429 (or the bound, in requests and ms, or `enough` of them); the successes. */
  burstUntil429 = async (max: number, maxMs: number | ((ok: number, fromMs: number) => number) = Number.POSITIVE_INFINITY, enough: (ok: number) => boolean = () => false) => {
    let ok = 0;
    const from = nowMs();
    const bound = typeof maxMs === 'number' ? () => maxMs : () => maxMs(ok, from);
    for (let i = 0; i < max && !this.stopped() && nowMs() - from < bound() && !enough(ok); i++) {
      const ob = await this.one();
      if (ob.status === null) return { ok, refused: false, broken: true };
      if (isThrottled(ob)) return { ok, refused: true, broken: false };
      ok++;
    }
    return { ok, refused: false, broken: false };
  };

  /**
   * Pauses after a 429, each 2.5 times the last from half the fastest round trip (or the
   * pace the caller knows a bucket cannot beat), until a request is let through: a bucket's
   * next token comes within one token interval, a window's quota only at its boundary. The
   * wait the 429 advertised is a hint: until twice that wait is past, a pause grows by an
   * eighth of it at most, so a window's boundary is timed to an eighth of the wait (a
   * bucket's token, early, is caught as before).
   */
  untilRecovered = async (refusal: Observation, fastestRttMs: number, noBucket = false): Promise<Recovery | 'broken'> => {
    const from = (refusal.sentMs + refusal.recvMs) / 2;
    const hint = this.o.advertisedWaitS(refusal);
    const stepMs = hint !== null && hint > 0 ? Math.max(25, (hint * 1000) / 8) : Number.POSITIVE_INFINITY;
    let pause = Math.max(0.5, fastestRttMs / 2);
    // A wait advertised in whole seconds ends in its last second, probed an eighth of a
    // second apart: the seconds before are skipped when no bucket is left to catch early, or
    // when the wait is two seconds or more (a bucket's next token is then that far too). A
    // limiter that rounds down is caught at once, its boundary then known less well: the
    // bracket says so.
    const zone = hint !== null && (hint >= 2 || (noBucket && hint >= 1));
    if (zone) pause = Math.max(pause, (hint - 1) * 1000);
    let lastRefused: Observation | null = null;
    for (let k = 0; k < MAX_PAUSES && !this.stopped(); k++) {
      // Never past the run's end (a pause of a long window with no wait advertised).
      if (from + pause > this.o.deadlineMs) break;
      await this.sleep(from + pause - nowMs());
      const ob = await this.one();
      if (ob.status === null) return 'broken';
      if (isAllowed(ob)) return { recovered: ob, lastRefused };
      lastRefused = ob;
      const step = zone ? 125 : stepMs;
      pause = hint !== null && pause < 2 * hint * 1000 ? Math.min(pause * PAUSE_GROWTH, pause + step) : pause * PAUSE_GROWTH;
    }
    return { recovered: null, lastRefused };
  };

  /** Time for a bucket to refill what the first burst took, at the slowest rate the answers allow. */
  private refillMs(): number {
    if (!this.obs.some(isThrottled)) return 0;
    const i = this.region.interval();
    const tokenMs = i && Number.isFinite(i.hiMs) ? i.hiMs : this.firstRecoveryMs;
    return 1.5 * ((firstBurst(this.obs)?.successes ?? 0) + 1) * tokenMs;
  }

  /** The rounds' outcome: a bucket, a window, or (neither) a hand-over to the continuous probing. */
  done = (reason: string, bucket: BucketFromRounds | null = null, window: WindowFromRounds | null = null): RoundsResult => {
    this.close();
    const handedOver = !bucket && !window && !this.unknown && !this.longWait;
    return {
      observations: this.obs,
      sent: this.obs.length,
      rounds: this.rounds,
      bucket,
      reason,
      longWait: this.longWait,
      unknown: this.unknown,
      ruledOut: this.ruledOut,
      window,
      bucketUnconfirmed: this.bucketUnconfirmed,
      restMs: handedOver ? (this.rest ?? this.refillMs()) : 0,
    };
  };

  close(): void {
    this.sender.close();
  }
}
