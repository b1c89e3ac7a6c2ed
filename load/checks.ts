import { validate } from '../api-model/shapes/validate.ts';
import { RATE_LIMIT_HEADERS } from '../api-model/shapes/headers.ts';
import { ErrorTooManyRequests, REV_USERS_CREATE } from '../api-model/shapes/endpoints.ts';
import type { BasisName, Finding, SeverityName } from '../core/results.ts';
import type { Observation } from './observe.ts';

/**
 * The promises a throttled target makes, checked over everything a load phase observed.
 * Pure functions of the observations, so each rule can be tested on hand-made answers as
 * well as against a provider that breaks it. One finding per rule (the first offence, with
 * how many answers broke it), so an overload of thousands of answers stays readable.
 */
export type Algorithm = 'fixed_window' | 'token_bucket' | null;

export interface CheckEnv {
  checkId: string;
  /** Target kind: on remote targets the server's Date header is "now", and assumed rules cap at warning. */
  remote: boolean;
  reproduction: string | null;
}

export interface Rule {
  id: string;
  basis: BasisName;
  severity: SeverityName;
}

export const RULES = {
  body429: { id: 'rate-limit-429-body-invalid', basis: 'spec', severity: 'error' },
  // The spec types retry_after as optional; the issue (and DevRev's own client) rely on it.
  retryAfterBodyMissing: { id: 'rate-limit-429-body-invalid', basis: 'assumed', severity: 'error' },
  retryAfterMissing: { id: 'rate-limit-header-missing', basis: 'spec', severity: 'error' },
  retryAfterInvalid: { id: 'rate-limit-retry-after-invalid', basis: 'prose', severity: 'error' },
  retryAfterMismatch: { id: 'rate-limit-retry-after-mismatch', basis: 'assumed', severity: 'error' },
  headerMissing: { id: 'rate-limit-header-missing', basis: 'prose', severity: 'error' },
  // Whether 4xx answers (429 included) carry X-Ratelimit-* the docs do not say.
  headerMissingOn429: { id: 'rate-limit-header-missing', basis: 'assumed', severity: 'warning' },
  headerInvalid: { id: 'rate-limit-header-invalid', basis: 'prose', severity: 'error' },
  remainingRose: { id: 'rate-limit-remaining-rose', basis: 'prose', severity: 'error' },
  remainingNotZero: { id: 'rate-limit-remaining-not-zero', basis: 'prose', severity: 'error' },
  resetInconsistent: { id: 'rate-limit-reset-inconsistent', basis: 'prose', severity: 'error' },
  overload5xx: { id: 'overload-5xx', basis: 'assumed', severity: 'error' },
  overloadConnection: { id: 'overload-connection-error', basis: 'assumed', severity: 'error' },
  body2xx: { id: 'overload-2xx-body-invalid', basis: 'spec', severity: 'error' },
  limitMismatch: { id: 'rate-limit-limit-mismatch', basis: 'prose', severity: 'error' },
  recoveryEarly: { id: 'rate-limit-recovered-early', basis: 'prose', severity: 'error' },
  recoveryLate: { id: 'rate-limit-recovery-late', basis: 'prose', severity: 'error' },
  unfair: { id: 'rate-limit-unfair', basis: 'prose', severity: 'error' },
} as const satisfies Record<string, Rule>;

/** Collects offences per rule and pointer; `findings()` turns each group into one finding. */
export class FindingSink {
  private readonly groups = new Map<string, { rule: Rule; first: Omit<Finding, 'checkId' | 'pillar' | 'endpoint' | 'ruleId' | 'severity' | 'basis' | 'reproduction'>; count: number }>();

  constructor(private readonly env: CheckEnv) {}

  add(rule: Rule, o: { status: number | null; pointer: string; expected?: unknown; actual?: unknown; message: string }): void {
    const key = `${rule.id}\u0000${rule.basis}\u0000${o.pointer}`;
    const g = this.groups.get(key);
    if (g) g.count++;
    else this.groups.set(key, { rule, first: o, count: 1 });
  }

  findings(): Finding[] {
    return [...this.groups.values()].map(({ rule, first, count }) => ({
      checkId: this.env.checkId,
      pillar: 'load' as const,
      endpoint: REV_USERS_CREATE.name,
      status: first.status,
      ruleId: rule.id,
      // The gate caps an assumed finding on a real target.
      severity: rule.severity,
      basis: rule.basis,
      pointer: first.pointer,
      expected: first.expected,
      actual: first.actual,
      message: count > 1 ? `${first.message} (${count} answers)` : first.message,
      reproduction: this.env.reproduction,
    }));
  }
}

