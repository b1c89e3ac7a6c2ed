import { type EndpointModel, endpointModels } from '../api-model/endpoints/index.ts';
import { toCurl } from '../core/http.ts';
import type { RunContext } from '../core/run-context.ts';
import { createdRecordOf, loadBodyFor, loadEndpoint } from './endpoint.ts';
import type { Observation } from './observe.ts';
import type { PacedRequest } from './pacer.ts';

/**
 * The request every load engine repeats: the load endpoint's own valid create from the
 * model (load/endpoint.ts), a fresh body each time whose unique values carry the run id and
 * a count, so repeats never conflict. The limiter counts every request of a user, so what
 * matters is who sends it.
 */
export type LoadRequest = (ctx: Pick<RunContext, 'runId'>, token: string, who?: string) => PacedRequest;

const HEADERS = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' });

const built = new WeakMap<EndpointModel, LoadRequest>();

/** The load request of one endpoint: each call a new body. */
export const loadRequestFor = (m: EndpointModel): LoadRequest => {
  let r = built.get(m);
  if (!r) {
    const body = loadBodyFor(m);
    r = (ctx, token, who) => ({ path: m.spec.path, body: JSON.stringify(body(ctx.runId)), headers: HEADERS(token), who });
    built.set(m, r);
  }
  return r;
};

/** The load request of the default load endpoint (the first the model lists). */
export const loadRequest: LoadRequest = (ctx, token, who) => loadRequestFor(loadEndpoint())(ctx, token, who);

/** A request to `m` with the body `{}` (no field at all). */
export const emptyRequest = (m: EndpointModel, token: string, who?: string): PacedRequest => ({ path: m.spec.path, body: '{}', headers: HEADERS(token), who });

/** A redacted curl line that repeats a request of a load phase. */
export const requestCurl = (ctx: Pick<RunContext, 'target' | 'redactor'>, r: PacedRequest): string =>
  toCurl(ctx.target.url + r.path, ctx.redactor.headers(r.headers), r.body, (s) => ctx.redactor.text(s));

/** A redacted curl line that repeats the load request of the endpoint named (default: the first). */
export const loadCurl = (ctx: Pick<RunContext, 'runId' | 'target' | 'redactor'>, token: string, endpoint: string | null = null): string =>
  requestCurl(ctx, loadRequestFor(loadEndpoint(endpoint))(ctx, token));

/** The second user of the fairness check: on the simulator any other token is another user. */
export const secondTokenFor = (ctx: Pick<RunContext, 'target' | 'token'>, given: string | null): string | null =>
  given ?? (ctx.target.kind === 'simulator' ? `${ctx.token ?? 'devrev-gate'}-fairness-b` : null);

/**
 * The bodies `ledgerRecorder` needs: a success of one of `endpoints` (the endpoints the
 * phase's requests go to; default every modelled one), on a real target.
 */
export const keepCreatedBody =
  (ctx: Pick<RunContext, 'target'>, endpoints: readonly EndpointModel[] = endpointModels()) =>
  (status: number): boolean =>
    ctx.target.kind !== 'simulator' && endpoints.some((m) => m.spec.successStatus === status);

/**
 * Records every record a load run created on a real target, so the session's cleanup
 * removes it: a success answer of one of `endpoints` (the endpoints the phase's requests go
 * to; default every modelled one) carrying a record in that endpoint's envelope.
 */
export const ledgerRecorder =
  (ctx: Pick<RunContext, 'target' | 'ledger'>, endpoints: readonly EndpointModel[] = endpointModels()) =>
  (o: Observation) => {
    if (o.status === null || !keepCreatedBody(ctx, endpoints)(o.status)) return;
    for (const m of endpoints) {
      const created = createdRecordOf(m, o.status, o.body);
      if (created) {
        ctx.ledger.record({ event: 'created', endpoint: m.spec.name, id: created.id, ...(created.displayId ? { displayId: created.displayId } : {}) });
        return;
      }
    }
  };
