import { pointerOf } from '../api-model/openapi/pointer.ts';
import type { Raw } from './diff.ts';
import { deref, isObject, type Located, type SpecSide } from './resolve.ts';
import { viewOf } from './schema-view.ts';

/**
 * The headers one documented answer carries, compared as a client reads them: by name,
 * ignoring case (HTTP does), and by the type of value it parses (Retry-After in seconds).
 */
interface Header {
  name: string;
  loc: Located;
}

const headersOf = (side: SpecSide, response: Located): Map<string, Header> => {
  const out = new Map<string, Header>();
  const headers = isObject(response.node) ? response.node['headers'] : undefined;
  if (!isObject(headers)) return out;
  for (const [name, h] of Object.entries(headers)) out.set(name.toLowerCase(), { name, loc: deref(side, h, [...response.tokens, 'headers', name]) });
  return out;
};

/** A header's schema: `schema`, or the one media type's schema under `content`. */
const schemaOf = (h: Header): Located | undefined => {
  const node = h.loc.node;
  if (!isObject(node)) return undefined;
  if (node['schema'] !== undefined) return { node: node['schema'], tokens: [...h.loc.tokens, 'schema'] };
  const content = node['content'];
  const [mt] = isObject(content) ? Object.keys(content) : [];
  const s = mt !== undefined && isObject(content) && isObject(content[mt]) ? content[mt]['schema'] : undefined;
  return s === undefined || mt === undefined ? undefined : { node: s, tokens: [...h.loc.tokens, 'content', mt, 'schema'] };
};

const typeText = (t: Set<string> | null) => (t ? [...t].sort().join('|') : 'any');
/** Every type of x is allowed by y (an integer is a number). */
const subset = (x: Set<string>, y: Set<string>) => [...x].every((t) => y.has(t) || (t === 'integer' && y.has('number')));

/** Changes to the headers of one status documented in both documents, each with its place. */
export const diffResponseHeaders = (from: SpecSide, to: SpecSide, a: Located, b: Located, place: string, add: (place: string, r: Raw) => void): void => {
  const ha = headersOf(from, a);
  const hb = headersOf(to, b);
  for (const [key, x] of ha) {
    const y = hb.get(key);
    if (!y) {
      add(`${place} header ${x.name}`, { ruleId: 'response-header-removed', from: pointerOf(x.loc.tokens), to: pointerOf(b.tokens), before: x.name, after: undefined, at: '', summary: `header ${x.name} is no longer documented` });
      continue;
    }
    const ra = isObject(x.loc.node) && x.loc.node['required'] === true;
    const rb = isObject(y.loc.node) && y.loc.node['required'] === true;
    if (ra !== rb)
      add(`${place} header ${y.name}`, {
        ruleId: rb ? 'response-header-became-required' : 'response-header-became-optional',
        from: pointerOf(ra ? [...x.loc.tokens, 'required'] : x.loc.tokens),
        to: pointerOf(rb ? [...y.loc.tokens, 'required'] : y.loc.tokens),
        before: ra ? 'required' : 'optional',
        after: rb ? 'required' : 'optional',
        at: '',
        summary: `header ${y.name} became ${rb ? 'required' : 'optional'}`,
      });
    const sa = schemaOf(x);
    const sb = schemaOf(y);
    if (!sa || !sb) continue;
    const va = viewOf(from, sa);
    const vb = viewOf(to, sb);
    const ta = va.types;
    const tb = vb.types;
    const same = ta === null ? tb === null : tb !== null && subset(ta, tb) && subset(tb, ta) && ta.size === tb.size;
    if (same) continue;
    // An answer that now sends fewer types is still parsed; anything else may not be.
    const narrowed = ta === null || (tb !== null && subset(tb, ta));
    add(`${place} header ${y.name}`, {
      ruleId: narrowed ? 'response-header-type-narrowed' : 'response-header-type-changed',
      from: va.pointer,
      to: vb.pointer,
      before: typeText(ta),
      after: typeText(tb),
      at: '',
      summary: `header ${y.name}: type ${typeText(ta)} → ${typeText(tb)}`,
    });
  }
  for (const [key, y] of hb) {
    if (!ha.has(key))
      add(`${place} header ${y.name}`, { ruleId: 'response-header-added', from: pointerOf(a.tokens), to: pointerOf(y.loc.tokens), before: undefined, after: y.name, at: '', summary: `header ${y.name} is newly documented` });
  }
};
