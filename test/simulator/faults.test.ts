import { describe, expect, it } from 'vitest';
import {
  ErrorInternalServerError,
  ErrorServiceUnavailable,
  RateLimitHeaders,
  REV_USERS_CREATE,
  RevUsersCreateResponse,
  validate,
} from '../../api-model/shapes/index.ts';
import { startSimulator } from '../../simulator/index.ts';
import { control, send } from './http.ts';

// Faults on demand: a rate of 500/503 answers, or the next N requests forced through the
// reserved route. Both statuses are documented for both create endpoints.

/** A small seeded generator (mulberry32), so the mix of faults is the same on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe('faults', () => {
  it('answers every request with a documented 500 (with reference_id) or 503 at fault rate 1', async () => {
    const sim = await startSimulator({ faultRate: 1, random: seeded(7) });
    try {
      const statuses = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const r = await send(sim.url, REV_USERS_CREATE.path, { body: {} });
        statuses.add(r.status);
        expect([500, 503]).toContain(r.status);
        expect(validate(REV_USERS_CREATE.responses[r.status as 500 | 503], r.json).errors).toEqual([]);
        expect(validate(RateLimitHeaders, r.headers).errors).toEqual([]);
        if (r.status === 500) expect(typeof (r.json as { reference_id?: unknown }).reference_id).toBe('string');
      }
      expect(statuses).toEqual(new Set([500, 503]));
    } finally {
      await sim.close();
    }
  });

  it('faults about the asked fraction of requests', async () => {
    const sim = await startSimulator({ faultRate: 0.25, random: seeded(11) });
    try {
      let faults = 0;
      const n = 200;
      for (let i = 0; i < n; i++) if ((await send(sim.url, REV_USERS_CREATE.path, { body: {} })).status >= 500) faults++;
      // 200 draws at p = 0.25: mean 50, sd about 6.
      expect(faults).toBeGreaterThan(25);
      expect(faults).toBeLessThan(75);
    } finally {
      await sim.close();
    }
  });

  it('forces the next N requests to the asked fault through the reserved route, then serves normally', async () => {
    const sim = await startSimulator();
    try {
      expect((await control(sim.url, 'faults', { status: 503, count: 2 })).status).toBe(200);
      const a = await send(sim.url, REV_USERS_CREATE.path, { body: {} });
      const b = await send(sim.url, '/dev-users.create', { body: { email: 'f@example.com', state: 'shadow' } });
      expect([a.status, b.status]).toEqual([503, 503]);
      expect(validate(ErrorServiceUnavailable, a.json).errors).toEqual([]);
      expect((await control(sim.url, 'faults', { status: 500 })).status).toBe(200);
      const c = await send(sim.url, REV_USERS_CREATE.path, { body: {} });
      expect(c.status).toBe(500);
      expect(validate(ErrorInternalServerError, c.json).errors).toEqual([]);
      const d = await send(sim.url, REV_USERS_CREATE.path, { body: {} });
      expect(d.status).toBe(201);
      expect(validate(RevUsersCreateResponse, d.json, 'strict').errors).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
