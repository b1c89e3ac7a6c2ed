import { afterAll, describe, expect, it } from 'vitest';
import { ZOO, verdictOf } from '../support/limiters/catalogue.ts';
import { capacityViaCli } from '../support/limiters/cli.ts';
import { type RunningZoo, startZoo } from '../support/limiters/zoo.ts';

// `devrev-gate load capacity` as a user runs it (child process, preflight included), against
// limiters written in the tests, not the simulator's. Two unrelated requests of the same
// user go out just before each run: quota spent by others never decides the algorithm.
// Every limiter must get a verdict of right or, where the issue allows it, an honest
// unknown; a limiter named wrongly fails.

const zoos: RunningZoo[] = [];
afterAll(async () => {
  for (const z of zoos) await z.close();
});

describe('the capacity estimate against the zoo of limiters, through the CLI', () => {
  for (const animal of ZOO) {
    it(`${animal.name}: ${animal.expect === 'right' ? 'right' : 'right or unknown, never wrong'}`, async () => {
      const zoo = await startZoo(animal.zoo);
      zoos.push(zoo);
      const r = await capacityViaCli(zoo.url, { durationS: animal.durationS, othersFirst: 2 });
      expect(r.capacity, r.stderr).not.toBeNull();
      const v = verdictOf(r.capacity!, animal.truth);
      const why = `${animal.name}: ${JSON.stringify({ ...r.capacity, scores: undefined })}`;
      if (animal.expect === 'right') expect(v, why).toBe('right');
      else expect(v, why).not.toBe('wrong');
      // The fit of every candidate model is saved (shaping throttles nothing: no recovery to judge).
      if (r.capacity!.algorithm !== 'shaping') expect(r.capacity!.fit?.length ?? 0, why).toBeGreaterThan(0);
    }, 60_000);
  }

  it('probes with a request that creates nothing when the limiter counts it', async () => {
    const zoo = await startZoo(ZOO[0]!.zoo);
    zoos.push(zoo);
    const r = await capacityViaCli(zoo.url, { durationS: 8 });
    expect(r.capacity?.probe_request).toBe('dev-users.create without its required fields');
    expect(r.stderr).toContain('probing with it, nothing is created');
    expect(r.stderr).not.toContain('cleanup: removing');
  }, 60_000);
});
