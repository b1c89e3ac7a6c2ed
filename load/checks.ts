import { judgeRateLimitAnswer, type LimiterModel, RATE_LIMIT_RULES, type RateLimitRuleId, wholeField } from '../api-model/rate-limit/index.ts';
import { LOAD_RULES, type LoadRuleId } from '../api-model/rulebook/load.ts';
import type { EndpointModel } from '../api-model/endpoints/index.ts';
import { ErrorTooManyRequests } from '../api-model/shapes/endpoints.ts';
import { validate } from '../api-model/shapes/validate.ts';
import { evidenceOf as evidenceFrom } from '../core/evidence.ts';
import type { Redactor } from '../core/redact.ts';
import type { Evidence, Finding } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { loadEndpoint, successSchema } from './endpoint.ts';
import type { Observation } from './observe.ts';

/**
 * The promises a throttled target makes, checked over everything a load phase observed.
 * The per-answer rate-limit rules are the model's (api-model/rate-limit, the same drift
 * applies); this module runs them over thousands of answers and groups the offences: one
 * finding per rule and pointer (the first offence, with how many answers broke it).
 */
export type Algorithm = LimiterModel | null;

export interface CheckEnv {
  checkId: string;
  /** On remote targets the server's Date header is "now". */
  remote: boolean;
  reproduction: string | null;
  /** Redacts the evidence kept with each finding (the answer it judged first). */
  redactor?: Pick<Redactor, 'text' | 'headers'>;
  /** The endpoint the judged requests went to; default the load endpoint (the first the model lists). */
  endpoint?: string;
}

export type LoadRule = RateLimitRuleId | LoadRuleId;

const infoOf = (rule: LoadRule) => (rule in RATE_LIMIT_RULES ? RATE_LIMIT_RULES[rule as RateLimitRuleId] : LOAD_RULES[rule as LoadRuleId]);

type Offence = Omit<Finding, 'checkId' | 'pillar' | 'endpoint' | 'ruleId' | 'severity' | 'basis' | 'reproduction'>;

/**
 * Collects offences per rule and pointer; `findings()` turns each group into one finding
 * that says how many answers broke it. An answer counts once per group however many
 * offences it holds (a body with two schema errors at one pointer is one answer).
 */
export class FindingSink {
  private readonly groups = new Map<string, { rule: LoadRule; first: Offence; firstAnswer?: object; answers: Set<object>; count: number }>();

  constructor(private readonly env: CheckEnv) {}