const intHeader = (o: Observation, name: string): number | null => {
  const v = o.headers?.[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
};

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

/** Every 429 body is the documented too_many_requests envelope with an integer retry_after. */
export const check429Bodies = (obs: readonly Observation[], sink: FindingSink): void => {
  for (const o of obs) {
    if (o.status !== 429) continue;
    const v = validate(ErrorTooManyRequests, o.body, 'documented');
    for (const e of v.errors) {
      sink.add(RULES.body429, { status: 429, pointer: e.pointer, expected: 'error-too-many-requests', actual: o.body, message: `429 body: ${e.message}` });
    }
    const body = o.body as { retry_after?: unknown } | undefined;
    if (v.valid && (typeof body !== 'object' || body === null || body.retry_after === undefined)) {
      sink.add(RULES.retryAfterBodyMissing, { status: 429, pointer: '/retry_after', expected: 'an integer number of seconds', actual: undefined, message: '429 body has no retry_after' });
    }
  }
};

/** Retry-After is present, whole seconds, and equal to the body's retry_after. */
export const checkRetryAfter = (obs: readonly Observation[], sink: FindingSink): void => {
  for (const o of obs) {
    if (o.status !== 429) continue;
    const raw = o.headers?.['retry-after'];
    if (raw === undefined) {
      sink.add(RULES.retryAfterMissing, { status: 429, pointer: '/headers/retry-after', expected: 'Retry-After: <seconds>', actual: null, message: '429 without a Retry-After header' });
      continue;
    }
    if (!/^\d+$/.test(raw.trim())) {
      sink.add(RULES.retryAfterInvalid, { status: 429, pointer: '/headers/retry-after', expected: 'whole seconds', actual: raw, message: `Retry-After ${JSON.stringify(raw)} is not whole seconds` });
      continue;
    }
    const body = o.body as { retry_after?: unknown } | undefined;
    const inBody = body && typeof body === 'object' ? body.retry_after : undefined;
    if (typeof inBody === 'number' && inBody !== Number(raw)) {
      sink.add(RULES.retryAfterMismatch, { status: 429, pointer: '/retry_after', expected: Number(raw), actual: inBody, message: `retry_after ${inBody} differs from Retry-After ${raw}` });
    }
  }
};

/**
 * X-Ratelimit-* on every answer, unsigned integers; Remaining 0 on every 429; Reset ahead of
 * the server's now and, for a fixed window, Retry-After seconds away (one second of
 * rounding); for a token bucket the bucket cannot be full before one token is back.
 */
export const checkRateLimitHeaders = (obs: readonly Observation[], algorithm: Algorithm, remote: boolean, sink: FindingSink): void => {
  for (const o of obs) {
    if (o.status === null) continue;
    const throttled = o.status === 429;
    for (const name of RATE_LIMIT_HEADERS) {
      const v = o.headers?.[name];
      if (v === undefined) {
        sink.add(throttled ? RULES.headerMissingOn429 : RULES.headerMissing, { status: o.status, pointer: `/headers/${name}`, expected: 'present', actual: null, message: `${o.status} answer without ${name}` });
      } else if (!/^\d+$/.test(v)) {
        sink.add(RULES.headerInvalid, { status: o.status, pointer: `/headers/${name}`, expected: 'an unsigned integer', actual: v, message: `${name} ${JSON.stringify(v)} is not an unsigned integer` });
      }
    }
    if (!throttled) continue;
    const remaining = intHeader(o, 'x-ratelimit-remaining');
    if (remaining !== null && remaining !== 0) {
      sink.add(RULES.remainingNotZero, { status: 429, pointer: '/headers/x-ratelimit-remaining', expected: 0, actual: remaining, message: `throttled while X-Ratelimit-Remaining says ${remaining}` });
    }
    const reset = intHeader(o, 'x-ratelimit-reset');
    if (reset === null) continue;
    const now = serverNowS(o, remote);
    if (reset < now.lo - 1) {
      sink.add(RULES.resetInconsistent, { status: 429, pointer: '/headers/x-ratelimit-reset', expected: `at or after ${Math.floor(now.lo)}`, actual: reset, message: `X-Ratelimit-Reset ${reset} lies ${Math.round(now.lo - reset)} s in the past` });
      continue;
    }
    const retryAfter = intHeader(o, 'retry-after');
    if (retryAfter === null) continue;
    // Seconds from the decision to Reset, at the latest and earliest the decision can have been.
    const untilMin = reset - now.hi;
    const untilMax = reset - now.lo;
    if (algorithm === 'fixed_window' && (untilMin - retryAfter > 1 || retryAfter - untilMax > 1)) {
      sink.add(RULES.resetInconsistent, { status: 429, pointer: '/headers/x-ratelimit-reset', expected: `now + Retry-After ${retryAfter} s, ± 1`, actual: reset, message: `X-Ratelimit-Reset is ${untilMin.toFixed(1)} to ${untilMax.toFixed(1)} s away but Retry-After says ${retryAfter} s` });
    } else if (algorithm === 'token_bucket' && untilMax < retryAfter - 1) {
      sink.add(RULES.resetInconsistent, { status: 429, pointer: '/headers/x-ratelimit-reset', expected: `at least now + Retry-After ${retryAfter} - 1`, actual: reset, message: `the bucket is said to be full in ${untilMax.toFixed(1)} s, before the ${retryAfter} s Retry-After` });
    }
  }
};

/**
 * Fixed window only: within one window, Remaining never rises. Only pairs whose order is
 * certain count: an answer received before another request was sent was decided first.
 * Windows come from the estimate (start offset and length), so a lying Reset cannot hide it.
 */
export const checkRemainingMonotonic = (
  obs: readonly Observation[],
  window: { windowMs: number; offsetMs: number },
  sink: FindingSink,
): void => {
  const win = (t: number) => Math.floor((t - window.offsetMs) / window.windowMs);
  const withRemaining = obs.filter((o) => intHeader(o, 'x-ratelimit-remaining') !== null);
  const byRecv = [...withRemaining].sort((a, b) => a.recvMs - b.recvMs);
  const bySent = [...withRemaining].sort((a, b) => a.sentMs - b.sentMs);
  // Lowest Remaining seen so far per window, over answers received before each send.
  const lowest = new Map<number, { value: number; at: Observation }>();
  let j = 0;
  for (const o of bySent) {
    while (j < byRecv.length && byRecv[j]!.recvMs < o.sentMs) {
      const p = byRecv[j++]!;
      // An answer too close to a window edge may belong to either window: leave it out.
      if (win(p.sentMs) !== win(p.recvMs)) continue;
      const w = win(p.sentMs);
      const v = intHeader(p, 'x-ratelimit-remaining')!;
      const cur = lowest.get(w);
      if (!cur || v < cur.value) lowest.set(w, { value: v, at: p });
    }
    if (win(o.sentMs) !== win(o.recvMs)) continue;
    const prev = lowest.get(win(o.sentMs));
    const v = intHeader(o, 'x-ratelimit-remaining')!;
    if (prev && v > prev.value) {
      sink.add(RULES.remainingRose, { status: o.status, pointer: '/headers/x-ratelimit-remaining', expected: `at most ${prev.value}`, actual: v, message: `X-Ratelimit-Remaining rose from ${prev.value} to ${v} within one window` });
    }
  }
};

/** Under overload: no 5xx, no timeouts or connection errors. */
export const checkOverload = (obs: readonly Observation[], sink: FindingSink): void => {
  for (const o of obs) {
    if (o.status !== null && o.status >= 500) {
      sink.add(RULES.overload5xx, { status: o.status, pointer: '', expected: '429 when over the limit', actual: o.status, message: `${o.status} under overload` });
    } else if (o.status === null) {
      sink.add(RULES.overloadConnection, { status: null, pointer: '', expected: 'an answer', actual: o.error ?? 'connection', message: `no answer under overload (${o.error ?? 'connection error'})` });
    }
  }
};

/** Successes sampled under load are still the documented 201 body. */
export const checkSampled2xx = (obs: readonly Observation[], sink: FindingSink): number => {
  let n = 0;
  for (const o of obs) {
    if (o.status === null || o.status < 200 || o.status >= 300 || o.body === undefined) continue;
    n++;
    const schema = REV_USERS_CREATE.responses[201];
    if (o.status !== 201) {
      sink.add(RULES.body2xx, { status: o.status, pointer: '', expected: 201, actual: o.status, message: `success answered ${o.status}, not the documented 201` });
      continue;
    }
    for (const e of validate(schema, o.body, 'documented').errors) {
      sink.add(RULES.body2xx, { status: 201, pointer: e.pointer, expected: 'rev-users-create-response', actual: e.message, message: `201 body under load: ${e.message}` });
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
