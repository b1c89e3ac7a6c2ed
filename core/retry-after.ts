/**
 * Retry-After (RFC 9110 10.2.3) as delay-seconds or an HTTP-date. DevRev documents seconds;
 * the date form is understood so a wait is never mis-read (the rate-limit rules report it
 * as a departure from DevRev's docs).
 */
const WHOLE = /^[0-9]+$/;

// RFC 9110 5.6.7: IMF-fixdate is the form senders must use; the two obsolete forms are accepted.
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850 = /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

export type RetryAfter =
  | { form: 'seconds'; seconds: number }
  /** `seconds` counts from the answer's Date header when it has one, else from `nowMs`. */
  | { form: 'date'; atMs: number; seconds: number };

/** Retry-After as delay-seconds or an HTTP-date; null when it is neither. */
export const parseRetryAfter = (raw: string | undefined, o: { dateHeader?: string; nowMs: number }): RetryAfter | null => {
  if (raw === undefined) return null;
  const v = raw.trim();
  if (WHOLE.test(v)) return { form: 'seconds', seconds: Number(v) };
  if (!(IMF_FIXDATE.test(v) || RFC850.test(v) || ASCTIME.test(v))) return null;
  const atMs = Date.parse(ASCTIME.test(v) ? `${v} GMT` : v);
  if (!Number.isFinite(atMs)) return null;
  const date = o.dateHeader ? Date.parse(o.dateHeader) : Number.NaN;
  const from = Number.isFinite(date) ? date : o.nowMs;
  return { form: 'date', atMs, seconds: Math.max(0, (atMs - from) / 1000) };
};
