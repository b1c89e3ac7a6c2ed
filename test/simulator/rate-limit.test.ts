import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTooManyRequests, RateLimitHeaders, RetryAfterHeaders, validate } from '../../api-model/shapes/index.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { control, type Raw, send, sleep } from './http.ts';

// The limiter over real HTTP, with short windows so the suite stays fast. Assertions
// follow DevRev's rate-limits page (and, for the token bucket it does not describe, the
// header reading of simulator/limiter.ts).

const valid = (schema: Parameters<typeof validate>[0], value: unknown) => expect(validate(schema, value).errors).toEqual([]);

const expectTooManyRequests = (r: Raw) => {
  expect(r.status).toBe(429);
  valid(ErrorTooManyRequests, r.json);
  valid(RetryAfterHeaders, r.headers);
  valid(RateLimitHeaders, r.headers);
  const retryAfter = Number(r.headers['retry-after']);
  expect((r.json as { retry_after?: number }).retry_after).toBe(retryAfter);
  expect(Number(r.headers['x-ratelimit-remaining'])).toBe(0);
  // Reset and Retry-After tell the same time, within a second of rounding (server Date).
  const serverNowS = Date.parse(r.headers['date']!) / 1000;
  expect(Math.abs(Number(r.headers['x-ratelimit-reset']) - (serverNowS + retryAfter))).toBeLessThanOrEqual(1.5);
  return retryAfter;
};

/** Waits until just after a window boundary, so a short window is not split by the test. */
const atWindowStart = async (windowS: number) => {
  const ms = windowS * 1000;
  await sleep(ms - (Date.now() % ms) + 20);
};

const create = (url: string, token: string) => send(url, '/rev-users.create', { body: {}, authorization: token });

describe('fixed window limiter', () => {
  const LIMIT = 4;
  const WINDOW_S = 2;
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: LIMIT, windowS: WINDOW_S } });
  });
  afterAll(() => sim.close());

  it('allows exactly the limit per window, counting every endpoint together, with headers on every answer', async () => {
    await atWindowStart(WINDOW_S);
    const token = 'exact-count';
    // Four different answers (201, 400, 404, 201) spend one quota.
    const answers = [
      await create(sim.url, token),
      await send(sim.url, '/dev-users.create', { body: { state: 'shadow' }, authorization: token }),
      await send(sim.url, '/no-such-route', { body: {}, authorization: token }),
      await create(sim.url, token),
    ];
    expect(answers.map((r) => r.status)).toEqual([201, 400, 404, 201]);
    for (const r of answers) valid(RateLimitHeaders, r.headers);
    expect(answers.map((r) => Number(r.headers['x-ratelimit-remaining']))).toEqual([3, 2, 1, 0]);
    expect(answers.every((r) => Number(r.headers['x-ratelimit-limit']) === LIMIT)).toBe(true);
    expect(new Set(answers.map((r) => r.headers['x-ratelimit-reset'])).size).toBe(1);
    const fifth = await create(sim.url, token);
    expectTooManyRequests(fifth);
    expect(fifth.headers['x-ratelimit-reset']).toBe(answers[0]!.headers['x-ratelimit-reset']);
  });

  it('recovers after waiting Retry-After', async () => {
    const token = 'recovery';
    let r = await create(sim.url, token);
    while (r.status === 201) r = await create(sim.url, token);
    const wait = expectTooManyRequests(r);
    expect(wait).toBeLessThanOrEqual(WINDOW_S);
    await sleep(wait * 1000);
    const after = await create(sim.url, token);
    expect(after.status).toBe(201);
  });

  it('never lets one user throttling affect another', async () => {
    await atWindowStart(WINDOW_S);
    let r = await create(sim.url, 'noisy');
    while (r.status === 201) r = await create(sim.url, 'noisy');
    expectTooManyRequests(r);
    const quiet = await create(sim.url, 'quiet');
    expect(quiet.status).toBe(201);
    expect(Number(quiet.headers['x-ratelimit-remaining'])).toBe(LIMIT - 1);
  });

  it('throttles a user through the reserved route, and reset gives the quota back', async () => {
    await control(sim.url, 'throttle', { token: 'spent' });
    expectTooManyRequests(await create(sim.url, 'spent'));
    await control(sim.url, 'reset');
    expect((await create(sim.url, 'spent')).status).toBe(201);
  });
});

