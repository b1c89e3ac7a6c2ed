import { RATE_LIMIT_RULES, type RateLimitRuleId } from '../rulebook/rate-limit.ts';
import { parseLimitField, parsePolicyField, parseRetryAfter, wholeField, X_RATELIMIT } from './fields.ts';

/**
 * The rate-limit promises one answer makes, judged once for every pillar: drift calls this
 * for each answer it checks, load for each of thousands. Header values point at
 * `/headers/<lower-case name>`, as if the headers were a JSON object beside the body.
 * The basis and tolerance of each rule come from the rule book, never from the caller.
 */
/** The rules `judgeRateLimitAnswer` can report: what a pillar judging single answers carries. */
export const ANSWER_RULE_IDS = [
  'rate-limit-header-missing',
  'rate-limit-header-missing-on-error',
  'rate-limit-header-invalid',
  'rate-limit-remaining-above-limit',
  'rate-limit-reset-past',
  'rate-limit-reset-in-milliseconds',
  'rate-limit-reset-not-seconds',
  'rate-limit-remaining-not-zero',
  'rate-limit-retry-after-missing',
  'rate-limit-retry-after-not-seconds',
  'rate-limit-retry-after-mismatch',
  'rate-limit-retry-after-beyond-reset',
  'rate-limit-reset-inconsistent',
  'rate-limit-ietf-field-invalid',
  'rate-limit-ietf-field-inconsistent',
] as const satisfies readonly RateLimitRuleId[];
export type AnswerRuleId = (typeof ANSWER_RULE_IDS)[number];

/** The rule-book entries of those rules, for a pillar's own table. */
export const answerRules = () => Object.fromEntries(ANSWER_RULE_IDS.map((id) => [id, RATE_LIMIT_RULES[id]])) as { [K in AnswerRuleId]: (typeof RATE_LIMIT_RULES)[K] };

export interface RateLimitOffence {
  rule: AnswerRuleId;
  pointer: string;
  expected: unknown;
  actual: unknown;
  message: string;
}

export interface RateLimitAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: unknown;
}

export interface RateLimitJudgeEnv {
  /**
   * When the server decided, Unix seconds, as an interval: the answer's Date header on a
   * remote target ([Date, Date + 1]), else between our send and receive.
   */
  now: { lo: number; hi: number };
  /**
   * The limiter the caller knows it faces: the fixed-window-only rule (Reset equals
   * now + Retry-After) runs only for 'fixed_window'.
   */
  fixedWindow?: boolean;
}

export const headerPointer = (name: string) => `/headers/${name.toLowerCase()}`;

/** A Reset this far ahead is no window DevRev describes (five minutes): milliseconds, probably. */
const MAX_RESET_AHEAD_S = 24 * 3600;
// Unix seconds reach 1e11 in the year 5138; a Reset that large is milliseconds, whatever the clock says.
const MILLISECOND_MAGNITUDE = 1e11;

const tol = (rule: RateLimitRuleId): number => (RATE_LIMIT_RULES[rule] as { toleranceS?: number }).toleranceS ?? 0;

