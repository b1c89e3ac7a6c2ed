import { parseLimitField, wholeField } from '../api-model/rate-limit/fields.ts';
import type { EndpointModel } from '../api-model/endpoints/index.ts';
import type { CheckResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { loadEndpoint, nonCreating as nonCreatingEndpoint } from './endpoint.ts';
import type { Observation } from './observe.ts';
import type { LoadOptions } from './options.ts';
import type { PacedRequest } from './pacer.ts';
import { emptyRequest, loadRequestFor } from './request.ts';

/**
 * Which request a load phase spends the quota with. Spend nothing that creates records
 * where the target allows it: a create without its required fields (harmlessRequestEndpoint
 * in the model) creates nothing, and if the limiter counts it, it is as good a probe as a
 * create. Otherwise the phase falls back to the load endpoint's creates, each recorded in
 * the ledger and removed afterwards.
 */

/** A request that creates nothing: a create without its required fields. */
export const nonCreatingRequest = (token: string, who?: string): PacedRequest => {
  const n = nonCreatingEndpoint();
  if (!n) throw new Error('no create endpoint documents a 400 for a body without its required fields: no request creates nothing');
  return emptyRequest(n.model, token, who);
};

export interface ProbeRequestChoice {
  request: (ctx: Pick<RunContext, 'runId'>, token: string, who?: string) => PacedRequest;
  creates: boolean;
  /** What the phase probes with, as its results name it. */
  label: string;
  /** The endpoint the request goes to. */
  endpoint: string;
  /** Its model: the success it answers, the envelope its records come in. */
  model: EndpointModel;
  /**
   * The limiter let the request through: the documented answer of the request in use
   * (201 for a create, 400 for the request that creates nothing), never merely "not 429".
   */
  admitted: (o: Pick<Observation, 'status'>) => boolean;
  why: string;
  sent: number;
}

/** Probing with creates of the load endpoint (`--endpoint`, else the first model endpoint). */
export const creatingChoice = (endpoint: string | null, why: string, sent: number): ProbeRequestChoice => {
  const model = loadEndpoint(endpoint);
  return {
    request: loadRequestFor(model),
    creates: true,
    label: model.spec.name,
    endpoint: model.spec.name,
    model,
    admitted: (o) => o.status === model.spec.successStatus,
    why,
    sent,
  };
};

const nonCreatingChoice = (n: NonNullable<ReturnType<typeof nonCreatingEndpoint>>, why: string, sent: number): ProbeRequestChoice => ({
  request: (_ctx, token, who) => emptyRequest(n.model, token, who),
  creates: false,
  label: n.label,
  endpoint: n.model.spec.name,
  model: n.model,
  admitted: (o) => o.status === n.status,
  why,
  sent,
});

/**
 * What an answer says is left of the quota: X-Ratelimit-Remaining (DevRev's), else the IETF
 * fields a limiter may send instead: `RateLimit: "p";r=N` (the least of its policies),
 * `RateLimit-Remaining: N` (its draft-6 form) or `RateLimit: ... remaining=N` (draft-7).
 */
export const remainingOf = (get: (name: string) => string | undefined): number | null => {
  const x = wholeField(get('x-ratelimit-remaining'));
  if (x !== null) return x;
  const ietf = get('ratelimit');
  if (ietf !== undefined) {
    const parsed = parseLimitField(ietf);
    if (parsed.ok) return Math.min(...parsed.items.map((i) => i.remaining));
    const draft7 = /(?:^|[,;\s])remaining=(\d+)/i.exec(ietf);
    if (draft7) return Number(draft7[1]);
  }
  return wholeField(get('ratelimit-remaining'));
};

/** When the quota is whole again, as the answer says (epoch s for X-Ratelimit-Reset, else seconds from now), or null. */
const resetOf = (get: (name: string) => string | undefined, nowS: number): number | null => {
  const x = wholeField(get('x-ratelimit-reset'));
  if (x !== null) return x;
  const ietf = get('ratelimit');
  const parsed = ietf === undefined ? null : parseLimitField(ietf);
  const t = parsed?.ok ? parsed.items.find((i) => i.resetS !== null)?.resetS : wholeField(get('ratelimit-reset'));
  return t === undefined || t === null ? null : Math.round(nowS + t);
};

/**
 * On any target but the embedded simulator: does the limiter count a request that creates
 * nothing? Two of them, one after the other: if what is left of the quota (X-Ratelimit-Remaining,
 * or an IETF RateLimit field) drops (or the second
 * is throttled), it does, and probing uses it. A window that began between the two (Reset
 * moved on) refills Remaining, so one more is sent and compared with the second. Otherwise
 * probing falls back to creates and says why.
 */
export const chooseProbeRequest = async (
  ctx: Pick<RunContext, 'target' | 'signal'>,
  token: string,
  timeoutMs: number,
  endpoint: string | null = null,
): Promise<ProbeRequestChoice> => {
  const creating = (why: string, sent: number) => creatingChoice(endpoint, why, sent);
  if (ctx.target.kind === 'simulator') return creating('the embedded simulator keeps nothing', 0);
  const n = nonCreatingEndpoint();
  if (!n) return creating('no create endpoint documents a 400 for a body without its required fields: probing with creates, recorded in the ledger', 0);
  const r = emptyRequest(n.model, token);
  const answers: Array<{ status: number; remaining: number | null; reset: number | null }> = [];
  const send = async (): Promise<boolean> => {
    try {
      const res = await fetch(ctx.target.url + r.path, { method: 'POST', headers: r.headers, body: r.body, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]) });
      await res.arrayBuffer();
      const get = (name: string) => res.headers.get(name) ?? undefined;
      answers.push({ status: res.status, remaining: remainingOf(get), reset: resetOf(get, Date.now() / 1000) });
      return true;
    } catch {
      return false;
    }
  };
  const noAnswer = () => creating('the request that creates nothing got no answer', answers.length + 1);
  if (!(await send()) || !(await send())) return noAnswer();
  const a = answers[0]!;
  if (a.status !== n.status && a.status !== 429) return creating(`a create without its required fields answered ${a.status}, not the documented ${n.status}`, 2);
  const countedBetween = (x: (typeof answers)[0], y: (typeof answers)[0]) => y.status === 429 || (x.remaining !== null && y.remaining !== null && y.remaining < x.remaining);
  let counted = countedBetween(a, answers[1]!);
  const rolledOver = (x: (typeof answers)[0], y: (typeof answers)[0]) => x.reset !== null && y.reset !== null && y.reset > x.reset;
  if (!counted && rolledOver(a, answers[1]!)) {
    if (!(await send())) return noAnswer();
    counted = countedBetween(answers[1]!, answers[2]!);
  }
  const sent = answers.length;
  if (counted) return nonCreatingChoice(n, `the limiter counts a ${n.label} (${n.status}): probing with it, nothing is created`, sent);
  return creating(
    a.remaining === null ? 'no X-Ratelimit-Remaining (nor IETF RateLimit) to tell whether a request that creates nothing is counted: probing with creates, recorded in the ledger' : 'X-Ratelimit-Remaining did not drop for a request that creates nothing: probing with creates, recorded in the ledger',
    sent,
  );
};

/** The choice for one phase: what deciding it sent comes off the budget, and the phase says why. */
export const probeRequestFor = async (ctx: RunContext, o: Pick<LoadOptions, 'timeoutMs' | 'say'> & Partial<Pick<LoadOptions, 'endpoint'>>, phase: string, token: string): Promise<ProbeRequestChoice> => {
  const choice = await chooseProbeRequest(ctx, token, o.timeoutMs, o.endpoint ?? null);
  ctx.budget.takeUpTo(choice.sent);
  if (ctx.target.kind !== 'simulator') o.say(`${phase}: ${choice.why}`);
  return choice;
};

/** A phase's checks are about the endpoint its requests went to. */
export const aboutEndpointOf =
  (choice: Pick<ProbeRequestChoice, 'endpoint'>) =>
  (c: CheckResult): CheckResult => ({ ...c, endpoint: choice.endpoint, findings: c.findings.map((f) => ({ ...f, endpoint: choice.endpoint })) });
