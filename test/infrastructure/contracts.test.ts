import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContracts } from '../../contracts/pact/index.ts';
import { interactions } from '../../contracts/pact/interactions.ts';
import { simulatorStates } from '../../contracts/pact/states.ts';
import { TARGET_DOWN_RULE } from '../../core/evidence.ts';
import type { PillarResult } from '../../core/results.ts';
import { createRunContext, type RunContext } from '../../core/run-context.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { createdUser, editUser, type IncomingRequest, type Interceptor, type Rewriter, startMutatingProxy } from '../support/mutating-proxy.ts';

/**
 * The contracts pillar behind proxies that change the simulator's real answers the way
 * infrastructure does: a transient 429 or 503, gzip and chunked bodies, a process that
 * exits, a provider that only takes the Bearer form of the token. None of those is drift;
 * each must end as the docs and the README say, with one finding per root cause.
 */
const TOKEN = 'contracts-infra-token';
let sim: RunningSimulator;
const dir = mkdtempSync(join(tmpdir(), 'dg-infra-contracts-'));
beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const through = async (
  rewrite: Rewriter,
  auth?: 'sdk' | 'bearer',
  intercept?: Interceptor,
): Promise<{ p: PillarResult; ctx: RunContext; received: number }> => {
  const proxy = await startMutatingProxy(sim.url, rewrite, intercept);
  try {
    const ctx = createRunContext({ target: { url: proxy.url, kind: 'loopback' }, token: TOKEN, outDir: dir, quiet: true });
    const p = await runContracts(ctx, { pactDir: join(dir, 'pacts'), states: simulatorStates(sim.url), ...(auth ? { auth } : {}) });
    return { p, ctx, received: proxy.received };
  } finally {
    await proxy.close();
  }
};

const failing = (p: PillarResult) => p.checks.filter((c) => c.outcome === 'fail');
const inconclusive = (p: PillarResult) => p.checks.filter((c) => c.outcome === 'inconclusive');
const created = (ctx: RunContext) => ctx.ledger.all().filter((e) => e.event === 'created');
const isCreate = (x: { path: string }) => /users\.create$/.test(x.path);
/** A create under the run's own token (the states' throttled and read-only users have their own). */
const isTokenCreate = (r: IncomingRequest) => isCreate(r) && r.requestHeaders.authorization === TOKEN;
/** The minimal creates, known by the run-unique value their state put in the body. */
const isMinimalCreate = (r: IncomingRequest) => isTokenCreate(r) && r.requestBody.toString('utf8').includes('201-minimal-request');