export const judgeRateLimitAnswer = (a: RateLimitAnswer, env: RateLimitJudgeEnv): RateLimitOffence[] => {
  const out: RateLimitOffence[] = [];
  const add = (rule: AnswerRuleId, pointer: string, expected: unknown, actual: unknown, message: string) =>
    out.push({ rule, pointer, expected, actual, message });
  const throttled = a.status === 429;
  // The page shows the headers on successes; on error answers, 429 included, it is our reading.
  const missingRule: AnswerRuleId = a.status >= 300 ? 'rate-limit-header-missing-on-error' : 'rate-limit-header-missing';
  const values: Partial<Record<(typeof X_RATELIMIT)[number], number>> = {};
  for (const name of X_RATELIMIT) {
    const raw = a.headers[name];
    if (raw === undefined) {
      add(missingRule, headerPointer(name), 'present', 'absent', `${a.status} answer without ${name}`);
      continue;
    }
    const v = wholeField(raw);
    if (v === null) add('rate-limit-header-invalid', headerPointer(name), 'a whole number', raw, `${name} is ${JSON.stringify(raw)}, not a whole number`);
    else values[name] = v;
  }
  const limit = values['x-ratelimit-limit'];
  const remaining = values['x-ratelimit-remaining'];
  const reset = values['x-ratelimit-reset'];
  if (limit !== undefined && remaining !== undefined && remaining > limit) {
    add('rate-limit-remaining-above-limit', headerPointer('x-ratelimit-remaining'), `at most X-Ratelimit-Limit (${limit})`, remaining, `X-Ratelimit-Remaining ${remaining} exceeds X-Ratelimit-Limit ${limit}`);
  }
  let resetOk = reset !== undefined;
  if (reset !== undefined && reset < env.now.lo - tol('rate-limit-reset-past')) {
    resetOk = false;
    add('rate-limit-reset-past', headerPointer('x-ratelimit-reset'), `Unix seconds not before now (${Math.floor(env.now.lo)})`, reset, `X-Ratelimit-Reset ${reset} is ${Math.round(env.now.lo - reset)} s in the past`);
  } else if (reset !== undefined && reset >= MILLISECOND_MAGNITUDE) {
    resetOk = false;
    add('rate-limit-reset-in-milliseconds', headerPointer('x-ratelimit-reset'), `Unix seconds (now ${Math.floor(env.now.lo)})`, reset, `X-Ratelimit-Reset ${reset} is of millisecond magnitude, not seconds from the Unix epoch`);
  } else if (reset !== undefined && reset > env.now.hi + MAX_RESET_AHEAD_S) {
    resetOk = false;
    add('rate-limit-reset-not-seconds', headerPointer('x-ratelimit-reset'), `Unix seconds within a day of now (${Math.floor(env.now.lo)})`, reset, `X-Ratelimit-Reset ${reset} is more than a day ahead (milliseconds instead of seconds?)`);
  }
  out.push(...judgeIetf(a, values));
  if (!throttled) return out;

  if (remaining !== undefined && remaining > 0) {
    add('rate-limit-remaining-not-zero', headerPointer('x-ratelimit-remaining'), 0, remaining, `a 429 while X-Ratelimit-Remaining says ${remaining} units are left`);
  }
  const raw = a.headers['retry-after'];
  if (raw === undefined) {
    add('rate-limit-retry-after-missing', headerPointer('retry-after'), 'Retry-After: <seconds>', 'absent', 'a 429 without Retry-After');
    return out;
  }
  const ra = parseRetryAfter(raw, { dateHeader: a.headers['date'], nowMs: env.now.lo * 1000 });
  if (ra === null || ra.form === 'date') {
    add(
      'rate-limit-retry-after-not-seconds',
      headerPointer('retry-after'),
      'whole seconds',
      raw,
      ra ? `Retry-After is an HTTP-date (${Math.round(ra.seconds)} s away); DevRev documents seconds` : `Retry-After is ${JSON.stringify(raw)}, neither seconds nor an HTTP-date`,
    );
  }
  if (ra === null) return out;
  const body = a.body !== null && typeof a.body === 'object' ? (a.body as Record<string, unknown>) : undefined;
  const inBody = body?.['retry_after'];
  if (typeof inBody === 'number' && Math.abs(inBody - ra.seconds) > tol('rate-limit-retry-after-mismatch')) {
    add('rate-limit-retry-after-mismatch', '/retry_after', `Retry-After (${raw})`, inBody, `retry_after ${inBody} differs from Retry-After ${raw}`);
  }
  if (resetOk && reset !== undefined) {
    // Seconds from the decision to Reset, at the latest and earliest the decision can have been.
    const untilMin = reset - env.now.hi;
    const untilMax = reset - env.now.lo;
    if (ra.seconds > untilMax + tol('rate-limit-retry-after-beyond-reset')) {
      add('rate-limit-retry-after-beyond-reset', headerPointer('retry-after'), `at most the time to X-Ratelimit-Reset (${Math.max(0, Math.ceil(untilMax))} s)`, ra.seconds, `Retry-After ${Math.round(ra.seconds)} s outlasts the window, which resets in ${Math.ceil(untilMax)} s`);
    } else if (env.fixedWindow && untilMin - ra.seconds > tol('rate-limit-reset-inconsistent')) {
      add('rate-limit-reset-inconsistent', headerPointer('x-ratelimit-reset'), `now + Retry-After ${Math.round(ra.seconds)} s, ± ${tol('rate-limit-reset-inconsistent')}`, reset, `X-Ratelimit-Reset is ${untilMin.toFixed(1)} to ${untilMax.toFixed(1)} s away but Retry-After says ${Math.round(ra.seconds)} s`);
    }
  }
  return out;
};

