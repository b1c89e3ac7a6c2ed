import type { ViolationKind } from '../api-model/prose-rules/request.ts';
import { taggedFields, viewOf } from './endpoints.ts';

/**
 * One generated input. Every case names the class it was generated for, so the run can
 * count class hits, and says what the docs make of it: `valid` (must be accepted),
 * `invalid` with the one documented rule it breaks (must be rejected with a 400), or
 * `any` (hostile input: the only promise is "not a 5xx"), or `unauthorized` (a valid body
 * sent without a token: the documented answer is 401).
 */
export type Expectation = 'valid' | 'invalid' | 'any' | 'unauthorized';

export interface JsonCase {
  readonly cls: string;
  readonly endpoint: string;
  readonly expect: Expectation;
  /** For `invalid`: the rule the oracle must find broken, and nothing else. */
  readonly rule?: ViolationKind;
  /** For `invalid`: the top-level field the broken rule is about ('' for the body itself). */
  readonly field?: string;
  readonly body: unknown;
}

/** Bytes sent as they are (hostile inputs): not necessarily JSON, not necessarily UTF-8. */
export interface RawCase {
  readonly cls: string;
  readonly endpoint: string;
  readonly expect: 'any';
  readonly raw: string | Uint8Array;
  /** null sends no Content-Type at all. */
  readonly contentType: string | null;
}

export type Case = JsonCase | RawCase;

export const isRawCase = (c: Case): c is RawCase => 'raw' in c;

/**
 * Values the provider may require to be unique (the model's unique fields, and every field
 * the catalogue fills with a run-tagged value) get the run id and a per-request sequence
 * number at send time, not at generation time: shrinking and replay send the same generated
 * case more than once, and a second send must not collide with the first. The oracle then
 * checks the body as it is really sent.
 */
export const uniquify = (body: unknown, tag: string, endpoint: string): unknown => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const v = viewOf(endpoint);
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  // An e-mail keeps its domain: the tag goes into its local part.
  const isEmail = (value: string, pattern: string) => {
    const f = v.fills.get(pattern);
    return f?.kind === 'tagged' ? f.format === 'email' : value.includes('@');
  };
  const tagValue = (value: unknown, pattern: string) =>
    typeof value !== 'string' ? value : isEmail(value, pattern) ? tagEmail(value, tag) : `${value}-${tag}`;
  let tagged = false;
  for (const field of taggedFields(v)) {
    const value = out[field];
    if (typeof value === 'string') {
      out[field] = tagValue(value, `/${field}`);
      tagged = true;
    } else if (Array.isArray(value)) out[field] = value.map((x) => tagValue(x, `/${field}/*`));
  }
  // Every record a run creates must carry the run id so it can be found and removed; a body
  // with no tagged field carries it in the endpoint's first unique field it lacks (what a
  // tenant's records are found by), else in the first free text the catalogue writes.
  const unique = v.model.uniqueFields.find((f) => !(f in out) && !v.required.includes(f) && v.fields[f]?.type === 'string');
  if (!tagged && unique !== undefined) {
    out[unique] = isEmail('', `/${unique}`) ? `devrev-gate.${tag}@example.com` : `devrev-gate-${tag}`;
    tagged = true;
  }
  if (!tagged) {
    const text = [...v.fills].find(([p, f]) => f.kind === 'text' && p.split('/').length === 2 && v.fields[p.slice(1)]?.type === 'string');
    const field = text?.[0].slice(1);
    if (field !== undefined) {
      if (typeof out[field] === 'string') out[field] = `${out[field]} ${tag}`;
      // A body without a required field creates nothing: adding it would only repair the case.
      else if (!(field in out) && !v.required.includes(field)) out[field] = `devrev-gate ${tag}`;
    }
  }
  return out;
};

const tagEmail = (email: string, tag: string): string => {
  const at = email.lastIndexOf('@');
  return at > 0 ? `${email.slice(0, at)}.${tag}${email.slice(at)}` : `${email}.${tag}`;
};
