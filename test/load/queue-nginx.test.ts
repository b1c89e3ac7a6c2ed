import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../simulator/index.ts';
import { verdictOf } from '../support/limiters/catalogue.ts';
import { capacityViaCli } from '../support/limiters/cli.ts';
import { NGINX_MISSING, NGINX_BIN, startNginx } from '../support/limiters/nginx.ts';

// `devrev-gate load capacity` as a user runs it, against Debian's nginx `limit_req` (rate
// 10r/s, burst 5) in front of the simulator (issue 22, item 4): without `nodelay` it queues
// before it refuses and is named a queue with its rate and depth; with `delay=3` it is named
// so or unknown; with `nodelay` it answers at once and is a bucket, never a queue.

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

const against = async (o: { delay?: number; nodelay?: boolean }) => {
  if (!NGINX_BIN) throw new Error(NGINX_MISSING);
  const sim = await startSimulator({});
  closers.push(() => sim.close());
  const ng = await startNginx(sim.url, { ratePerS: 10, burst: 5, paths: ['/rev-users.create', '/dev-users.create'], ...o });
  closers.push(() => ng.close());
  const r = await capacityViaCli(ng.url, { durationS: 15 });
  expect(r.capacity, r.stderr).not.toBeNull();
  return { c: r.capacity!, why: JSON.stringify({ ...r.capacity, scores: undefined }) };
};

describe('nginx limit_req through the CLI', () => {
  it('without nodelay: a queue of 5 at 10/s', async () => {
    const { c, why } = await against({});
    // Depth within one: the estimate's own tolerance.
    expect(verdictOf(c, { model: 'queue', ratePerS: 10, limit: 5 }), why).toBe('right');
  }, 60_000);

  it('with delay=3: a queue of 2 at 10/s (3 at once), or unknown, never anything else', async () => {
    const { c, why } = await against({ delay: 3 });
    expect(verdictOf(c, { model: 'queue', ratePerS: 10, limit: 2 }), why).not.toBe('wrong');
  }, 60_000);

  it('with nodelay: answers at once, so a bucket (6 at once, 10/s), never a queue', async () => {
    const { c, why } = await against({ nodelay: true });
    expect(c.algorithm, why).not.toBe('queue');
    expect(verdictOf(c, { model: 'token_bucket', ratePerS: 10, burst: 6 }), why).not.toBe('wrong');
  }, 60_000);
});