/**
 * The IETF fields, when present: well-formed per the draft, each RateLimit item naming a
 * policy RateLimit-Policy lists, r within its quota, and (for a single policy beside
 * X-Ratelimit-*) the same remaining units and reset as DevRev's own headers.
 */
const judgeIetf = (a: RateLimitAnswer, x: Partial<Record<(typeof X_RATELIMIT)[number], number>>): RateLimitOffence[] => {
  const out: RateLimitOffence[] = [];
  const rawPolicy = a.headers['ratelimit-policy'];
  const rawLimit = a.headers['ratelimit'];
  const policy = rawPolicy === undefined ? null : parsePolicyField(rawPolicy);
  const limit = rawLimit === undefined ? null : parseLimitField(rawLimit);
  for (const [p, name, raw] of [[policy, 'ratelimit-policy', rawPolicy], [limit, 'ratelimit', rawLimit]] as const) {
    if (p && !p.ok) out.push({ rule: 'rate-limit-ietf-field-invalid', pointer: headerPointer(name), expected: 'the draft-ietf-httpapi-ratelimit-headers syntax', actual: raw, message: p.error });
  }
  const policies = policy?.ok ? policy.items : [];
  const limits = limit?.ok ? limit.items : [];
  const inconsistent = (pointer: string, expected: unknown, actual: unknown, message: string) =>
    out.push({ rule: 'rate-limit-ietf-field-inconsistent', pointer, expected, actual, message });
  for (const l of limits) {
    const p = policies.find((q) => q.name === l.name);
    if (policies.length > 0 && !p) inconsistent(headerPointer('ratelimit'), `a policy RateLimit-Policy lists (${policies.map((q) => q.name).join(', ')})`, l.name, `RateLimit names policy "${l.name}", which RateLimit-Policy does not list`);
    if (p && l.remaining > p.quota) inconsistent(headerPointer('ratelimit'), `r at most q (${p.quota})`, l.remaining, `RateLimit "${l.name}" has ${l.remaining} left of a quota of ${p.quota}`);
  }
  if (limits.length === 1 && x['x-ratelimit-remaining'] !== undefined && limits[0]!.remaining !== x['x-ratelimit-remaining']) {
    inconsistent(headerPointer('ratelimit'), `r = X-Ratelimit-Remaining (${x['x-ratelimit-remaining']})`, limits[0]!.remaining, `RateLimit says ${limits[0]!.remaining} left, X-Ratelimit-Remaining ${x['x-ratelimit-remaining']}`);
  }
  if (policies.length === 1 && x['x-ratelimit-limit'] !== undefined && policies[0]!.quota !== x['x-ratelimit-limit']) {
    inconsistent(headerPointer('ratelimit-policy'), `q = X-Ratelimit-Limit (${x['x-ratelimit-limit']})`, policies[0]!.quota, `RateLimit-Policy says a quota of ${policies[0]!.quota}, X-Ratelimit-Limit ${x['x-ratelimit-limit']}`);
  }
  return out;
};
