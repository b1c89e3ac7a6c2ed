import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointModels } from '../../api-model/endpoints/index.ts';
import { endpointOfClassName, profileOf } from '../../api-model/endpoints/profiles.ts';
import { gatePillar } from '../../api-model/gate.ts';
import { startSimulator } from '../../simulator/index.ts';
import { type Mutate, startDriftProxy } from '../support/drift-proxy.ts';
import { runProperties } from '../../properties/index.ts';
import type { PropertiesOptions } from '../../properties/options.ts';
import { bodyOf, checkOf, contextFor, counterexamplesOf } from './helpers.ts';

/**
 * The properties against drifted providers: a generic proxy forwards every request to the
 * real simulator and mutates its genuine answers. Each drift must make the property fail,
 * shrink to a minimal counterexample, and replay from the reported seed and path.
 */
let sim: { url: string; close(): Promise<void> };

beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(async () => {
  await sim.close();
});

const requestJson = (raw: Buffer): Record<string, unknown> | null => {
  try {
    const v = JSON.parse(raw.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
};

const fakeCreated = (path: string, req: Record<string, unknown>) => {
  const m = endpointModels().find((e) => e.spec.path === path)!;
  return { [m.spec.envelope]: { id: `don:identity:dvrv-us-1:devo/0:${m.classPrefix}/drift`, ...req } };
};

/** Runs the property through the proxy, then replays the reported counterexample. */
const failAndReplay = async (mutate: Mutate, options: Partial<PropertiesOptions>) => {
  const proxy = await startDriftProxy(sim.url, mutate);
  try {
    const seed = Date.now() | 0;
    console.log(`drift self-test seed ${seed}`);
    const first = await runProperties(contextFor(proxy.url, 'loopback'), { seed, ...options });
    const [x] = counterexamplesOf(first);
    if (!x) throw new Error(`no counterexample (seed ${seed}): ${JSON.stringify(first.checks)}`);
    const replayed = await runProperties(contextFor(proxy.url, 'loopback'), {
      properties: options.properties!,
      ...(options.classes ? { classes: options.classes } : {}),
      seed: x.seed,
      replayPath: x.path,
    });
    return { first, x, replayed, replayX: counterexamplesOf(replayed)[0] };
  } finally {
    await proxy.close();
  }
};

describe('the properties against drifted providers', () => {
  it('a provider that accepts 16-digit phone numbers fails phones-e164, which shrinks to the smallest 16-digit number and replays', async () => {
    const { first, x, replayed, replayX } = await failAndReplay(
      (ex) => {
        const req = requestJson(ex.requestBody);
        const phones = req?.['phone_numbers'];
        const lenient = Array.isArray(phones) && phones.every((p) => typeof p === 'string' && /^\+[1-9]\d{1,15}$/.test(p));
        return ex.status === 400 && ex.path === '/rev-users.create' && lenient
          ? { status: 201, body: fakeCreated(ex.path, req!) }
          : undefined;
      },
      { properties: ['phones-e164'], classes: ['rev.phone.too-long'], runsPerClass: 40 },
    );
    expect(checkOf(first, 'properties.phones-e164').outcome).toBe('fail');
    expect(x.cls).toBe('rev.phone.too-long');
    // Minimal: nothing but the one bad number, and that number the smallest with 16 digits.
    expect(bodyOf(x)).toEqual({ phone_numbers: [`+1${'0'.repeat(15)}`] });
    expect(x.curl).toContain('/rev-users.create');
    expect(x.curl).not.toContain('property-selftest-token');
    expect(x.replay).toContain(`--seed ${x.seed} --replay-path '${x.path}'`);
    expect(checkOf(replayed, 'properties.phones-e164').outcome).toBe('fail');
    expect(replayX?.case).toEqual(x.case);
  });

  it('a provider that accepts custom fields without their schema spec fails custom-fields-need-spec with a one-field counterexample', async () => {
    const { first, x, replayed, replayX } = await failAndReplay(
      (ex) => {
        const req = requestJson(ex.requestBody);
        const fields = req?.['custom_fields'];
        const noSpec = fields && typeof fields === 'object' && Object.keys(fields).length > 0 && !('custom_schema_spec' in req!);
        return ex.status === 400 && noSpec ? { status: 201, body: fakeCreated(ex.path, req!) } : undefined;
      },
      { properties: ['custom-fields-need-spec'], runsPerClass: 6 },
    );
    expect(checkOf(first, 'properties.custom-fields-need-spec').outcome).toBe('fail');
    const body = bodyOf(x);
    expect(body).not.toHaveProperty('custom_schema_spec');
    const keys = Object.keys(body['custom_fields'] as object);
    // Each kind of field shrinks to a one-letter name; only "both" classes keep one of each.
    expect(keys.length).toBe(x.cls.includes('both') ? 2 : 1);
    for (const k of keys) expect(k).toMatch(/^(tnt__|ctype__)[a-z_]$/);
    const others = Object.keys(body).filter((k) => k !== 'custom_fields').sort();
    const required = (profileOf(endpointOfClassName(x.cls)!).spec.request as { required?: string[] }).required ?? [];
    expect(others).toEqual([...required].sort());
    expect(replayX?.case).toEqual(x.case);
    expect(checkOf(replayed, 'properties.custom-fields-need-spec').outcome).toBe('fail');
  });

  it('a provider that accepts any dev-user state fails dev-state-shadow-only with a body of just email and state', async () => {
    const { first, x, replayX } = await failAndReplay(
      (ex) => {
        const req = requestJson(ex.requestBody);
        return ex.status === 400 && ex.path === '/dev-users.create' && typeof req?.['state'] === 'string' && typeof req['email'] === 'string'
          ? { status: 201, body: fakeCreated(ex.path, req) }
          : undefined;
      },
      { properties: ['dev-state-shadow-only'], runsPerClass: 3 },
    );
    expect(checkOf(first, 'properties.dev-state-shadow-only').outcome).toBe('fail');
    const body = bodyOf(x);
    expect(Object.keys(body).sort()).toEqual(['email', 'state']);
    expect(body['email']).toBe('a@example.com');
    expect(body['state']).not.toBe('shadow');
    expect(replayX?.case).toEqual(x.case);
  });

  it('a provider that crashes on country code 44 fails valid-accepted, which shrinks to the phone "+44" alone', async () => {
    const { first, x, replayX } = await failAndReplay(
      (ex) => {
        const req = requestJson(ex.requestBody);
        const phones = req?.['phone_numbers'];
        return Array.isArray(phones) && phones.some((p) => typeof p === 'string' && p.startsWith('+44'))
          ? { status: 500, body: { type: 'internal_error', message: 'boom' } }
          : undefined;
      },
      { properties: ['valid-accepted'], classes: ['rev.valid.phones'], runsPerClass: 500 },
    );
    expect(checkOf(first, 'properties.valid-accepted').outcome).toBe('fail');
    expect(bodyOf(x)).toEqual({ phone_numbers: ['+44'] });
    expect(checkOf(first, 'properties.valid-accepted').findings[0]).toMatchObject({ status: 500, expected: 201, actual: 500 });
    expect(x.replay).toContain('--classes rev.valid.phones');
    expect(replayX?.case).toEqual(x.case);
  });

  it('a provider that never answers 409 fails the stateful external-ref-unique run (at warning on a real target), which replays from its path', async () => {
    const { first, x, replayX } = await failAndReplay(
      (ex) => (ex.status === 409 ? { status: 201, body: fakeCreated(ex.path, requestJson(ex.requestBody) ?? {}) } : undefined),
      { properties: ['external-ref-unique'], statefulRuns: 20 },
    );
    // The 409 is `assumed` and the proxy is a real target (anything but the embedded
    // simulator), so the gate caps the finding at warning: --fail-on warning fails on it.
    const check = checkOf(first, 'properties.external-ref-unique');
    expect(check.findings[0]).toMatchObject({ ruleId: 'properties.external-ref-unique.status', basis: 'assumed', severity: 'warning' });
    expect(check.outcome).toBe('pass');
    const strict = gatePillar(first, { failOn: 'warning', ignore: null, realTarget: true, now: Date.now() });
    expect(checkOf(strict, 'properties.external-ref-unique').outcome).toBe('fail');
    // The shortest sequence that shows it: one create, then the same ref again.
    expect(String(x.case)).toMatch(/^CreateFresh\((true|false)\),CreateTaken\(\d\)/);
    expect(String(x.case).split('),').length).toBe(2);
    expect(x.path).toContain('~');
    expect(replayX?.case).toEqual(x.case);
  });
});

describe('the properties against the clean simulator', () => {
  it('every property passes and every generator class is hit', async () => {
    const r = await runProperties(contextFor(sim.url));
    console.log(`clean run seed ${(r.data as { seed: number }).seed}`);
    for (const c of r.checks) expect({ id: c.id, outcome: c.outcome, reason: c.reason }).toMatchObject({ outcome: 'pass' });
    const counts = (r.data as { classCounts: Record<string, number> }).classCounts;
    expect(Object.keys(counts).length).toBeGreaterThan(70);
    const never = Object.entries(counts).filter(([, n]) => n === 0);
    expect(never).toEqual([]);
  });
});
