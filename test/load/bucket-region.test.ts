import { describe, expect, it } from 'vitest';
import { BucketRegion } from '../../load/models/bucket-region.ts';
import { rateOf } from '../../load/models/rounds.ts';
import type { Observation } from '../../load/observe.ts';

// Issue 22, items 1-2: the region of buckets the answers allow, on synthetic streams (a GCRA
// bucket deciding at the moment a request arrives, 1 ms after it was sent; answers 1 ms later).

/** A GCRA bucket of `burst` at `ratePerS` that decides requests as they come. */
const gcra = (burst: number, ratePerS: number) => {
  const T = 1000 / ratePerS;
  let tat = 0;
  return (sentMs: number): Observation => {
    const t = sentMs + 1;
    const ok = Math.max(tat, t) - t <= (burst - 1) * T + 1e-9;
    if (ok) tat = Math.max(tat, t) + T;
    return { sentMs, recvMs: sentMs + 2, status: ok ? 201 : 429 };
  };
};

/** The rounds' traffic, one request at a time: a burst, pauses growing 2.5 times until a success, a burst, then (given) a silence and a drain. */
const roundsTraffic = (decide: (sentMs: number) => Observation, silenceMs?: number): Observation[] => {
  const obs: Observation[] = [];
  let t = 0;
  const send = () => {
    const o = decide(t);
    obs.push(o);
    t = o.recvMs;
    return o.status === 201;
  };
  while (send());
  const t429 = t;
  for (let p = 0.5; ; p *= 2.5) {
    t = t429 + p;
    if (send()) break;
  }
  while (send());
  if (silenceMs !== undefined) {
    t += silenceMs;
    while (send());
  }
  return obs;
};

const regionOf = (obs: Observation[]) => {
  const r = new BucketRegion(0);
  for (const o of obs) r.add(o);
  return r;
};

describe('the region of token buckets the answers allow', () => {
  it('holds the true rate after the rounds\' traffic (a burst, pauses, a burst, a silence, a drain)', () => {
    for (const [burst, rate, silence] of [[40, 150, 120], [5, 10, 250], [10, 2.5, 2000]] as const) {
      const i = regionOf(roundsTraffic(gcra(burst, rate), silence)).interval();
      expect(i, `${burst} at ${rate}/s`).not.toBeNull();
      const r = rateOf(i!);
      expect(Math.abs(r.ratePerS - rate), `${burst} at ${rate}/s: ${r.ratePerS} ± ${r.ratePmPerS}`).toBeLessThanOrEqual(r.ratePmPerS);
    }
  });

  it('predicts when the next token arrives: probed at the middle of that span, 10/s is known to 5% within ten requests', () => {
    const decide = gcra(5, 10);
    const region = new BucketRegion(0);
    const obs: Observation[] = [];
    let t = 0;
    const send = () => {
      const o = decide(t);
      obs.push(o);
      region.add(o);
      t = o.recvMs;
      return o;
    };
    while (send().status === 201);
    // Two more successes bound the rate from below, then each probe aims at the middle of the next token's arrival.
    t += 250;
    while (send().status === 201);
    let probes = 0;
    while (rateOf(region.interval()!).ratePmPerS > 0.5 && probes < 40) {
      const a = region.nextArrival()!;
      expect(Number.isFinite(a.toMs)).toBe(true);
      t = Math.max(t, (a.fromMs + a.toMs) / 2 - 1);
      send();
      probes++;
    }
    const r = rateOf(region.interval()!);
    expect(Math.abs(r.ratePerS - 10), `${r.ratePerS} ± ${r.ratePmPerS}`).toBeLessThanOrEqual(r.ratePmPerS);
    expect(probes, `${r.ratePerS} ± ${r.ratePmPerS}`).toBeLessThanOrEqual(10);
  });

  it('is empty for a fixed window (its whole quota back at once after a pause)', () => {
    const used = new Map<number, number>();
    const decide = (sentMs: number): Observation => {
      const w = Math.floor((sentMs + 1) / 2000);
      const n = used.get(w) ?? 0;
      if (n < 20) used.set(w, n + 1);
      return { sentMs, recvMs: sentMs + 2, status: n < 20 ? 201 : 429 };
    };
    expect(regionOf(roundsTraffic(decide)).interval()).toBeNull();
  });
});
