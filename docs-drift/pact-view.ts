import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import { isObject } from './resolve.ts';

/**
 * What a pact file says its consumer relies on, read from the JSON alone (V2, V3 or V4),
 * so a user's own pact is read the same way as the project's: per interaction, the
 * endpoint it calls, the request fields, headers and query it sends, the status it
 * expects and the response fields and headers it reads (the keys of the expected body,
 * which Pact requires present, and the paths its matching rules name).
 *
 * Paths are token lists below the body's root; array items are `*`, as in SpecChange
 * places, so `/rev_user/tags/*\/value` names every tag's value.
 */
export interface PactInteraction {
  description: string;
  /** `rev-users.create`: the path without its leading slash, as SpecChange names endpoints. */
  endpoint: string;
  method: string;
  hasRequestBody: boolean;
  /** Every path the request body holds, with the value there (objects and arrays too). */
  sends: Array<{ path: string[]; value: unknown }>;
  /** Lower-case request header names. */
  requestHeaders: Map<string, string>;
  query: Set<string>;
  status: number | null;
  /** Every path the response body holds or a matching rule names, with the expected value when the body has one. */
  reads: Array<{ path: string[]; value: unknown }>;
  /** Lower-case response header names the pact expects. */
  responseHeaders: Set<string>;
}

export interface PactView {
  file: string;
  interactions: PactInteraction[];
}

/** Every path in a JSON value, parents first; array items all become `*`. */
const flatten = (v: unknown, at: string[] = [], out: Array<{ path: string[]; value: unknown }> = []) => {
  const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((x) => ['*', x]) : isObject(v) ? Object.entries(v) : [];
  for (const [k, x] of entries) {
    out.push({ path: [...at, k], value: x });
    flatten(x, [...at, k], out);
  }
  return out;
};

/** `$.rev_user.artifacts[*].id`, `$['a.b'][0]` → tokens; indices become `*`. */
export const jsonPathTokens = (path: string): string[] | null => {
  if (!path.startsWith('$')) return null;
  const tokens: string[] = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return null;
    tokens.push(m[1] ?? (m[2] !== undefined ? '*' : (m[3] ?? m[4] ?? '')));
  }
  return tokens;
};

/** V3/V4 bodies sit under `{content, contentType}`; V2 bodies are the value itself. */
const bodyOf = (part: Record<string, unknown>): { present: boolean; value: unknown } => {
  const b = part['body'];
  if (b === undefined || b === null) return { present: false, value: undefined };
  if (isObject(b) && 'content' in b && ('contentType' in b || 'encoded' in b)) return { present: b['content'] !== undefined, value: b['content'] };
  return { present: true, value: b };
};

/** Body matching-rule paths: V3/V4 `matchingRules.body["$.x"]`, V2 `matchingRules["$.body.x"]`. */
const ruleBodyPaths = (part: Record<string, unknown>): string[][] => {
  const rules = isObject(part['matchingRules']) ? part['matchingRules'] : {};
  const v3 = isObject(rules['body']) ? Object.keys(rules['body']) : [];
  const v2 = Object.keys(rules)
    .filter((k) => k.startsWith('$.body'))
    .map((k) => `$${k.slice('$.body'.length)}`);
  return [...v3, ...v2].map(jsonPathTokens).filter((t): t is string[] => t !== null);
};

const headerMap = (h: unknown): Map<string, string> => {
  const out = new Map<string, string>();
  if (isObject(h)) for (const [k, v] of Object.entries(h)) out.set(k.toLowerCase(), Array.isArray(v) ? String(v[0] ?? '') : String(v));
  return out;
};

const queryNames = (q: unknown): Set<string> => {
  if (typeof q === 'string') return new Set(new URLSearchParams(q).keys());
  return new Set(isObject(q) ? Object.keys(q) : []);
};

const same = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

export const interactionOf = (raw: Record<string, unknown>, i: number): PactInteraction => {
  const req = isObject(raw['request']) ? raw['request'] : {};
  const res = isObject(raw['response']) ? raw['response'] : {};
  const sent = bodyOf(req);
  const got = bodyOf(res);
  const reads = got.present ? flatten(got.value) : [];
  for (const path of ruleBodyPaths(res)) if (path.length > 0 && !reads.some((r) => same(r.path, path))) reads.push({ path, value: undefined });
  const path = typeof req['path'] === 'string' ? req['path'] : '';
  return {
    description: typeof raw['description'] === 'string' ? raw['description'] : `interaction ${i + 1}`,
    endpoint: path.replace(/^\//, '').replace(/\?.*$/, ''),
    method: typeof req['method'] === 'string' ? req['method'].toUpperCase() : 'GET',
    hasRequestBody: sent.present,
    sends: sent.present ? flatten(sent.value) : [],
    requestHeaders: headerMap(req['headers']),
    query: queryNames(req['query']),
    status: typeof res['status'] === 'number' ? res['status'] : null,
    reads,
    responseHeaders: new Set(headerMap(res['headers']).keys()),
  };
};

/** Reads one pact file; a file that is not a pact is the user's to fix (exit 2). */
export const readPactView = (file: string): PactView => {
  let pact: unknown;
  try {
    pact = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: cannot read the pact (${String((e as Error).message).split('\n')[0]})`);
  }
  if (!isObject(pact) || !Array.isArray(pact['interactions'])) throw new UsageError(`${file}: not a pact file (no "interactions" list)`);
  const interactions = (pact['interactions'] as unknown[]).filter(isObject).map(interactionOf);
  return { file, interactions };
};