describe('contracts against infrastructure that is not drift', () => {
  it('waits out one transient 429 (Retry-After) like the other pillars: every interaction verifies', async () => {
    let sent429 = false;
    const { p } = await through(
      () => undefined,
      undefined,
      (r) => {
        if (sent429 || !isTokenCreate(r)) return undefined;
        sent429 = true;
        return { status: 429, headers: { 'retry-after': '1' }, body: { type: 'too_many_requests', message: 'slow down', retry_after: 1 } };
      },
    );
    expect(sent429).toBe(true);
    expect(failing(p)).toEqual([]);
    expect(inconclusive(p)).toEqual([]);
  });

  it('calls an interaction still throttled after the bounded retries inconclusive, never drift', async () => {
    const { p } = await through(
      () => undefined,
      undefined,
      (r) => (isMinimalCreate(r) ? { status: 429, headers: { 'retry-after': '0' }, body: { type: 'too_many_requests', message: 'slow down', retry_after: 0 } } : undefined),
    );
    expect(failing(p)).toEqual([]);
    const throttled = inconclusive(p);
    expect(throttled.map((c) => c.name).sort()).toEqual(['dev-users.create 201 minimal request', 'rev-users.create 201 minimal request']);
    for (const c of throttled) expect(c.reason).toMatch(/throttled \(429\) after 3 attempt/);
  });

  it('retries a transient 503 like the other pillars', async () => {
    let sent503 = false;
    const { p } = await through(
      () => undefined,
      undefined,
      (r) => {
        if (sent503 || !isTokenCreate(r)) return undefined;
        sent503 = true;
        return { status: 503, body: { type: 'service_unavailable', message: 'try again' } };
      },
    );
    expect(sent503).toBe(true);
    expect(failing(p)).toEqual([]);
    expect(inconclusive(p)).toEqual([]);
  });

  for (const [what, rewrite] of [
    ['gzip', () => ({ encoding: 'gzip' as const })],
    ['chunked', () => ({ chunked: true })],
    ['gzip and chunked', () => ({ encoding: 'gzip' as const, chunked: true })],
  ] as const) {
    it(`reads the created users from ${what} answers, so the ledger holds every one for cleanup`, async () => {
      const ids: string[] = [];
      const { p, ctx } = await through((x) => {
        const user = createdUser(x);
        if (user) ids.push(String(user['id']));
        return rewrite();
      });
      expect(failing(p)).toEqual([]);
      // One user for each 201 interaction.
      expect(ids).toHaveLength(interactions().filter((i) => i.status === 201).length);
      expect(created(ctx).map((e) => e.id).sort()).toEqual(ids.sort());
    });
  }

  it('reports a provider that takes only `Bearer` as ONE finding naming the cause and the fix, not one per interaction', async () => {
    const { p } = await through((x) => {
      const auth = x.requestHeaders.authorization;
      if (auth !== undefined && !auth.startsWith('Bearer ')) return { status: 401, body: { type: 'unauthenticated', message: 'Bearer token required' } };
      return undefined;
    });
    const bad = failing(p);
    expect(bad.map((c) => c.id)).toEqual(['contracts.target']);
    const [f] = bad[0]!.findings;
    expect(f!.ruleId).toBe('contracts-auth-scheme');
    expect(f!.message).toMatch(/--auth-scheme bearer/);
    expect(f!.message).toMatch(/docs say `Authorization: Bearer <token>`, while its official SDK sends the bare token/);
    expect(f!.evidence?.status).toBe(401);
    // Every interaction that carried a token is left to the root cause; the two without one pass.
    expect(inconclusive(p)).toHaveLength(interactions().filter((i) => i.authenticated).length);
    expect(p.checks.filter((c) => c.outcome === 'pass').map((c) => c.name)).toContain('rev-users.create 401 without a token');
  });

  it('verifies every interaction against that provider with --auth-scheme bearer', async () => {
    const { p } = await through((x) => {
      const auth = x.requestHeaders.authorization;
      if (auth !== undefined && !auth.startsWith('Bearer ')) return { status: 401, body: { type: 'unauthenticated', message: 'Bearer token required' } };
      return undefined;
    }, 'bearer');
    expect(failing(p)).toEqual([]);
    expect(inconclusive(p)).toEqual([]);
  });

  it('stops at a target that exits mid-run: one finding with the input sent just before, no traffic after', async () => {
    let creates = 0;
    const { p, received } = await through((x) => (isCreate(x) && ++creates === 6 ? { die: true } : undefined));
    const bad = failing(p);
    expect(bad.map((c) => c.id)).toEqual(['contracts.target']);
    const f = bad[0]!.findings[0]!;
    expect(f.ruleId).toBe(TARGET_DOWN_RULE);
    expect(f.reproduction).toMatch(/^curl .*users\.create/);
    expect(f.reproduction).not.toContain(TOKEN);
    // The request that met the dead process, then one harmless probe that was refused.
    expect(received).toBe(6);
    // The five interactions answered before it are judged; every later one is inconclusive.
    expect(inconclusive(p).length).toBe(interactions().length - 5);
  });

  it('names the wrong status, not the fields a body judged under another status lacks', async () => {
    const { p } = await through((x) => (x.status === 400 && x.path === '/rev-users.create' ? { status: 201, body: { rev_user: { id: 'x' } } } : undefined));
    const phone = p.checks.find((c) => c.name === 'rev-users.create 400 for a phone number that is not E.164')!;
    expect(phone.outcome).toBe('fail');
    expect(phone.findings.map((f) => [f.ruleId, f.status, f.actual])).toEqual([['pact-status', 201, 201]]);
  });

  it('keeps the answer it judged with each finding: status, headers and the redacted body', async () => {
    const { p } = await through((x) =>
      editUser(x, (u) => {
        delete u['id'];
      }),
    );
    const f = failing(p).flatMap((c) => c.findings).find((x) => x.pointer === '/rev_user/id')!;
    expect(f.evidence).toMatchObject({ status: 201, truncated: false });
    expect(f.evidence!.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(f.evidence!.body)).toHaveProperty('rev_user');
    expect(JSON.stringify(p)).not.toContain(TOKEN);
  });
});
