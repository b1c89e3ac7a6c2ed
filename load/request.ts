import { REV_USERS_CREATE } from '../api-model/shapes/endpoints.ts';
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

/** A redacted curl line that repeats a request of a load phase. */
export const requestCurl = (ctx: Pick<RunContext, 'target' | 'redactor'>, r: PacedRequest): string =>
  toCurl(ctx.target.url + r.path, ctx.redactor.headers(r.headers), r.body, (s) => ctx.redactor.text(s));

/** A redacted curl line that repeats the load request. */
export const loadCurl = (ctx: Pick<RunContext, 'runId' | 'target' | 'redactor'>, token: string): string => requestCurl(ctx, loadRequest(ctx, token));

/** The second user of the fairness check: on the simulator any other token is another user. */
export const secondTokenFor = (ctx: Pick<RunContext, 'target' | 'token'>, given: string | null): string | null =>
  given ?? (ctx.target.kind === 'simulator' ? `${ctx.token ?? 'devrev-gate'}-fairness-b` : null);

/** The bodies `ledgerRecorder` needs: a create's 201, on a real target. */
export const keepCreatedBody = (ctx: Pick<RunContext, 'target'>) => (status: number): boolean => ctx.target.kind !== 'simulator' && status === LOAD_ENDPOINT.successStatus;

/** Records every user a load run created on a real target, so the session's cleanup removes it. */
export const ledgerRecorder = (ctx: Pick<RunContext, 'target' | 'ledger'>) => (o: Observation) => {
  if (o.status === null || !keepCreatedBody(ctx)(o.status)) return;
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
