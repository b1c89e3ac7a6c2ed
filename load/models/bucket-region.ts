import { isAllowed, isThrottled, type Observation } from '../observe.ts';

/**
 * Every token bucket the answers allow, kept exactly. The unknowns are the refill rate u
 * (tokens per ms) and the tokens φ the bucket held when the first refusal was sent; while the
 * bucket does not fill (the rounds time their silences so), it holds φ + u·(t − t₀) − S at
 * time t, S the successes since. A refusal held less than one token when it was sent at the
 * latest; a success held one when it was answered at the latest (decisions lie between the
 * two). Each answer is a half-plane in (u, φ), their intersection a convex polygon, clipped
 * one answer at a time.
 *
 * Pairwise bounds between refusals (each with its own unknown fraction of a token) give the
 * rate to ±1 token over the tokens counted; one φ for all of them lets a refusal followed
 * closely by a success pin the lattice's phase, so the rate narrows with the time between two
 * such pairs, not with the tokens spent between them.
 */
export interface TokenInterval {
  /** Token interval T, ms: lower and upper bound. */
  loMs: number;
  hiMs: number;
}

/** Rates the region starts with, tokens per ms: one per 10⁷ ms (about three hours) to ten per ms. */
const U_MIN = 1e-7;
const U_MAX = 10;
const EPS = 1e-12;

type Vertex = readonly [u: number, phi: number];

export class BucketRegion {
  private poly: Vertex[] | null = null;
  private t0 = 0;
  private successes = 0;

  /** `slackMs`: how far a limiter's clock may put its decision outside send and answer (nginx reads a cached millisecond). */
  constructor(private readonly slackMs = 1) {}

  /** One answer, in send order (requests sent one at a time). */
  add(b: Observation): void {
    if (b.status === null) return;
    if (this.poly === null) {
      if (!isThrottled(b)) return;
      this.t0 = b.sentMs - this.slackMs;
      this.poly = [
        [U_MIN, 0],
        [U_MAX, 0],
        [U_MAX, 1],
        [U_MIN, 1],
      ];
    }
    if (isThrottled(b)) this.clip(b.sentMs - this.slackMs - this.t0, 1, 1 + this.successes);
    else if (isAllowed(b)) {
      this.clip(-(b.recvMs + this.slackMs - this.t0), -1, -(1 + this.successes));
      this.successes++;
    }
  }

  /** The token intervals still possible (hiMs infinite while nothing bounds the rate from below), or null when no bucket explains the answers. */
  interval(): TokenInterval | null {
    if (this.poly === null) return { loMs: 0, hiMs: Number.POSITIVE_INFINITY };
    if (this.poly.length === 0) return null;
    const us = this.poly.map((v) => v[0]);
    const uMin = Math.min(...us);
    const uMax = Math.max(...us);
    return { loMs: 1 / uMax, hiMs: uMin <= U_MIN * (1 + 1e-9) ? Number.POSITIVE_INFINITY : 1 / uMin };
  }

  /** When the next token may arrive (on the observations' clock), earliest and latest; null before the first refusal or with no bucket left. */
  nextArrival(): { fromMs: number; toMs: number } | null {
    if (this.poly === null || this.poly.length === 0) return null;
    const at = this.poly.map(([u, phi]) => this.t0 + (1 + this.successes - phi) / u);
    const unbounded = this.poly.some(([u]) => u <= U_MIN * (1 + 1e-9));
    return { fromMs: Math.min(...at), toMs: unbounded ? Number.POSITIVE_INFINITY : Math.max(...at) };
  }

  /** Keeps the part of the polygon where a·u + b·φ ≤ c (Sutherland-Hodgman against one half-plane). */
  private clip(a: number, b: number, c: number): void {
    const p = this.poly!;
    const side = (v: Vertex) => a * v[0] + b * v[1] - c;
    const out: Vertex[] = [];
    for (let k = 0; k < p.length; k++) {
      const x = p[k]!;
      const y = p[(k + 1) % p.length]!;
      const fx = side(x);
      const fy = side(y);
      if (fx <= EPS) out.push(x);
      if ((fx < -EPS && fy > EPS) || (fx > EPS && fy < -EPS)) {
        const s = fx / (fx - fy);
        out.push([x[0] + s * (y[0] - x[0]), x[1] + s * (y[1] - x[1])]);
      }
    }
    this.poly = out;
  }
}