describe('fixed window off the clock', () => {
  it('reports a Reset on the offset grid', async () => {
    const sim = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 10, windowS: 10 }, windowOffsetS: 3 });
    try {
      const r = await create(sim.url, 'offset');
      expect(Number(r.headers['x-ratelimit-reset']) % 10).toBe(3);
    } finally {
      await sim.close();
    }
  });
});

describe('token bucket limiter', () => {
  it('allows a burst, advertises burst as the limit, and refills one token at the rate', async () => {
    const sim = await startSimulator({ rateLimit: { algorithm: 'token_bucket', ratePerS: 2, burst: 3 } });
    try {
      const burst = [await create(sim.url, 'tb'), await create(sim.url, 'tb'), await create(sim.url, 'tb')];
      expect(burst.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(burst.map((r) => r.headers['x-ratelimit-limit'])).toEqual(['3', '3', '3']);
      // Refill during the three requests may give back a token, never more than burst.
      const remaining = burst.map((r) => Number(r.headers['x-ratelimit-remaining']));
      expect(remaining[0]).toBe(2);
      expect(remaining.every((n) => n >= 0 && n <= 2)).toBe(true);
      let r = await create(sim.url, 'tb');
      while (r.status === 201) r = await create(sim.url, 'tb');
      const wait = expectTooManyRequests(r);
      expect(wait).toBe(1); // one token at 2/s is under a second away
      await sleep(wait * 1000);
      expect((await create(sim.url, 'tb')).status).toBe(201);
    } finally {
      await sim.close();
    }
  });
});

describe('rate-limit header modes', () => {
  it('sends no rate-limit headers and no retry_after when told they are absent, and still throttles', async () => {
    const sim = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 1, windowS: 60 }, rateLimitHeaders: 'absent' });
    try {
      const ok = await create(sim.url, 'absent');
      expect(ok.status).toBe(201);
      const r = await create(sim.url, 'absent');
      expect(r.status).toBe(429);
      valid(ErrorTooManyRequests, r.json);
      for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after']) {
        expect(r.headers[h]).toBeUndefined();
        expect(ok.headers[h]).toBeUndefined();
      }
      expect(r.json).not.toHaveProperty('retry_after');
    } finally {
      await sim.close();
    }
  });

  it('sends headers that disagree with what is observed when told to lie', async () => {
    const sim = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 2, windowS: 60 }, rateLimitHeaders: 'wrong' });
    try {
      const answers = [await create(sim.url, 'liar'), await create(sim.url, 'liar'), await create(sim.url, 'liar')];
      expect(answers.map((r) => r.status)).toEqual([201, 201, 429]);
      valid(RateLimitHeaders, answers[2]!.headers);
      // Two successes were observed; the headers claim otherwise.
      expect(Number(answers[0]!.headers['x-ratelimit-limit'])).not.toBe(2);
      expect(Number(answers[2]!.headers['x-ratelimit-remaining'])).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });

  it('sends no rate-limit headers and never throttles with the limiter off', async () => {
    const sim = await startSimulator({ rateLimit: false });
    try {
      for (let i = 0; i < 30; i++) {
        const r = await create(sim.url, 'unlimited');
        expect(r.status).toBe(201);
        expect(r.headers['x-ratelimit-limit']).toBeUndefined();
      }
      expect((await control(sim.url, 'throttle', { token: 'unlimited' })).status).toBe(400);
    } finally {
      await sim.close();
    }
  });
});
