import type { LimiterModel } from '../../api-model/rate-limit/models.ts';
import type { Observation } from '../observe.ts';
import type { PacedRequest } from '../pacer.ts';

export interface RoundRecord {
  round: 'burst' | 'pauses' | 'burst after recovery' | 'second boundary' | 'drain' | 'follow' | 'fill';
  sent: number;
  /** Models still standing after it. */
  survivors: string[];
  note: string;
}

export interface BucketFromRounds {
  burst: number;
  burstPm: number;
  /** Counted on a bucket let fill (the headers did not hold up); else a lower bound. */
  burstMeasured: boolean;
  ratePerS: number;
  ratePmPerS: number;
}

export interface RoundsResult {
  observations: Observation[];
  sent: number;
  rounds: RoundRecord[];
  /** A bucket the rounds settled, or null: the continuous probing decides. */
  bucket: BucketFromRounds | null;
  reason: string;
  /** The first 429 advertised a long wait: waiting it out beats probing it. */
  longWait: boolean;
  /** The rounds end in an honest unknown (two limits they cannot give figures to), with why. */
  unknown: string | null;
  /** Models the rounds' answers ruled out, with why: the continuous probing must not name them. */
  /** `single`: ruled out only as the one limit there is (a second limit can break a bucket's lattice too). */
  ruledOut: { models: LimiterModel[]; why: string; single?: boolean } | null;
  /** A fixed window the rounds settled, or null. */
  window: WindowFromRounds | null;
  /**
   * The rounds found a bucket but could not tell it from a sliding-window counter: a bucket
   * the continuous probing names must pass the same test (let fill, fired at past its burst).
   */
  bucketUnconfirmed: boolean;
  /**
   * Silence the limiter needs before the continuous probing starts on it, ms: the rounds may
   * leave a bucket drained, and a first burst read off a drained bucket is no burst.
   */
  restMs: number;
}

export interface WindowFromRounds {
  limit: number;
  limitPm: number;
  windowMs: number;
  windowPmMs: number;
}

/** The pauses after a 429: the first request let through, and the last refused before it. */
export interface Recovery {
  recovered: Observation | null;
  lastRefused: Observation | null;
}

export interface RoundsOptions {
  url: string;
  next: () => PacedRequest;
  timeoutMs: number;
  signal: AbortSignal;
  keepBody?: (status: number) => boolean;
  onObservation?: (o: Observation) => void;
  /** Each round as it ends (the progress line: the rounds may take the longer scale and more). */
  onRound?: (r: RoundRecord) => void;
  /** Requests the rounds may send at most. */
  cap: number;
  /** An advertised wait this long (s) on the first 429 ends the rounds: the window is waited out, not probed. */
  holdFromS: number;
  /** How long (ms from the start of the rounds) a bucket is followed to look for a second limit. */
  longerScaleMs: number;
  advertisedWaitS: (o: Observation) => number | null;
  deadlineMs: number;
}
