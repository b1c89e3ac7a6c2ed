import { wholeField } from '../api-model/rate-limit/fields.ts';
import { DEV_USERS_CREATE, REV_USERS_CREATE } from '../api-model/shapes/endpoints.ts';
import { toCurl } from '../core/http.ts';
import type { RunContext } from '../core/run-context.ts';
import type { Observation } from './observe.ts';
import type { PacedRequest } from './pacer.ts';

/**
 * The request every load engine repeats: a valid rev-users.create (every field is
 * optional; a display name tagged with the run id, no external_ref so repeats never
 * conflict). The limiter counts every request of a user, so what matters is who sends it.
 */
export const LOAD_ENDPOINT = REV_USERS_CREATE;

export const loadBody = (ctx: Pick<RunContext, 'runId'>): string =>
  JSON.stringify({ display_name: `devrev-gate load ${ctx.runId}` });

export const loadRequest = (ctx: Pick<RunContext, 'runId'>, token: string, who?: string): PacedRequest => ({
  path: LOAD_ENDPOINT.path,
  body: loadBody(ctx),
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
  who,
});

/** A redacted curl line that repeats the load request. */
export const loadCurl = (ctx: Pick<RunContext, 'runId' | 'target' | 'redactor'>, token: string): string => {
  const r = loadRequest(ctx, token);
  return toCurl(ctx.target.url + r.path, ctx.redactor.headers(r.headers), r.body, (s) => ctx.redactor.text(s));
};

/** The second user of the fairness check: on the simulator any other token is another user. */
export const secondTokenFor = (ctx: Pick<RunContext, 'target' | 'token'>, given: string | null): string | null =>
  given ?? (ctx.target.kind === 'simulator' ? `${ctx.token ?? 'devrev-gate'}-fairness-b` : null);

/** Records every user a load run created on a real target, so the session's cleanup removes it. */
export const ledgerRecorder = (ctx: Pick<RunContext, 'target' | 'ledger'>) => (o: Observation) => {
  if (ctx.target.kind === 'simulator' || o.status !== 201) return;
  const user = (o.body as { rev_user?: { id?: unknown; display_id?: unknown } } | undefined)?.rev_user;
  if (typeof user?.id === 'string') {
    ctx.ledger.record({
      event: 'created',
      endpoint: LOAD_ENDPOINT.name,
      id: user.id,
      displayId: typeof user.display_id === 'string' ? user.display_id : undefined,
    });
  }
};

/**
 * A request that creates nothing: a dev-users.create without its required fields, which
 * the docs answer with 400. If the limiter counts it, probing with it spends the quota
 * without leaving users behind.
 */
export const nonCreatingRequest = (token: string): PacedRequest => ({
  path: DEV_USERS_CREATE.path,
  body: '{}',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
});

export interface ProbeRequestChoice {
  request: (ctx: RunContext, token: string) => PacedRequest;
  creates: boolean;
  why: string;
  sent: number;
}

/**
 * On any target but the embedded simulator: does the limiter count a request that creates
 * nothing? Two of them, one after the other: if X-Ratelimit-Remaining drops (or the second
 * is throttled), it does, and probing uses it. Otherwise probing falls back to creates,
 * each recorded in the ledger and removed afterwards, and says why.
 */
export const chooseProbeRequest = async (ctx: Pick<RunContext, 'target' | 'signal'>, token: string, timeoutMs: number): Promise<ProbeRequestChoice> => {
  const creates = (why: string, sent: number): ProbeRequestChoice => ({ request: loadRequest, creates: true, why, sent });
  if (ctx.target.kind === 'simulator') return creates('the embedded simulator keeps nothing', 0);
  const r = nonCreatingRequest(token);
  const answers: Array<{ status: number; remaining: number | null }> = [];
  for (let i = 0; i < 2; i++) {
    try {
      const res = await fetch(ctx.target.url + r.path, { method: 'POST', headers: r.headers, body: r.body, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]) });
      await res.arrayBuffer();
      answers.push({ status: res.status, remaining: wholeField(res.headers.get('x-ratelimit-remaining') ?? undefined) });
    } catch {
      return creates('the request that creates nothing got no answer', i + 1);
    }
  }
  const [a, b] = answers as [(typeof answers)[0], (typeof answers)[0]];
  const counted = b.status === 429 || (a.remaining !== null && b.remaining !== null && b.remaining < a.remaining);
  if (a.status !== 400 && a.status !== 429) return creates(`a create without its required fields answered ${a.status}, not the documented 400`, 2);
  if (counted) return { request: (_ctx, t) => nonCreatingRequest(t), creates: false, why: 'the limiter counts a dev-users.create without its required fields (400): probing with it, no user is created', sent: 2 };
  return creates(
    a.remaining === null ? 'no X-Ratelimit-Remaining to tell whether a request that creates nothing is counted: probing with creates, recorded in the ledger' : 'X-Ratelimit-Remaining did not drop for a request that creates nothing: probing with creates, recorded in the ledger',
    2,
  );
};
