import type { CreateEndpointName } from '../api-model/shapes/endpoints.ts';
import type { ViolationKind } from '../api-model/prose-rules/request.ts';

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
  readonly endpoint: CreateEndpointName;
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
  readonly endpoint: CreateEndpointName;
  readonly expect: 'any';
  readonly raw: string | Uint8Array;
  /** null sends no Content-Type at all. */
  readonly contentType: string | null;
}

export type Case = JsonCase | RawCase;

export const isRawCase = (c: Case): c is RawCase => 'raw' in c;

/**
 * Values the provider may require to be unique (`external_ref`, e-mail addresses) get the
 * run id and a per-request sequence number at send time, not at generation time: shrinking
 * and replay send the same generated case more than once, and a second send must not
 * collide with the first. The oracle then checks the body as it is really sent.
 */
export const uniquify = (body: unknown, tag: string): unknown => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  let tagged = false;
  if (typeof out['email'] === 'string') {
    out['email'] = tagEmail(out['email'], tag);
    tagged = true;
  }
  if (typeof out['external_ref'] === 'string') {
    out['external_ref'] = `${out['external_ref']}-${tag}`;
    tagged = true;
  }
  if (Array.isArray(out['external_refs']))
    out['external_refs'] = out['external_refs'].map((r) => (typeof r === 'string' ? `${r}-${tag}` : r));
  // Every record a run creates must carry the run id so it can be found and removed; a rev
  // user with neither email nor external_ref carries it in its display name.
  if (!tagged) {
    if (typeof out['display_name'] === 'string') out['display_name'] = `${out['display_name']} ${tag}`;
    else if (!('display_name' in out)) out['display_name'] = `devrev-gate ${tag}`;
  }
  return out;
};

const tagEmail = (email: string, tag: string): string => {
  const at = email.lastIndexOf('@');
  return at > 0 ? `${email.slice(0, at)}.${tag}${email.slice(at)}` : `${email}.${tag}`;
};