  add(rule: LoadRule, o: Offence & { pointer: string; message: string }, answer?: object): void {
    const key = `${rule}\u0000${o.pointer}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { rule, first: o, answers: new Set(), count: 0, ...(answer ? { firstAnswer: answer } : {}) };
      this.groups.set(key, g);
    }
    if (answer) g.answers.add(answer);
    else g.count++;
  }

  findings(): Finding[] {
    return [...this.groups.values()].map(({ rule, first, firstAnswer, answers, count }) => {
      const info = infoOf(rule);
      const n = answers.size + count;
      const evidence = this.evidenceOf(firstAnswer);
      return {
        checkId: this.env.checkId,
        pillar: 'load' as const,
        endpoint: this.env.endpoint ?? loadEndpoint().spec.name,
        status: first.status,
        ruleId: rule,
        // The gate caps an assumed finding on a real target.
        severity: info.severity,
        basis: info.basis,
        pointer: first.pointer,
        expected: first.expected,
        actual: first.actual,
        message: n > 1 ? `${first.message} (${n} answers)` : first.message,
        reproduction: this.env.reproduction,
        ...(evidence ? { evidence } : {}),
      };
    });
  }

  /** The first answer that broke the rule, as every pillar keeps it (load keeps only the rate-limit headers). */
  private evidenceOf(answer: object | undefined): Evidence | undefined {
    if (!answer || !this.env.redactor || !('status' in answer)) return undefined;
    const ob = answer as Observation;
    const text = ob.body === undefined ? '' : JSON.stringify(ob.body);
    return evidenceFrom({ status: ob.status, headers: ob.headers ?? {}, text }, this.env.redactor);
  }
}

/** A sink for one check of a run: target kind decides the cap and whose clock is "now". */
export const sinkFor = (ctx: Pick<RunContext, 'target' | 'redactor'>, checkId: string, reproduction: string | null, endpoint?: string): FindingSink =>
  new FindingSink({ checkId, remote: ctx.target.kind === 'remote', reproduction, redactor: ctx.redactor, ...(endpoint ? { endpoint } : {}) });

const intHeader = (o: Observation, name: string): number | null => wholeField(o.headers?.[name]);

/**
 * When the server decided, in epoch seconds, as an interval: on remote targets its Date
 * header (whole seconds, so [Date, Date + 1]); on loopback between our send and receive
 * (under overload the receive can lag far behind the decision).
 */
export const serverNowS = (o: Observation, remote: boolean): { lo: number; hi: number } => {
  const date = o.headers?.['date'];
  if (remote && date) {
    const ms = Date.parse(date);
    if (Number.isFinite(ms)) return { lo: ms / 1000, hi: ms / 1000 + 1 };
  }
  return { lo: o.sentMs / 1000, hi: o.recvMs / 1000 };
};

/** Where each per-answer rule is reported in the probe: its 429 body, its Retry-After, or its other headers. */
export type AnswerSinks = { body429: FindingSink; retryAfter: FindingSink; headers: FindingSink };

const RETRY_AFTER_RULES: ReadonlySet<RateLimitRuleId> = new Set([
  'rate-limit-retry-after-missing',
  'rate-limit-retry-after-not-seconds',
  'rate-limit-retry-after-mismatch',
]);

/**
 * The model's per-answer rules over every answer, plus the 429 body's documented shape.
 * `fixedWindow`: the estimator (or --algorithm) found a fixed window, so Reset must equal
 * now + Retry-After.
 */
export const checkAnswers = (obs: readonly Observation[], o: { fixedWindow: boolean; remote: boolean }, sinks: AnswerSinks): void => {
  for (const ob of obs) {
    if (ob.status === null) continue;
    if (ob.status === 429) {
      const v = validate(ErrorTooManyRequests, ob.body, 'documented');
      for (const e of v.errors) {
        sinks.body429.add('rate-limit-429-body-invalid', { status: 429, pointer: e.pointer, expected: 'error-too-many-requests', actual: ob.body, message: `429 body: ${e.message}` }, ob);
      }
      const body = ob.body as { retry_after?: unknown } | undefined;
      if (v.valid && (typeof body !== 'object' || body === null || body.retry_after === undefined)) {
        sinks.body429.add('rate-limit-429-retry-after-body-missing', { status: 429, pointer: '/retry_after', expected: 'an integer number of seconds', actual: undefined, message: '429 body has no retry_after' }, ob);
      }
    }
    const offences = judgeRateLimitAnswer({ status: ob.status, headers: ob.headers ?? {}, body: ob.body }, { now: serverNowS(ob, o.remote), fixedWindow: o.fixedWindow });
    for (const x of offences) {
      const sink = RETRY_AFTER_RULES.has(x.rule) ? sinks.retryAfter : sinks.headers;
      sink.add(x.rule, { status: ob.status, pointer: x.pointer, expected: x.expected, actual: x.actual, message: x.message }, ob);
    }
  }
};

/**
 * Fixed window only: within one window, Remaining never rises. Only pairs whose order is
 * certain count: an answer received before another request was sent was decided first.
 * Windows are anchored at the starts the answers show (a success after a 429: the quota
 * came back) and last the estimated length, less a tenth for its error; a lying Reset
 * cannot hide a rise. A fitted offset was not enough: the successes of a window cluster at
 * its start, so a few milliseconds of error put them on both sides of a fitted boundary.
 */
export const checkRemainingMonotonic = (obs: readonly Observation[], window: { windowMs: number }, sink: FindingSink): void => {
  const answered = obs.filter((o) => o.status !== null).sort((a, b) => a.sentMs - b.sentMs);
  const starts: number[] = [];
  for (let i = 1; i < answered.length; i++) {
    if (answered[i]!.status !== 429 && answered[i - 1]!.status === 429) starts.push(answered[i]!.sentMs);
  }
  const span = window.windowMs * 0.9;
  /** The index of the window `t` lies in, or null between windows (or before the first start). */
  const win = (t: number): number | null => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (starts[m]! <= t) lo = m + 1;
      else hi = m;
    }
    const k = lo - 1;
    return k >= 0 && t < starts[k]! + span ? k : null;
  };
  const withRemaining = answered.filter((o) => intHeader(o, 'x-ratelimit-remaining') !== null);
  const byRecv = [...withRemaining].sort((a, b) => a.recvMs - b.recvMs);
  // Lowest Remaining seen so far per window, over answers received before each send.
  const lowest = new Map<number, { value: number; at: Observation }>();
  let j = 0;
  for (const o of withRemaining) {
    while (j < byRecv.length && byRecv[j]!.recvMs < o.sentMs) {
      const p = byRecv[j++]!;
      const w = win(p.sentMs);
      // An answer that may belong to either window stays out.
      if (w === null || w !== win(p.recvMs)) continue;
      const v = intHeader(p, 'x-ratelimit-remaining')!;
      const cur = lowest.get(w);
      if (!cur || v < cur.value) lowest.set(w, { value: v, at: p });
    }
    const w = win(o.sentMs);
    if (w === null || w !== win(o.recvMs)) continue;
    const prev = lowest.get(w);
    const v = intHeader(o, 'x-ratelimit-remaining')!;
    if (prev && v > prev.value) {
      sink.add('rate-limit-remaining-rose', { status: o.status, pointer: '/headers/x-ratelimit-remaining', expected: `at most ${prev.value}`, actual: v, message: `X-Ratelimit-Remaining rose from ${prev.value} to ${v} within one window` }, o);
    }
  }
};

/** Under overload: no 5xx, no timeouts or connection errors. */
export const checkOverload = (obs: readonly Observation[], sink: FindingSink): void => {
  for (const o of obs) {
    if (o.status !== null && o.status >= 500) {
      sink.add('overload-5xx', { status: o.status, pointer: '', expected: '429 when over the limit', actual: o.status, message: `${o.status} under overload` }, o);
    } else if (o.status === null) {
      sink.add('overload-connection-error', { status: null, pointer: '', expected: 'an answer', actual: o.error ?? 'connection', message: `no answer under overload (${o.error ?? 'connection error'})` }, o);
    }
  }
};

/**
 * Successes sampled under load are still the documented success body of the endpoint the
 * requests went to (its status, its schema: the record in its envelope).
 */
export const checkSampled2xx = (obs: readonly Observation[], sink: FindingSink, endpoint: EndpointModel = loadEndpoint()): number => {
  const { successStatus } = endpoint.spec;
  const schema = successSchema(endpoint);
  let n = 0;
  for (const o of obs) {
    if (o.status === null || o.status < 200 || o.status >= 300 || o.body === undefined) continue;
    n++;
    if (o.status !== successStatus) {
      sink.add('overload-2xx-body-invalid', { status: o.status, pointer: '', expected: successStatus, actual: o.status, message: `success answered ${o.status}, not the documented ${successStatus}` }, o);
      continue;
    }
    for (const e of validate(schema, o.body, 'documented').errors) {
      sink.add('overload-2xx-body-invalid', { status: successStatus, pointer: e.pointer, expected: String(schema.title ?? `${endpoint.spec.name} ${successStatus}`), actual: e.message, message: `${successStatus} body under load: ${e.message}` }, o);
    }
  }
  return n;
};

/** The most frequent X-Ratelimit-Limit advertised, or null when none was. */
export const advertisedLimit = (obs: readonly Observation[]): number | null => {
  const counts = new Map<number, number>();
  for (const o of obs) {
    const v = intHeader(o, 'x-ratelimit-limit');
    if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let best: number | null = null;
  let most = 0;
  for (const [v, c] of counts) if (c > most) [best, most] = [v, c];
  return best;
};
